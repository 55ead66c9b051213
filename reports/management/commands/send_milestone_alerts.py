from datetime import date

from django.core.management.base import CommandError

from reports.mail import mailings
from reports.management.mailing import MailingCommand


class Command(MailingCommand):
    help = "Email each owner their milestones that are overdue or due within three working days."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="The day to alert for, YYYY-MM-DD (default: today).")
        self.add_dry_run(parser)

    def handle(self, *args, date=None, dry_run=False, **options):
        day = self.parse_date(date) if date else mailings.today()
        self.run(mailings.milestone_alerts_mailing(day), dry_run=dry_run)

    @staticmethod
    def parse_date(value: str):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"“{value}” is not a date; write it like 2023-12-26.") from exc
