"""Static files with DEBUG off (issue 16, item 9): the documented start step (deploy/start-web.sh,
collectstatic then gunicorn) serves the admin's styles and the API docs' scripts, so neither is
unstyled nor broken in production. Runs gunicorn on a free local port and stops it."""

from __future__ import annotations

import re

import pytest

from tests.operations.processes import DEPLOY, free_port, get, production_env, start, stop, wait_until

pytestmark = pytest.mark.django_db


def test_the_production_start_serves_static_files_with_debug_off(tmp_path):
    port = free_port()
    env = production_env(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        STATIC_ROOT=str(tmp_path / "static"),
        CACHE_URL="locmemcache://",
        ALLOW_LOCAL_CACHE="true",  # one process
        API_DOCS_PUBLIC="true",
    )
    log = tmp_path / "web.log"
    web = start(["sh", str(DEPLOY / "start-web.sh")], env, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: get(f"{base}/accounts/login/")[0] == 200, 90, "the web process", [log])
        _status, page = get(f"{base}/accounts/login/")
        docs_status, docs = get(f"{base}/api/docs/")
        assert docs_status == 200
        sources = re.findall(rb'(?:href|src)="(/static/[^"?]+)', page + docs)
        assert any(s.endswith(b".css") for s in sources) and any(s.endswith(b".js") for s in sources), sources
        for source in sources:
            status, body = get(base + source.decode())
            assert status == 200 and body, source
        status, css = get(f"{base}/static/admin/css/base.css")
        assert status == 200 and b"body" in css
    finally:
        stop(web)
