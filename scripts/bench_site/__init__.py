"""The benchmarks' site: the product's settings and URLs plus bare baseline views (never deployed)."""
