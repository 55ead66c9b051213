"""``manage.py generate_data --projects N --weeks W``: a large synthetic department for benchmarks."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from projects.weeks import Week
from reports.synthetic import SyntheticSize, generate


class Command(BaseCommand):
    help = (
        "Create a synthetic department: N projects with milestones and weekly updates over W weeks, "
        "incidents and key-result readings. For benchmarks; do not run it on a real database."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--projects", type=int, default=300)
        parser.add_argument("--weeks", type=int, default=52)
        parser.add_argument("--milestones", type=int, default=10, help="Milestones per project (default 10).")
        parser.add_argument("--end-week", default="", help="Last week, like 2023-W53 (default: this week).")
        parser.add_argument("--seed", type=int, default=2023)

    def handle(self, *args, **options) -> None:
        try:
            end = Week.parse(options["end_week"]) if options["end_week"] else None
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        size = SyntheticSize(
            projects=options["projects"],
            weeks=options["weeks"],
            milestones_per_project=options["milestones"],
            end_week=end,
            seed=options["seed"],
        )
        started = time.monotonic()
        self.stdout.write(f"Generating {size.projects} projects over {size.weeks} weeks…")
        try:
            counts = generate(size, say=lambda line: self.stdout.write(f"  {line}"))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s: {summary}."))
