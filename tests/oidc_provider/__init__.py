"""A small OpenID Connect provider for the tests (django-oauth-toolkit), run as its own process.

``python -m tests.oidc_provider.serve`` migrates a throwaway SQLite database, registers the product as
a client, creates people with groups, serves on a free 127.0.0.1 port (printed on stdout) and stops
when its standard input closes. See tests/accounts/test_oidc_browser.py.
"""
