#!/usr/bin/env python
"""Benchmark the directors' rollup page (not a test): median and p95 time and query count.

Three scenarios, each in its own fresh SQLite database under --dir (default /tmp/okr-bench):
the demo department (load_demo, week 2023-W53), 300 projects / 3,000 milestones / 52 weeks, and the
same with a history three times longer (156 weeks). The last two should take about the same time:
this week's page must not read all of history. Each scenario also times a week half a year back
(2023-W27), rebuilt from history as it stood that Friday: every project changed since.

    .venv/bin/python scripts/bench_rollup.py [--runs 30] [--dir /tmp/okr-bench]

Set BENCH_DATABASE_URL to a PostgreSQL URL template with {name} (e.g.
postgres://u@127.0.0.1/okr_bench_{name}) to run against PostgreSQL databases you own instead.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIOS = [
    ("demo", None),
    ("300p-52w", (300, 52)),
    ("300p-156w", (300, 156)),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dir", default="/tmp/okr-bench")
    parser.add_argument("--only", choices=[name for name, _size in SCENARIOS])
    args = parser.parse_args()
    Path(args.dir).mkdir(parents=True, exist_ok=True)
    results = []
    for name, size in SCENARIOS:
        if args.only and name != args.only:
            continue
        # Each scenario in a child process: Django binds its database once per process.
        env = dict(os.environ)
        template = os.environ.get("BENCH_DATABASE_URL")
        env["DATABASE_URL"] = (
            template.format(name=name.replace("-", "_")) if template else f"sqlite:///{args.dir}/{name}.sqlite3"
        )
        if not template:
            Path(f"{args.dir}/{name}.sqlite3").unlink(missing_ok=True)
        env.setdefault("SECRET_KEY", "benchmark-only-not-a-secret")
        env["DEBUG"] = "false"
        import subprocess

        out = subprocess.run(
            [sys.executable, __file__, "--child", name, str(args.runs), *(map(str, size or ()))],
            env=env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = out.stdout.strip().splitlines()[-1]
        print(line.replace(" | ", "\n"), flush=True)
        results.append(line)


def child(name: str, runs: int, size: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "okrtracker.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from tests import factories

    setup_test_environment()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECURE_SSL_REDIRECT = False  # production settings otherwise redirect the test client
    print(f"[{name}] migrating…", file=sys.stderr, flush=True)
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    if size:
        projects, weeks = map(int, size)
        call_command("generate_data", projects=projects, weeks=weeks, end_week="2023-W53", verbosity=0)
    else:
        call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"[{name}] data in {time.monotonic() - started:.1f} s", file=sys.stderr, flush=True)

    client = Client()
    client.force_login(factories.director(username="bench-director"))
    from projects.models import Milestone, ProgressUpdate, Project

    lines = []
    for week in ("2023-W53", "2023-W27"):
        url = f"/rollup/{week}/"
        warm = client.get(url)
        assert warm.status_code == 200, f"{url} answered {warm.status_code}"
        timings, queries = [], set()
        for _run in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                t0 = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
            queries.add(len(ctx.captured_queries))
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
        lines.append(
            f"{name:<10} {week} projects={Project.objects.count():>4} milestones={Milestone.objects.count():>5} "
            f"updates={ProgressUpdate.objects.count():>6}  median={statistics.median(timings):7.1f} ms  "
            f"p95={p95:7.1f} ms  queries={sorted(queries)}  bytes={len(response.content)}"
        )
    print(" | ".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]), sys.argv[4:])
    else:
        main()
