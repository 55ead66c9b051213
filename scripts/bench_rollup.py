#!/usr/bin/env python
"""Benchmark the directors' rollup page (not a test): the live page of a week, before and after a
change, and the frozen page against the live one, interleaved in one run.

Each tree measured (this checkout, and with ``--before REF`` that commit, checked out in a temporary
git worktree) gets its own throwaway PostgreSQL database (BENCH_DATABASE_URL with {name}, default
postgres://postgres@127.0.0.1:5432/okr_bench_rollup_{name}, dropped and made again), migrated and
filled by its own ``generate_data`` (300 projects × 10 milestones × 52 weeks by default, the same
seed, so the same department) and analysed as autovacuum would; then its own gunicorn (production
settings: DEBUG off, Redis as the shared cache) on a free port of 127.0.0.1. A director's session
asks, round after round and alternating which tree goes first:

- ``/rollup/2023-W53/?live=1``: the week built and rendered now (the live page);
- ``/rollup/2023-W27/?live=1``: half a year back, every project rebuilt from history;
- ``/rollup/2023-W53/``: the frozen page (the week is frozen first), as served to a reader again.

Prints each tree's median time per page, the ratio after ÷ before of the live page, and frozen ÷
live. Everything stays on 127.0.0.1; the servers and the worktree are removed at the end.

    .venv/bin/python scripts/bench_rollup.py [--before REF] [--requests 15] [--rounds 3] [--weeks 52]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "live": "/rollup/2023-W53/?live=1",
    "history": "/rollup/2023-W27/?live=1",
    "frozen": "/rollup/2023-W53/",
}
SEED = """
import django; django.setup()
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection
from django.test import Client
call_command("migrate", verbosity=0)
call_command("generate_data", projects={projects}, weeks={weeks}, end_week="2023-W53", verbosity=0)
call_command("freeze_rollup", week="2023-W53", verbosity=0)
connection.cursor().execute("ANALYZE")
director = User.objects.create_user("bench-director", first_name="Bench", last_name="Director")
director.groups.add(Group.objects.get(name="Directors"))
client = Client()
client.force_login(director)
print(client.cookies[settings.SESSION_COOKIE_NAME].value)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(url: str) -> None:
    parts = urllib.parse.urlparse(url)
    name, host, user = parts.path.lstrip("/"), parts.hostname or "127.0.0.1", parts.username or "postgres"
    for command in (["dropdb", "--if-exists"], ["createdb"]):
        subprocess.run([*command, "-h", host, "-p", str(parts.port or 5432), "-U", user, name], check=True)


class Tree:
    """One checkout of the product: its database, its data and its gunicorn."""

    def __init__(self, name: str, path: Path, cache_db: int, args) -> None:
        self.name, self.path = name, path
        template = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/okr_bench_rollup_{name}")
        self.database = template.format(name=name)
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "DATABASE_URL": self.database,
            "CACHE_URL": f"redis://127.0.0.1:6379/{cache_db}",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(path),
        }
        for name_ in ("REDIS_URL", "CELERY_BROKER_URL"):
            self.env.pop(name_, None)
        self.args, self.server, self.port, self.cookie = args, None, 0, ""

    def prepare(self) -> None:
        fresh_database(self.database)
        print(
            f"[{self.name}] migrating and generating {self.args.projects} projects × {self.args.weeks} weeks…",
            flush=True,
        )
        started = time.monotonic()
        code = SEED.format(projects=self.args.projects, weeks=self.args.weeks)
        out = subprocess.run([sys.executable, "-c", code], cwd=self.path, env=self.env, capture_output=True, text=True)
        if out.returncode:
            raise SystemExit(f"[{self.name}] could not prepare its data:\n{out.stderr[-3000:]}")
        self.cookie = out.stdout.strip().splitlines()[-1]
        redis = subprocess.run(
            ["redis-cli", "-n", self.env["CACHE_URL"].rsplit("/", 1)[1], "flushdb"], capture_output=True
        )
        if redis.returncode:
            raise SystemExit("Redis is not reachable on 127.0.0.1:6379")
        print(f"[{self.name}] ready in {time.monotonic() - started:.0f} s", flush=True)

    def serve(self) -> None:
        self.port = free_port()
        gunicorn = str(Path(sys.executable).parent / "gunicorn")
        self.server = subprocess.Popen(
            [gunicorn, "okrtracker.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "2", "--log-level", "warning"],
            cwd=self.path,
            env=self.env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get(PAGES["live"])
                return
            except OSError:
                time.sleep(0.3)
        raise SystemExit(f"[{self.name}] gunicorn did not answer within 30 s")

    def get(self, path: str) -> float:
        """Milliseconds for one page, read to the end."""
        started = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        connection.request("GET", path, headers={"Cookie": f"sessionid={self.cookie}", "Accept-Language": "zh-hans"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if response.status != 200 or len(body) < 10000:
            raise SystemExit(f"[{self.name}] {path} answered {response.status} ({len(body)} bytes)")
        return (time.perf_counter() - started) * 1000

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=20)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="a commit to compare with (checked out in a temporary worktree)")
    parser.add_argument("--requests", type=int, default=15, help="requests per page per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--weeks", type=int, default=52)
    args = parser.parse_args()

    worktree = None
    trees = [Tree("after", ROOT, 15, args)]
    if args.before:
        worktree = Path(tempfile.mkdtemp(prefix="okr-bench-before-"))
        subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.before], cwd=ROOT, check=True)
        trees.insert(0, Tree("before", worktree, 13, args))
    timings: dict[tuple[str, str], list[float]] = {}
    try:
        for tree in trees:
            tree.prepare()
            tree.serve()
        for tree in trees:  # warm: the first pages compile templates, fill caches, freeze the page cache
            for path in PAGES.values():
                tree.get(path)
        for round_number in range(1, args.rounds + 1):
            order = trees if round_number % 2 else trees[::-1]
            for tree in order:
                for page, path in PAGES.items():
                    timings.setdefault((tree.name, page), []).extend(tree.get(path) for _ in range(args.requests))
                line = ", ".join(f"{page} {statistics.median(timings[tree.name, page]):.0f} ms" for page in PAGES)
                print(f"  round {round_number} {tree.name:<6}: {line}", flush=True)
    finally:
        for tree in trees:
            tree.stop()
        if worktree is not None:
            subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=False)
            shutil.rmtree(worktree, ignore_errors=True)

    median = {key: statistics.median(values) for key, values in timings.items()}
    for tree in trees:
        print(
            f"{tree.name}: live {median[tree.name, 'live']:.0f} ms, "
            f"rebuilt from history {median[tree.name, 'history']:.0f} ms, "
            f"frozen {median[tree.name, 'frozen']:.1f} ms (p50 of {args.rounds * args.requests} requests each); "
            f"frozen ÷ live {median[tree.name, 'frozen'] / median[tree.name, 'live']:.2f}"
        )
    if args.before:
        for page in ("live", "history"):
            print(f"{page} page after ÷ before: {median['after', page] / median['before', page]:.2f}")


if __name__ == "__main__":
    main()
