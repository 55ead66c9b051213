"""The chat side of the three schedules, called by reports/tasks.py after its email fan-out (so the
working-day decisions stay in one place), and by the ``send_chat`` command.

Each records one delivery per subscribed channel for the period (the week's Monday, or the day of
daily alerts) and enqueues one ``chatbots.send_delivery`` task per waiting row after commit — or, for
the command, posts them inline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

from reports.mail.deliveries import Outcome

from . import selectors
from .deliveries import RateLimited, deliveries_plan, delivery_send
from .models import ChatDelivery, Kind
from .platforms.base import SendError


def plan(kind: str, period: date) -> list[ChatDelivery]:
    """Record the kind's deliveries for ``period`` on every channel subscribed to it; the rows still waiting."""
    return deliveries_plan(kind=kind, period=period, channels=selectors.channels_receiving(kind))


def enqueue(rows: list[ChatDelivery]) -> int:
    from .tasks import send_delivery

    for row in rows:
        send_delivery.delay_on_commit(row.pk)
    return len(rows)


def update_reminders(monday: date) -> int:
    """The week's reminders to every subscribed channel; returns the sends enqueued."""
    return enqueue(plan(Kind.UPDATE_REMINDER, monday))


def milestone_alerts(day: date) -> int:
    return enqueue(plan(Kind.MILESTONE_ALERT, day))


def digest(monday: date) -> int:
    """The week's digest card (the week must be frozen already, as the email digest does first)."""
    return enqueue(plan(Kind.DIGEST, monday))


def deliver_inline(
    rows: list[ChatDelivery],
    *,
    wait_for_slot: float = 120,
    progress: Callable[[ChatDelivery, str], None] | None = None,
) -> Counter:
    """Post every waiting delivery now, one after another (command, benchmark); a failure is recorded on
    its row (re-sendable from the admin) and the run goes on. Returns the count of each outcome."""
    outcomes: Counter = Counter()
    for row in rows:
        try:
            outcome = delivery_send(delivery_id=row.pk, wait_for_slot=wait_for_slot)
        except (SendError, RateLimited):
            outcome = Outcome.FAILED
            ChatDelivery.objects.filter(pk=row.pk, status=ChatDelivery.Status.PENDING).update(
                status=ChatDelivery.Status.FAILED
            )
        outcomes[outcome] += 1
        if progress:
            progress(row, outcome)
    return outcomes
