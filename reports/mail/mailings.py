"""The three mailings as use cases, shared by the scheduled tasks and the management commands.

Each mailing is: decide whether today is its day (scheduled runs only), choose the targets
(reports.recipients), record one delivery per target (reports.deliveries), then send each
delivery — through Celery (one ``reports.send_deliveries`` task per batch of rows, enqueued after
commit) or inline (the commands). Sending is the same ``deliver_batch`` either way.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import get_connection
from django.utils import timezone

from projects.weeks import Week

from .. import workdays
from ..freeze import rollup_freeze_once
from ..models import Delivery
from . import recipients
from .deliveries import BatchResult, Outcome, Target, deliveries_plan, deliveries_send
from .messages import build_messages

logger = logging.getLogger(__name__)


@dataclass
class Mailing:
    """One run of a mailing: what it targets, which rows still wait, and what became of them."""

    kind: str
    period: date  # the week's Monday, or the day of a daily mailing
    targets: list[Target] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)  # email -> what the message is about
    waiting: list[Delivery] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """What people call the period: a week code (in the configured numbering) or a day."""
        return Delivery(kind=self.kind, period=self.period).period_label

    @property
    def already_done(self) -> int:
        return len(self.targets) - len(self.waiting)


def update_reminders_mailing(week: Week) -> Mailing:
    mailing = Mailing(kind=Delivery.Kind.UPDATE_REMINDER, period=week.monday)
    for reminder in recipients.owners_missing_updates(week):
        mailing.targets.append(Target(reminder.user.email, reminder.user))
        mailing.details[reminder.user.email] = ", ".join(project.name for project in reminder.projects)
    return mailing


def milestone_alerts_mailing(day: date) -> Mailing:
    mailing = Mailing(kind=Delivery.Kind.MILESTONE_ALERT, period=day)
    for alert in recipients.owners_with_milestone_alerts(day):
        mailing.targets.append(Target(alert.user.email, alert.user))
        mailing.details[alert.user.email] = ", ".join(
            [f"{m.title} (overdue {m.due_date})" for m in alert.overdue]
            + [f"{m.title} (due {m.due_date})" for m in alert.due_soon]
        )
    return mailing


def digest_mailing(week: Week, *, to: str | None = None) -> Mailing:
    """The digest's targets: directors and subscribers; or only ``to``, as a test that freezes nothing."""
    kind = Delivery.Kind.DIGEST_TEST if to else Delivery.Kind.DIGEST
    mailing = Mailing(kind=kind, period=week.monday)
    if to:
        user = next((u for u in recipients.digest_recipients() if u.email.lower() == to.lower()), None)
        mailing.targets.append(Target(to, user))
    else:
        mailing.targets.extend(Target(user.email, user) for user in recipients.digest_recipients())
    return mailing


def plan(mailing: Mailing) -> Mailing:
    """Record the mailing's deliveries; afterwards ``mailing.waiting`` holds the rows to send."""
    mailing.waiting = deliveries_plan(kind=mailing.kind, period=mailing.period, targets=mailing.targets)
    return mailing


def deliver_batch(delivery_ids: list[int], *, final: bool = True, connection=None) -> BatchResult:
    """Send a batch of recorded deliveries over one SMTP connection (the body of ``reports.send_deliveries``)."""
    with nullcontext(connection) if connection is not None else get_connection() as open_connection:
        return deliveries_send(delivery_ids=delivery_ids, build=build_messages, final=final, connection=open_connection)


def deliver_one(delivery_id: int, *, final: bool = True, connection=None) -> Outcome:
    """Send one recorded delivery; raises the SMTP or connection error that stopped it."""
    result = deliver_batch([delivery_id], final=final, connection=connection)
    if result.error is not None:
        raise result.error
    return result.outcomes[delivery_id]


def batches(deliveries: list[Delivery]) -> list[list[int]]:
    size = settings.MAIL_BATCH_SIZE
    ids = [d.pk for d in deliveries]
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def deliver_inline(mailing: Mailing, *, progress: Callable[[Delivery, Outcome], None] | None = None) -> Mailing:
    """Send every waiting delivery now, a batch at a time over one SMTP connection (commands, benchmark).

    A failure is recorded on its row (failed, re-sendable from the admin) and in ``mailing.errors``;
    the run goes on with the next recipients.
    """
    by_id = {d.pk: d for d in mailing.waiting}
    with get_connection() as connection:
        for batch in batches(mailing.waiting):
            while batch:
                result = deliver_batch(batch, connection=connection)
                for pk, outcome in result.outcomes.items():
                    mailing.outcomes[outcome] += 1
                    if outcome == Outcome.FAILED:
                        mailing.errors[by_id[pk].email] = str(result.error)
                    if progress:
                        progress(by_id[pk], outcome)
                if result.error is not None:
                    connection.close()  # a broken connection is reopened by the next send
                batch = result.untried
    return mailing


def deliver_async(mailing: Mailing) -> Mailing:
    """Enqueue one send task per batch of waiting deliveries, after the current transaction commits."""
    from ..tasks import send_deliveries

    for batch in batches(mailing.waiting):
        send_deliveries.delay_on_commit(batch)
    return mailing


def is_reminder_day(today: date, weekday: int = workdays.THURSDAY) -> bool:
    return workdays.reminder_day(Week.of(today), weekday) == today


def is_digest_day(today: date, weekday: int = workdays.FRIDAY) -> bool:
    return workdays.digest_day(Week.of(today), weekday) == today


def freeze_for_digest(week: Week):
    """The snapshot the digest is built from, freezing the week first if nobody has."""
    snapshot, created = rollup_freeze_once(week=week)
    if created:
        logger.info("Froze the rollup of %s at %s.", week.code, snapshot.compiled_at)
    return snapshot, created


def today() -> date:
    return timezone.localdate()
