"""Celery tasks: thin wrappers that take ids and strings, call reports.mail.mailings, and retry.

Scheduled runs pass ``scheduled=True``: the schedule fires every day and the task acts only on
its day of the working calendar (``weekday``, ISO 1-7, set in the schedule's arguments). Run by hand
(or by the commands' code) they act at once.
"""

from __future__ import annotations

import logging
import random
from collections import Counter

from celery import shared_task
from django.conf import settings

from chatbots import fanout as chat
from projects.weeks import Week

from . import workdays
from .mail import mailings
from .mail.deliveries import TRANSIENT_ERRORS, Outcome

logger = logging.getLogger(__name__)


def _week(code: str | None) -> Week:
    return Week.parse(code) if code else Week.of(mailings.today())


def retry_countdown(retries: int) -> int:
    """Exponential backoff with full jitter: up to base · 2^retries seconds, capped."""
    ceiling = min(settings.MAIL_RETRY_BACKOFF_SECONDS * 2**retries, settings.MAIL_RETRY_BACKOFF_MAX_SECONDS)
    return max(1, round(random.uniform(ceiling / 2, ceiling)))


@shared_task(name="reports.send_deliveries", bind=True, max_retries=None)
def send_deliveries(self, delivery_ids: list[int]) -> dict[str, int]:
    """Send a batch of recorded deliveries over one connection; on SMTP or connection errors retry
    what is left with backoff (the last try marks the failing row failed); counts by outcome."""
    final = self.request.retries >= settings.MAIL_MAX_RETRIES
    result = mailings.deliver_batch(delivery_ids, final=final)
    left = [pk for pk, outcome in result.outcomes.items() if outcome == Outcome.WILL_RETRY] + result.untried
    if result.error is not None:
        if final and not result.untried:
            raise result.error
        raise self.retry(exc=result.error, args=[left], countdown=retry_countdown(self.request.retries))
    busy = [pk for pk, outcome in result.outcomes.items() if outcome == Outcome.BUSY]
    if busy:
        # Another worker holds them; look again after its lease, in case that worker died.
        raise self.retry(args=[busy], countdown=settings.MAIL_CLAIM_LEASE_SECONDS + 1, max_retries=None)
    return dict(Counter(result.outcomes.values()))


@shared_task(name="reports.send_delivery")
def send_delivery(delivery_id: int) -> None:
    """A task queued by an earlier version, one delivery each: passed on as a batch of one."""
    send_deliveries.delay([delivery_id])


@shared_task(name="reports.send_update_reminders")
def send_update_reminders(week: str | None = None, scheduled: bool = False, weekday: int = workdays.THURSDAY) -> int:
    """Remind owners of active projects without an update for the week; returns the sends enqueued."""
    if scheduled and not mailings.is_reminder_day(mailings.today(), weekday):
        return 0
    mailing = mailings.plan(mailings.update_reminders_mailing(_week(week)))
    enqueued = len(mailings.deliver_async(mailing).waiting)
    return enqueued + chat.update_reminders(_week(week).monday)  # and to the chat channels


@shared_task(name="reports.send_milestone_alerts")
def send_milestone_alerts(day: str | None = None, scheduled: bool = False) -> int:
    """Alert owners of milestones overdue or due within three working days; returns the sends enqueued."""
    from datetime import date

    today = date.fromisoformat(day) if day else mailings.today()
    if scheduled and not workdays.is_working_day(today):
        return 0
    mailing = mailings.plan(mailings.milestone_alerts_mailing(today))
    enqueued = len(mailings.deliver_async(mailing).waiting)
    return enqueued + chat.milestone_alerts(today)  # and to the chat channels


@shared_task(name="reports.freeze_and_send_digest")
def freeze_and_send_digest(week: str | None = None, scheduled: bool = False, weekday: int = workdays.FRIDAY) -> int:
    """Freeze the week's rollup (unless frozen) and mail the digest; returns the sends enqueued."""
    if scheduled and not mailings.is_digest_day(mailings.today(), weekday):
        return 0
    the_week = _week(week)
    mailings.freeze_for_digest(the_week)
    mailing = mailings.plan(mailings.digest_mailing(the_week))
    enqueued = len(mailings.deliver_async(mailing).waiting)
    return enqueued + chat.digest(the_week.monday)  # and to the chat channels


@shared_task(name="reports.run_import_job")
def run_import_job(job_id: int) -> str | None:
    """Import a large weekly report in the background (``reports.importing.jobs``); its status."""
    from .importing.jobs import import_job_run

    job = import_job_run(job_id=job_id)
    return job.status if job else None


@shared_task(name="reports.send_test_email", bind=True, max_retries=3)
def send_test_email(self, user_id: int, topic: str) -> str:
    """'Send me a test' from the settings page; retried on SMTP or connection errors."""
    from .mail.samples import sample_email

    try:
        sample_email(user_id=user_id, topic=topic).send()
    except TRANSIENT_ERRORS as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries)) from exc
    return "sent"
