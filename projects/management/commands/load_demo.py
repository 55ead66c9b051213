"""``manage.py load_demo``: load the demo department (weeks 38..53 of 2023); safe to run again."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from projects import demo_data
from projects.demo_load import DemoDataError, DemoLoader


class Command(BaseCommand):
    help = (
        "Load demo users, OKRs, projects and weekly updates for weeks 38-53 of 2023. Running it again changes nothing."
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        loader = DemoLoader(say=lambda line: self.stdout.write(f"  {line}"))
        self.stdout.write("Loading the demo data (2023, weeks 38-53)…")
        try:
            loader.run()
        except DemoDataError as error:
            raise CommandError(str(error)) from error
        created = sum(n for key, n in loader.counts.items() if key.endswith("|created"))
        updated = sum(n for key, n in loader.counts.items() if key.endswith("|updated"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.1f} s: {created} rows created, {updated} updated."
            )
        )
        self.stdout.write("Demo logins (for the demo only; change them on any shared server):")
        for user in demo_data.USERS:
            role = "superuser" if user.superuser else user.group
            self.stdout.write(f"  {user.username:<10} {user.password:<20} {role}")
