from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reports.freeze import AlreadyFrozen, rollup_freeze
from reports.management.mailing import parse_week


class Command(BaseCommand):
    help = "Store the week's rollup as its frozen snapshot (again only with --force)."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="Week such as 2023-W53 (default: this week).")
        parser.add_argument("--force", action="store_true", help="Replace an existing snapshot.")

    def handle(self, *args, week=None, force=False, **options):
        the_week = parse_week(week)
        self.stdout.write(f"Compiling the rollup of {the_week.code}…")
        try:
            snapshot = rollup_freeze(week=the_week, force=force)
        except AlreadyFrozen as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Froze {the_week.code} at {timezone.localtime(snapshot.compiled_at):%Y-%m-%d %H:%M:%S %Z}."
            )
        )
