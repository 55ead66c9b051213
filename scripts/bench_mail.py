#!/usr/bin/env python
"""Benchmark the mailings (not a test): the digest to 1,000 recipients, reminders to 2,000 owners.

The digest is the demo department's week 53 (load_demo), frozen before the benchmark's extra
users and projects are added, so every digest carries the real report's content. Everything runs
in a throwaway SQLite database (--dir, default /tmp/okr-bench-mail) and through a
local SMTP server (aiosmtpd) on a free port, using the same services as the commands: plan the
deliveries, then send each one (claim, render in the recipient's language, SMTP, mark sent).
Prints the time and messages per second of each mailing.

    .venv/bin/python scripts/bench_mail.py [--digest 1000] [--owners 2000] [--dir /tmp/okr-bench-mail]
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class CountingHandler:
    def __init__(self) -> None:
        self.count = 0
        self.bytes = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        self.bytes += len(envelope.content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digest", type=int, default=1000, help="digest recipients")
    parser.add_argument("--owners", type=int, default=2000, help="owners to remind")
    parser.add_argument("--dir", default="/tmp/okr-bench-mail")
    args = parser.parse_args()

    Path(args.dir).mkdir(parents=True, exist_ok=True)
    db_file = Path(args.dir) / "bench_mail.sqlite3"
    db_file.unlink(missing_ok=True)
    port = free_port()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "okrtracker.settings",
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{db_file}",
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "CELERY_BROKER_URL": "memory://",
            "LOG_LEVEL": "WARNING",
        }
    )
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from django.contrib.auth.models import Group, User
    from django.core.management import call_command

    from projects.models import Objective, Project
    from projects.weeks import Week
    from reports import notifications

    print(f"Database {db_file}: migrating and loading the demo department…", flush=True)
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    week = Week.parse("2023-W53")
    started = time.perf_counter()
    notifications.freeze_for_digest(week)
    print(f"Froze {week.code} in {time.perf_counter() - started:.2f} s.")

    print(f"Creating {args.digest} digest recipients and {args.owners} owners with one stale project each…")
    directors = Group.objects.get(name="Directors")
    users = User.objects.bulk_create(
        [User(username=f"director{n}", email=f"director{n}@example.com") for n in range(args.digest)]
        + [
            User(username=f"owner{n}", email=f"owner{n}@example.com", first_name=f"Owner {n}")
            for n in range(args.owners)
        ],
        batch_size=500,
    )
    users = list(User.objects.filter(username__startswith="director").exclude(username="director").order_by("pk"))
    directors.user_set.add(*users)
    owners = list(User.objects.filter(username__startswith="owner").order_by("pk"))
    objective = Objective.objects.get(cycle__name="2023", code="O1")
    Project.objects.bulk_create(
        [
            Project(objective=objective, name=f"Project {n}", owner=owner, percent=n % 100)
            for n, owner in enumerate(owners)
        ],
        batch_size=500,
    )

    handler = CountingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        for name, mailing in (
            ("digest", notifications.digest_mailing(week)),
            ("update reminders", notifications.update_reminders_mailing(week)),
        ):
            before = handler.count
            started = time.perf_counter()
            notifications.plan(mailing)
            planned = time.perf_counter() - started
            total = len(mailing.waiting)

            def progress(delivery, outcome, total=total, mailing=mailing, name=name):
                done = sum(mailing.outcomes.values())
                if done % 250 == 0 or done == total:
                    print(f"  {name}: {done}/{total}", flush=True)

            notifications.deliver_inline(mailing, progress=progress)
            elapsed = time.perf_counter() - started
            received = handler.count - before
            print(
                f"{name}: {received} messages received in {elapsed:.2f} s "
                f"(planning {planned:.2f} s) = {received / elapsed:.0f} messages/s; "
                f"outcomes {', '.join(f'{k} {v}' for k, v in mailing.outcomes.items())}"
            )
        print(f"SMTP server received {handler.count} messages, {handler.bytes / 1e6:.1f} MB in all.")
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
