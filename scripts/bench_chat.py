#!/usr/bin/env python
"""Benchmark the chat bots (not a test): 300 channels × 3 kinds through the local platform server, then
one bot pushed past its rate limit.

The demo department's week 53 (load_demo) is frozen for the digest; the benchmark adds one team per
channel, each with an owner whose project has no update and an overdue milestone, and a channel per
team (WeCom, DingTalk and Feishu in turn, DingTalk and Feishu signed) subscribed to reminders,
milestone alerts and the digest. Everything runs in a throwaway SQLite database (--dir) and posts to
tests/chatbots/platform_server.py on 127.0.0.1 (signature, size and mention checks included), with the
services the command uses: plan the deliveries, then claim, build, sign, post and record each one.
Prints messages per second for each kind, and when each message of the burst reached the server.

    .venv/bin/python scripts/bench_chat.py [--channels 300] [--burst 25] [--window 60] [--dir /tmp/okr-bench-chat]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PLATFORMS = [("wecom", None), ("dingtalk", "SECbench"), ("feishu", "feishu-bench")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=300)
    parser.add_argument("--burst", type=int, default=25, help="messages pushed at one bot to show the rate limit")
    parser.add_argument("--window", type=float, default=60.0, help="the rate window in seconds (20 per window)")
    parser.add_argument("--dir", default="/tmp/okr-bench-chat")
    args = parser.parse_args()

    from tests.chatbots.platform_server import PlatformServer

    Path(args.dir).mkdir(parents=True, exist_ok=True)
    db_file = Path(args.dir) / "bench_chat.sqlite3"
    db_file.unlink(missing_ok=True)
    with PlatformServer() as server:
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "okrtracker.settings",
                "DEBUG": "true",
                "DATABASE_URL": f"sqlite:///{db_file}",
                "CELERY_BROKER_URL": "memory://",
                "CHAT_WEBHOOK_ALLOWED_ORIGINS": server.origin,
                "CHAT_RATE_WINDOW_SECONDS": str(args.window),
                "SITE_URL": "https://okr.example.com",
                "LOG_LEVEL": "WARNING",
            }
        )
        import django

        django.setup()
        run(server, args, db_file)


def run(server, args, db_file: Path) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from chatbots import fanout
    from chatbots.models import Channel, ChatIdentity, Kind
    from chatbots.services import channel_save
    from projects.models import Milestone, Objective, Project, Team
    from projects.weeks import Week
    from reports.mail import mailings

    print(f"Database {db_file}: migrating and loading the demo department…", flush=True)
    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    week = Week.parse("2023-W53")
    mailings.freeze_for_digest(week)

    print(f"Creating {args.channels} teams, owners, projects, milestones and channels…", flush=True)
    teams = Team.objects.bulk_create([Team(name=f"Bench team {n}") for n in range(args.channels)])
    owners = User.objects.bulk_create(
        [
            User(username=f"bench{n}", email=f"bench{n}@example.com", first_name=f"Owner {n}")
            for n in range(args.channels)
        ]
    )
    owners = list(User.objects.filter(username__startswith="bench").order_by("pk"))
    teams = list(Team.objects.filter(name__startswith="Bench team").order_by("pk"))
    ChatIdentity.objects.bulk_create(
        [
            ChatIdentity(user=u, wecom_user_id=f"w{n}", dingtalk_user_id=f"d{n}", feishu_open_id=f"ou_{n}")
            for n, u in enumerate(owners)
        ]
    )
    objective = Objective.objects.get(cycle__name="2023", code="O1")
    projects = Project.objects.bulk_create(
        [
            Project(objective=objective, team=team, owner=owner, name=f"Bench project {n}")
            for n, (team, owner) in enumerate(zip(teams, owners, strict=True))
        ]
    )
    Milestone.objects.bulk_create(
        [Milestone(project=p, title="Bench milestone", due_date=date(2023, 12, 27)) for p in projects]
    )
    started = time.perf_counter()
    bots = []
    for n, team in enumerate(teams):
        platform, secret = PLATFORMS[n % 3]
        bot = server.bot(platform, secret=secret)
        channel_save(
            channel=Channel(name=f"bench {n}", platform=platform, team=team, receives_digest=True),
            webhook_url=server.url(bot),
            secret=secret,
        )
        bots.append(bot)
    print(f"  {len(bots)} channels saved (URL checked, secrets encrypted) in {time.perf_counter() - started:.2f} s")

    total_messages = 0
    for kind, period in (
        (Kind.UPDATE_REMINDER, week.monday),
        (Kind.MILESTONE_ALERT, date(2023, 12, 28)),
        (Kind.DIGEST, week.monday),
    ):
        before = sum(len(bot.received) for bot in bots)
        started = time.perf_counter()
        rows = fanout.plan(kind, period)
        planned = time.perf_counter() - started

        total = len(rows)
        done = [0]

        def progress(row, outcome, total=total, kind=kind, done=done):
            done[0] += 1
            if done[0] % 100 == 0 or done[0] == total:
                print(f"  {kind}: {done[0]}/{total}", flush=True)

        outcomes = fanout.deliver_inline(rows, progress=progress)
        elapsed = time.perf_counter() - started
        received = sum(len(bot.received) for bot in bots) - before
        total_messages += received
        print(
            f"{kind}: {received} messages accepted in {elapsed:.2f} s (planning {planned:.2f} s) = "
            f"{received / elapsed:.0f} messages/s; outcomes { ({str(k): v for k, v in outcomes.items()}) }",
            flush=True,
        )
    refused = sum(len(bot.refused) for bot in bots)
    print(f"All kinds: {total_messages} messages, {refused} refused by the platform server.")

    print(f"\nRate limit: {args.burst} milestone alerts (different days) to one WeCom bot, 20 per {args.window:.0f} s…")
    Channel.objects.update(receives_milestone_alerts=False)  # the burst goes to its own bot only
    team = Team.objects.create(name="Burst team")
    burst_owner = User.objects.create(username="burst", first_name="Burst")
    project = Project.objects.create(objective=objective, team=team, owner=burst_owner, name="Burst project")
    Milestone.objects.create(project=project, title="Burst milestone", due_date=date(2023, 12, 1))
    bot = server.bot("wecom", window=args.window)  # the platform counts 20 per window too
    channel_save(channel=Channel(name="burst", platform="wecom", team=team), webhook_url=server.url(bot))
    rows = []
    for n in range(args.burst):
        rows += fanout.plan(Kind.MILESTONE_ALERT, date(2024, 1, 1) + timedelta(days=n))
    started = time.monotonic()

    def burst_progress(row, outcome):
        print(f"  message {len(bot.received)}: {outcome} at +{time.monotonic() - started:.2f} s", flush=True)

    fanout.deliver_inline(rows, wait_for_slot=args.window * 2, progress=burst_progress)
    arrivals = [t - started for t in bot.received_at]
    print(
        f"burst: {len(bot.received)} accepted, {bot.rate_limited} refused as too fast by the server; "
        f"first 20 within {arrivals[min(19, len(arrivals) - 1)]:.2f} s; "
        + (f"message 21 at {arrivals[20]:.2f} s (waited for the window)" if len(arrivals) > 20 else "")
    )


if __name__ == "__main__":
    main()
