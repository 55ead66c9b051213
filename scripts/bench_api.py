#!/usr/bin/env python
"""Benchmark the projects list: 300 projects, gunicorn, a load tool at a few concurrencies.

Not a test: it prints requests per second and median latency per concurrency. It seeds a
throwaway SQLite database (each project with two weekly updates and three milestones), starts
gunicorn on a free local port, and loads ``/api/v1/projects/`` with an owner's token using
``wrk`` when installed (``apt-get install wrk``), else a small asyncio keep-alive client.
Everything stays on 127.0.0.1 and stops by itself.

    .venv/bin/python scripts/bench_api.py [--projects 300] [--seconds 5] [--concurrency 1,8,32]
                                          [--workers 2] [--path /api/v1/projects/] [--tool auto]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(workdir: Path) -> dict[str, str]:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "API_THROTTLE_USER": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "okrtracker.settings",
    }
    os.environ.update(env)
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    return dict(os.environ)


def seed(n_projects: int) -> str:
    """Users, one cycle with three objectives, n projects with updates and milestones; the owner's token."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    from projects.models import Cycle, Milestone, Objective, ProgressUpdate, Project, Team

    call_command("migrate", verbosity=0)
    owners = []
    for i in range(10):
        user = User.objects.create_user(f"owner{i}", password="bench-only", is_staff=True)
        user.groups.add(Group.objects.get(name="Project owners"))
        owners.append(user)
    cycle = Cycle.objects.create(name="2023", start=date(2023, 1, 1), end=date(2023, 12, 31))
    objectives = [
        Objective.objects.create(cycle=cycle, code=f"O{i}", title=f"Objective {i}", order=i) for i in (1, 2, 3)
    ]
    teams = [Team.objects.create(name=f"Team {i}") for i in range(6)]
    projects = Project.objects.bulk_create(
        Project(
            objective=objectives[i % 3],
            name=f"Project {i:03d}",
            owner=owners[i % 10],
            team=teams[i % 6],
            start_date=date(2023, 6, 1),
            percent=i % 100,
        )
        for i in range(n_projects)
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            project=p,
            week_start=monday,
            author=p.owner,
            percent=p.percent,
            summary="Progress as planned.",
            next_steps="More.",
        )
        for p in projects
        for monday in (date(2023, 12, 18), date(2023, 12, 25))
    )
    Milestone.objects.bulk_create(
        Milestone(project=p, title=f"Step {k}", order=k, due_date=date(2024, 1, 5) + timedelta(weeks=k))
        for p in projects
        for k in range(3)
    )
    print(f"Seeded {n_projects} projects, {2 * n_projects} updates, {3 * n_projects} milestones.", flush=True)
    return Token.objects.create(user=owners[0]).key


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, token: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout} s")


def parse_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, token: str, concurrency: int, seconds: int) -> tuple[float, float]:
    threads = str(min(concurrency, 2))
    out = subprocess.run(
        [
            "wrk",
            "-t",
            threads,
            "-c",
            str(concurrency),
            "-d",
            f"{seconds}s",
            "--latency",
            "-H",
            f"Authorization: Token {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if "Non-2xx" in out:
        raise SystemExit(f"the server answered errors:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    median = parse_ms(re.search(r"^\s*50%\s+(\S+)", out, re.MULTILINE).group(1))
    return rps, median


async def _client(host: str, port: int, request: bytes, stop: float, latencies: list[float]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.monotonic() < stop:
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"the server answered {head.splitlines()[0]!r}")
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            if re.search(rb"(?i)connection:\s*close", head):
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
    finally:
        writer.close()


def run_asyncio(url: str, token: str, concurrency: int, seconds: int) -> tuple[float, float]:
    match = re.match(r"http://([^:/]+):(\d+)(/.*)", url)
    host, port, path = match[1], int(match[2]), match[3]
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Token {token}\r\n\r\n".encode()
    latencies: list[float] = []

    async def main() -> None:
        stop = time.monotonic() + seconds
        await asyncio.gather(*(_client(host, port, request, stop, latencies) for _ in range(concurrency)))

    started = time.monotonic()
    asyncio.run(main())
    return len(latencies) / (time.monotonic() - started), statistics.median(latencies)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--path", default="/api/v1/projects/")
    parser.add_argument("--tool", choices=["auto", "wrk", "asyncio"], default="auto")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = configure(Path(tmp))
        token = seed(args.projects)
        port = free_port()
        log = str(Path(tmp) / "gunicorn.log")
        gunicorn = [str(Path(sys.executable).parent / "gunicorn"), "okrtracker.wsgi:application"]
        options = ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
        options += ["--access-logfile", "/dev/null", "--error-logfile", log]
        server = subprocess.Popen([*gunicorn, *options], cwd=ROOT, env=env)
        try:
            url = f"http://127.0.0.1:{port}{args.path}"
            wait_until_up(url, token)
            use_wrk = args.tool == "wrk" or (args.tool == "auto" and shutil.which("wrk"))
            tool, run = ("wrk", run_wrk) if use_wrk else ("asyncio client", run_asyncio)
            print(f"GET {args.path} with {args.workers} gunicorn workers, {args.seconds} s per level, load by {tool}")
            print(f"{'concurrency':>11}  {'requests/s':>10}  {'median ms':>9}")
            for concurrency in (int(c) for c in args.concurrency.split(",")):
                rps, median = run(url, token, concurrency, args.seconds)
                print(f"{concurrency:>11}  {rps:>10.1f}  {median:>9.1f}", flush=True)
        finally:
            server.terminate()
            server.wait(timeout=20)


if __name__ == "__main__":
    main()
