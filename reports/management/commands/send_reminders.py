from reports.mail import mailings
from reports.management.mailing import MailingCommand, parse_week


class Command(MailingCommand):
    help = "Email each owner the active projects that have no update for the week (default: this week)."

    def add_arguments(self, parser):
        parser.add_argument("--week", help="Week such as 2023-W53 (default: this week).")
        self.add_dry_run(parser)

    def handle(self, *args, week=None, dry_run=False, **options):
        self.run(mailings.update_reminders_mailing(parse_week(week)), dry_run=dry_run)
