"""Celery task: post one recorded chat delivery, retrying network errors and rate limits with backoff."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from reports.mail.deliveries import Outcome

from .deliveries import RateLimited, delivery_send
from .platforms.base import SendError


@shared_task(name="chatbots.send_delivery", bind=True, max_retries=None)
def send_delivery(self, delivery_id: int) -> str:
    """Post one delivery. Network errors and the platform's rate-limit codes retry with backoff (at least
    the rate window) up to CHAT_MAX_RETRIES; a full window of our own limiter waits for its slot."""
    from reports.tasks import retry_countdown

    final = self.request.retries >= settings.CHAT_MAX_RETRIES
    try:
        outcome = delivery_send(delivery_id=delivery_id, final=final, wait_for_slot=settings.CHAT_WAIT_FOR_SLOT_SECONDS)
    except RateLimited as exc:
        raise self.retry(countdown=exc.retry_after, max_retries=None) from None
    except SendError as exc:
        if final:
            raise
        countdown = max(retry_countdown(self.request.retries), exc.retry_after)
        raise self.retry(countdown=countdown) from None
    if outcome == Outcome.BUSY:
        # Another worker holds it; look again after its lease, in case that worker died.
        raise self.retry(countdown=settings.CHAT_CLAIM_LEASE_SECONDS + 1, max_retries=None)
    return outcome
