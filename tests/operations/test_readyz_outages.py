"""/readyz turns red when Redis or PostgreSQL stops and green when it comes back.

The machine's shared servers are never touched: the test starts its own redis-server and its own
PostgreSQL cluster (initdb + pg_ctl as the postgres user) on free ports under a temporary directory,
migrates that database, runs a web process (deploy/start-web.sh, gunicorn) against them and stops and
starts each server under it. ``manage.py check_health`` answers the same way (exit 1, then 0).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import services_required

from .processes import BASE_DIR, DEPLOY, free_port, get, production_env, start, stop, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.services]


def missing(what: str):
    if services_required():
        pytest.fail(what)
    pytest.skip(what)


def postgres_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}")) or [shutil.which(name)]
    if not found[-1]:
        missing(f"{name} is not installed")
    return found[-1]


class OwnPostgres:
    """A throwaway PostgreSQL cluster on 127.0.0.1:port, run by the postgres user."""

    def __init__(self) -> None:
        if os.geteuid() != 0:
            missing("starting a PostgreSQL cluster needs root (to run it as the postgres user)")
        try:
            self.user = pwd.getpwnam("postgres")
        except KeyError:
            missing("there is no postgres user")
        # Not under pytest's tmp_path: the postgres user could not reach it (root's, mode 0700).
        self.directory = Path(tempfile.mkdtemp(prefix="okrtracker-readyz-pg-"))
        os.chown(self.directory, self.user.pw_uid, self.user.pw_gid)
        self.data = self.directory / "data"
        self.port = free_port()
        self.run(postgres_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def run(self, *command: str) -> None:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", *command],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.directory,
        )
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.directory / "postgres.log")
        self.run(postgres_bin("pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        self.run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"


class OwnRedis:
    """A throwaway redis-server on 127.0.0.1:port, nothing saved."""

    def __init__(self, directory) -> None:
        self.binary = shutil.which("redis-server") or missing("redis-server is not installed")
        self.directory = directory
        self.port = free_port()
        self.process = None

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, cwd=self.directory, stdout=subprocess.DEVNULL, start_new_session=True)

    def stop(self) -> None:
        stop(self.process, timeout=10)


def test_readyz_follows_redis_and_postgresql_down_and_up(tmp_path):
    postgres = OwnPostgres()
    redis = OwnRedis(tmp_path)
    postgres.start()
    redis.start()
    port = free_port()
    env = production_env(
        DATABASE_URL=postgres.url,
        REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
        CACHE_URL=f"redis://127.0.0.1:{redis.port}/1",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    log = tmp_path / "web.log"
    web = None

    def readyz() -> tuple[int, dict]:
        status, body = get(f"http://127.0.0.1:{port}/readyz", timeout=15)
        return status, json.loads(body) if body else {}

    def failing() -> set[str]:
        return {name for name, check in readyz()[1].get("checks", {}).items() if not check["ok"] and check["critical"]}

    def check_health() -> int:
        command = [sys.executable, "manage.py", "check_health", "--critical-only", "--json"]
        return subprocess.run(command, cwd=BASE_DIR, env=env, capture_output=True, timeout=60).returncode

    try:
        subprocess.run(
            [str(DEPLOY / "migrate.sh")], cwd=BASE_DIR, env=env, check=True, capture_output=True, timeout=300
        )
        web = start([str(DEPLOY / "start-web.sh")], env, log)
        wait_until(lambda: readyz()[0] == 200, 90, "/readyz to be green", [log])
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        assert check_health() == 0

        redis.stop()
        wait_until(lambda: readyz()[0] == 503, 30, "/readyz to turn red without Redis", [log])
        assert failing() == {"cache", "redis", "broker"}
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200  # alive: nothing to restart
        assert check_health() == 1
        redis.start()
        wait_until(lambda: readyz()[0] == 200, 30, "/readyz to turn green with Redis back", [log])

        postgres.stop()
        wait_until(lambda: readyz()[0] == 503, 30, "/readyz to turn red without PostgreSQL", [log])
        assert failing() == {"database", "migrations"}
        assert get(f"http://127.0.0.1:{port}/healthz")[0] == 200
        assert check_health() == 1
        postgres.start()
        wait_until(lambda: readyz()[0] == 200, 30, "/readyz to turn green with PostgreSQL back", [log])
        assert check_health() == 0
    finally:
        if web is not None:
            stop(web, timeout=20)
        redis.stop()
        with contextlib.suppress(RuntimeError):
            postgres.stop()  # unless already stopped
        postgres.remove()
