#!/usr/bin/env python
"""Benchmark the projects list against a bare Django view of the same rows (not a test).

On PostgreSQL with production settings (DEBUG off), ``generate_data`` makes 300 projects × 10
milestones × 52 weekly updates (then 156) in a throwaway database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/okr_bench_api, dropped and made again, then analysed as autovacuum
would); the shared cache is Redis (BENCH_CACHE_URL, default database 14), as in production. gunicorn serves
``scripts/bench_site`` (the product plus ``/bench/bare-projects/``, the same page of rows by
``values()`` + ``JsonResponse``) on a free local port; ``wrk`` (``apt-get install wrk``; else a small
asyncio client) loads the baseline and ``/api/v1/projects/`` with an owner's token in turn, at pages
of 50 and 200, both in every round with the first alternating. Prints requests per second, the median
of the rounds' ratios API ÷ baseline, and the API's median latency with 156 weeks of history ÷ with 52.
Everything stays on 127.0.0.1 and stops by itself.

    .venv/bin/python scripts/bench_api.py [--seconds 5] [--rounds 4] [--concurrency 4] [--workers 2]
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
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def configure(database: str) -> dict[str, str]:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database,
        # Production keeps rate limits and sign-in throttles in Redis (its own database number here).
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14"),
        "API_THROTTLE_USER": "100000000/minute",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "bench_site.settings",
        "PYTHONPATH": f"{ROOT / 'scripts'}:{ROOT}",
    }
    os.environ.update(env)
    for name in ("REDIS_URL", "CELERY_BROKER_URL"):
        os.environ.pop(name, None)
    return dict(os.environ)


def fresh_database(url: str) -> None:
    parts = urllib.parse.urlparse(url)
    name, host, user = parts.path.lstrip("/"), parts.hostname or "127.0.0.1", parts.username or "postgres"
    for command in (["dropdb", "--if-exists"], ["createdb"]):
        subprocess.run([*command, "-h", host, "-p", str(parts.port or 5432), "-U", user, name], check=True)


def seed(weeks: int, env: dict[str, str]) -> str:
    """Migrate, generate the department, and return an owner's token (in a child process)."""
    code = (
        "import django; django.setup();"
        "from django.core.management import call_command;"
        "call_command('migrate', verbosity=0);"
        f"call_command('generate_data', projects=300, weeks={weeks}, end_week='2023-W53', verbosity=0);"
        # What autovacuum does soon after a bulk load; without statistics the planner guesses.
        "from django.db import connection; connection.cursor().execute('ANALYZE');"
        "from django.contrib.auth.models import User; from rest_framework.authtoken.models import Token;"
        "owner = User.objects.filter(groups__name='Project owners').order_by('pk').first();"
        "print(Token.objects.get_or_create(user=owner)[0].key)"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip().splitlines()[-1]


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


def serve(env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "bench_site.wsgi", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--log-level", "warning"],
        cwd=ROOT / "scripts",
        env=env,
    )  # fmt: skip
    return server, port


def measure(weeks: int, args, database: str, run) -> dict[str, list[float]]:
    env = configure(database)
    fresh_database(database)
    print(f"Generating 300 projects × {weeks} weeks…", flush=True)
    token = seed(weeks, env)
    server, port = serve(env, args.workers)
    results: dict[str, list[float]] = {}
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(f"{base}/api/v1/projects/", token)
        for round_number in range(args.rounds):
            for size in (50, 200):
                # Both in every round, alternating which goes first, so a drift of the machine hits both.
                order = (("bare", "/bench/bare-projects/"), ("api", "/api/v1/projects/"))
                for name, path in order if round_number % 2 == 0 else order[::-1]:
                    rps, median = run(f"{base}{path}?page_size={size}", token, args.concurrency, args.seconds)
                    results.setdefault(f"{name}-{size}", []).append(rps)
                    results.setdefault(f"{name}-{size}-median", []).append(median)
                    print(f"  {weeks}w round {round_number + 1} {name:<4} page {size:>3}: {rps:7.1f} req/s, "
                          f"median {median:6.1f} ms", flush=True)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=20)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tool", choices=["auto", "wrk", "asyncio"], default="auto")
    args = parser.parse_args()
    database = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/okr_bench_api")
    use_wrk = args.tool == "wrk" or (args.tool == "auto" and shutil.which("wrk"))
    run = run_wrk if use_wrk else run_asyncio
    print(f"Load tool: {'wrk' if use_wrk else 'asyncio client'}, {args.concurrency} connections.", flush=True)
    short = measure(52, args, database, run)
    long = measure(156, args, database, run)
    for size in (50, 200):
        ratios = [api / bare for api, bare in zip(short[f"api-{size}"], short[f"bare-{size}"], strict=True)]
        print(f"page of {size}: bare {statistics.median(short[f'bare-{size}']):.0f} req/s, API "
              f"{statistics.median(short[f'api-{size}']):.0f} req/s, ratio {statistics.median(ratios):.2f} "
              f"(median of {len(ratios)} rounds: {', '.join(f'{r:.2f}' for r in ratios)})")  # fmt: skip
    for size in (50, 200):
        ratio = statistics.median(long[f"api-{size}-median"]) / statistics.median(short[f"api-{size}-median"])
        print(f"API page of {size}: median latency with 156 weeks ÷ 52 weeks = {ratio:.2f}")


if __name__ == "__main__":
    main()
