"""Production settings, with the bare baseline views mounted beside the product's URLs."""

from okrtracker.settings import *  # noqa: F403

ROOT_URLCONF = "bench_site.urls"
