#!/usr/bin/env python
"""Benchmark the mailings against raw smtplib (not a test): the digest to 1,000 recipients and update
reminders to 2,000 owners, each beside a bare baseline, interleaved in one run.

The baseline sends the same message (one recipient's, encoded once) with plain ``smtplib`` over
one connection; the product plans the deliveries and sends them as the commands do (claim a batch,
build each message in the recipient's language, SMTP, mark sent). Both talk to the same local SMTP
server (aiosmtpd, in a process of its own, on a free port of 127.0.0.1). The database is PostgreSQL
with production settings: a throwaway database created from BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/okr_bench_mail), dropped and made again on each run. The digest
is the demo department's week 53; each reminder owner has one stale project. Each round runs both,
alternating which goes first; it prints messages per second and the ratio product ÷ baseline of
each round, then the medians.

    .venv/bin/python scripts/bench_mail.py [--digest 1000] [--owners 2000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = """
import asyncio, sys
from aiosmtpd.controller import Controller
class Count:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
controller = Controller(Count(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(url: str) -> None:
    parts = urlparse(url)
    name, host, user = parts.path.lstrip("/"), parts.hostname or "127.0.0.1", parts.username or "postgres"
    port = str(parts.port or 5432)
    for command in (["dropdb", "--if-exists"], ["createdb"]):
        subprocess.run([*command, "-h", host, "-p", port, "-U", user, name], check=True)


def raw_send(message_bytes: bytes, sender: str, recipients: list[str], port: int) -> float:
    """The bare baseline: one connection, the same bytes to each recipient; seconds taken."""
    import smtplib

    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for to in recipients:
            smtp.sendmail(sender, [to], message_bytes)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digest", type=int, default=1000, help="digest recipients")
    parser.add_argument("--owners", type=int, default=2000, help="owners to remind")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (baseline and product each)")
    args = parser.parse_args()

    database = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/okr_bench_mail")
    fresh_database(database)
    port = free_port()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings",
            "DEBUG": "false",
            "SECRET_KEY": "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database,
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "CELERY_BROKER_URL": "memory://",
            "ALLOW_LOCAL_CACHE": "true",  # one process; the mail path does not use the cache
            "LOG_LEVEL": "WARNING",
        }
    )
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout.readline().strip() == "ready"
    try:
        run(args, port)
    finally:
        server.stdin.close()
        server.wait(timeout=10)


def run(args, port: int) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from projects.models import Objective, Project
    from projects.weeks import Week
    from reports.mail import mailings
    from reports.models import Delivery

    print("Migrating and loading the demo department…", flush=True)
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    week = Week.parse("2023-W53")
    mailings.freeze_for_digest(week)
    print(f"Creating {args.digest} digest recipients and {args.owners} owners with a stale project each…", flush=True)
    User.objects.bulk_create(
        [User(username=f"director{n}", email=f"director{n}@example.com") for n in range(args.digest)]
        + [
            User(username=f"owner{n}", email=f"owner{n}@example.com", first_name=f"Owner{n}")
            for n in range(args.owners)
        ],
        batch_size=1000,
    )
    Group.objects.get(name="Directors").user_set.add(*User.objects.filter(username__startswith="director"))
    objective = Objective.objects.get(cycle__name="2024", code="O1")
    owners = list(User.objects.filter(username__startswith="owner").order_by("pk"))
    Project.objects.bulk_create(
        [Project(objective=objective, name=f"Project {n}", owner=o, percent=n % 100) for n, o in enumerate(owners)],
        batch_size=1000,
    )

    def product(mailing_for) -> tuple[float, int]:
        Delivery.objects.all().delete()
        mailing = mailing_for()
        started = time.perf_counter()
        mailings.plan(mailing)
        mailings.deliver_inline(mailing)
        return time.perf_counter() - started, mailing.outcomes.get("sent", 0)

    def sample_bytes(mailing_for) -> tuple[bytes, list[str]]:
        from reports.mail.messages import build_messages

        Delivery.objects.all().delete()
        mailing = mailings.plan(mailing_for())
        first = mailing.waiting[0]
        message = build_messages([first])[first.pk]
        Delivery.objects.all().delete()
        return message.message().as_bytes(linesep="\r\n"), [d.email for d in mailing.waiting]  # as Django sends

    kinds = [
        ("digest", lambda: mailings.digest_mailing(week)),
        ("update reminders", lambda: mailings.update_reminders_mailing(Week.parse("2024-W01"))),
    ]
    for name, mailing_for in kinds:
        message_bytes, recipients = sample_bytes(mailing_for)
        ratios, raw_rates, product_rates = [], [], []
        for round_number in range(1, args.rounds + 1):
            # Each round runs both, the first one alternating, so a drift of the machine hits both alike.
            order = ("raw", "product") if round_number % 2 else ("product", "raw")
            for which in order:
                if which == "raw":
                    seconds = raw_send(message_bytes, settings.DEFAULT_FROM_EMAIL, recipients, port)
                    raw_rates.append(len(recipients) / seconds)
                else:
                    seconds, sent = product(mailing_for)
                    assert sent == len(recipients), f"{name}: sent {sent} of {len(recipients)}"
                    product_rates.append(sent / seconds)
            ratios.append(product_rates[-1] / raw_rates[-1])
            print(
                f"  {name} round {round_number}: raw smtplib {raw_rates[-1]:.0f} msg/s, "
                f"product {product_rates[-1]:.0f} msg/s, ratio {ratios[-1]:.2f}",
                flush=True,
            )
        print(
            f"{name}: {len(recipients)} messages of {len(message_bytes) / 1024:.0f} KB — raw smtplib "
            f"{statistics.median(raw_rates):.0f} msg/s, product {statistics.median(product_rates):.0f} msg/s "
            f"(medians of {args.rounds} rounds), ratio {statistics.median(ratios):.2f} (median of the rounds' ratios)",
            flush=True,
        )


if __name__ == "__main__":
    main()
