"""What the mailing commands share: reading a week, and sending or listing a mailing with progress."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from projects.weeks import Week, WeekError
from reports.mail import mailings
from reports.mail.deliveries import Outcome


def parse_week(label: str | None) -> Week:
    if not label:
        return Week.of(mailings.today())
    try:
        return Week.parse(label)
    except WeekError as exc:
        raise CommandError(str(exc)) from exc


class MailingCommand(BaseCommand):
    """A command that sends one mailing through reports.mail.mailings and says what it did."""

    def add_dry_run(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List who would get what; send and record nothing.")

    def run(self, mailing: mailings.Mailing, *, dry_run: bool) -> None:
        label = f"{mailing.kind} {mailing.label}"
        if dry_run:
            for target in mailing.targets:
                self.stdout.write(f"would send {label} to {target.email}: {mailing.details.get(target.email, '')}")
            self.stdout.write(f"{label}: would send {len(mailing.targets)} (dry run; nothing recorded).")
            return
        mailings.plan(mailing)
        total = len(mailing.waiting)
        self.stdout.write(f"{label}: {len(mailing.targets)} recipients, {mailing.already_done} already done.")

        def progress(delivery, outcome: Outcome) -> None:
            done = sum(mailing.outcomes.values())
            detail = mailing.details.get(delivery.email, "")
            self.stdout.write(f"[{done}/{total}] {outcome} {delivery.email}" + (f": {detail}" if detail else ""))

        mailings.deliver_inline(mailing, progress=progress)
        summary = ", ".join(f"{outcome} {count}" for outcome, count in sorted(mailing.outcomes.items())) or "nothing"
        self.stdout.write(f"{label}: {summary}.")
        if mailing.errors:
            for email, error in mailing.errors.items():
                self.stderr.write(f"failed {email}: {error}")
            raise CommandError(
                f"{len(mailing.errors)} failed; they are marked failed in the admin (Deliveries) to re-send."
            )
