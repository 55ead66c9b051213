"""Post one kind of chat message to every subscribed channel now, with progress (the schedules do it
through Celery; this is the same work by hand). Already-sent messages are not posted again."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from chatbots import fanout, messages
from chatbots.models import ChatDelivery, Kind
from chatbots.selectors import channels_receiving
from reports.mail import mailings
from reports.management.mailing import parse_week

KINDS = {"reminders": Kind.UPDATE_REMINDER, "alerts": Kind.MILESTONE_ALERT, "digest": Kind.DIGEST}


class Command(BaseCommand):
    help = "Post update reminders, milestone alerts or the digest to the chat channels subscribed to them."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("--week", help="Week such as 2023-W53 for reminders and the digest (default: this week).")
        parser.add_argument("--date", help="Day such as 2023-12-28 for milestone alerts (default: today).")
        parser.add_argument("--dry-run", action="store_true", help="Show what each channel would get; post nothing.")

    def handle(self, *args, kind, week=None, date=None, dry_run=False, **options):
        chat_kind = KINDS[kind]
        if chat_kind == Kind.MILESTONE_ALERT:
            period = self._day(date)
        else:
            the_week = parse_week(week)
            period = the_week.monday
            if chat_kind == Kind.DIGEST and not dry_run:
                mailings.freeze_for_digest(the_week)
        if dry_run:
            for channel in channels_receiving(chat_kind):
                message = messages.build(ChatDelivery(kind=chat_kind, period=period, channel=channel))
                lines = "\n  ".join(line.text for line in message.lines) if message else "(nothing to say)"
                self.stdout.write(f"{channel} would get: {message.title if message else ''}\n  {lines}")
            return
        rows = fanout.plan(chat_kind, period)
        total = len(rows)
        self.stdout.write(f"{chat_kind} {period}: {total} channel(s) waiting.")
        done = 0

        def progress(row: ChatDelivery, outcome: str) -> None:
            nonlocal done
            done += 1
            self.stdout.write(f"[{done}/{total}] {outcome} {row.channel}")

        outcomes = fanout.deliver_inline(rows, progress=progress)
        summary = ", ".join(f"{outcome} {count}" for outcome, count in sorted(outcomes.items())) or "nothing"
        self.stdout.write(f"{chat_kind} {period}: {summary}.")
        if outcomes.get("failed"):
            raise CommandError(f"{outcomes['failed']} failed; see Chat deliveries in the admin to re-send them.")

    @staticmethod
    def _day(value: str | None) -> date:
        if not value:
            return mailings.today()
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise CommandError(f"“{value}” is not a day; write it like 2023-12-28.") from exc
