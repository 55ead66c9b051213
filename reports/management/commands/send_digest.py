from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.utils import timezone

from reports.freeze import snapshot_of
from reports.mail import mailings
from reports.management.mailing import MailingCommand, parse_week


class Command(MailingCommand):
    help = "Freeze the week's rollup if it is not frozen, and email the digest to directors and subscribers."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="Week such as 2023-W53 (default: this week).")
        parser.add_argument(
            "--to",
            help="Send a test digest only to this address: the week as the page shows it; nothing is frozen.",
        )
        self.add_dry_run(parser)

    def handle(self, *args, week=None, to=None, dry_run=False, **options):
        the_week = parse_week(week)
        if to:
            try:
                validate_email(to)
            except ValidationError as exc:
                raise CommandError(f"“{to}” is not an email address.") from exc
        snapshot = snapshot_of(the_week)
        if to:
            state = "frozen" if snapshot else "live, not frozen"
            self.stdout.write(f"Test digest of {the_week.code} ({state}) to {to}.")
        elif dry_run:
            if snapshot is None:
                self.stdout.write(f"{the_week.code} is not frozen; it would be frozen first.")
        else:
            snapshot, created = mailings.freeze_for_digest(the_week)
            when = f"{timezone.localtime(snapshot.compiled_at):%Y-%m-%d %H:%M:%S %Z}"
            self.stdout.write(f"{'Froze' if created else 'Using the snapshot of'} {the_week.code} compiled {when}.")
        self.run(mailings.digest_mailing(the_week, to=to), dry_run=dry_run)
