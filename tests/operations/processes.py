"""Helpers for tests that run the product's processes as production runs them: the deploy/ scripts,
the production settings, the test database, Redis databases of our own and local servers only."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests.conftest import services_required

BASE_DIR = Path(__file__).resolve().parents[2]
DEPLOY = BASE_DIR / "deploy"
# This package's own Redis database numbers (nobody else's is flushed).
BROKER_URL = "redis://127.0.0.1:6379/11"
CACHE_URL = "redis://127.0.0.1:6379/12"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url() -> str:
    """The URL of the test database (NAME is the test database's while tests run)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        user += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{user}@{host}/{quote(db['NAME'], safe='')}"


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        message = "needs PostgreSQL (processes must share the test database)"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)


def require_redis(url: str = BROKER_URL):
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        message = f"Redis is not reachable at {url}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    return client


def production_env(**overrides: str) -> dict[str, str]:
    """The environment of a production process: DEBUG off, JSON logs, our databases."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {key: value for key, value in os.environ.items() if key in keep}
    env.update(
        DJANGO_SETTINGS_MODULE="okrtracker.settings",
        PYTHON=sys.executable,
        DEBUG="false",
        SECRET_KEY="tests-only-secret-key-not-used-anywhere-else-3f9a",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=database_url(),
        REDIS_URL=BROKER_URL,
        CACHE_URL=CACHE_URL,
        LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
    )
    env.update(overrides)
    return env


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """Start a process in its own session (so its whole group can be stopped), output to ``log``."""
    out = log.open("ab")
    try:
        return subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        out.close()


def stop(process: subprocess.Popen, timeout: float = 30) -> float:
    """TERM, wait up to ``timeout`` seconds, then KILL the whole group; returns the seconds it took."""
    started = time.monotonic()
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    took = time.monotonic() - started
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)
    return took


def get(url: str, timeout: float = 5, headers: dict | None = None) -> tuple[int, bytes]:
    """GET ``url``: (status, body); (0, b"") when nothing answers."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, b""


def wait_until(condition, timeout: float, what: str, logs: list[Path] = ()) -> float:
    """Poll ``condition`` until it is true; fail with the processes' log tails after ``timeout`` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.2)
    tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists())
    pytest.fail(f"Timed out after {timeout}s waiting for {what}\n{tails}")
