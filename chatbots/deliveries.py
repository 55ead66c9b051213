"""Exactly-once chat messages: one ChatDelivery row per (kind, period, channel), claimed before it is
posted — reports/deliveries.py's approach for email, for chat bots.

1. ``deliveries_plan`` inserts the rows, skipping those that exist (the unique constraint decides),
   and returns the ones still waiting.
2. ``delivery_send`` claims a row with ONE conditional UPDATE (pending → sending, or a sending row
   whose claim is older than the lease: its worker died); only the caller whose UPDATE changed the row
   posts. Each part of a long message is recorded as posted (``parts_sent``) as soon as the platform
   accepts it, so a retry goes on with the next part. The row ends sent, skipped (nothing left to
   say), failed (the platform refused it: its error code is kept) or pending again (network error or
   rate limit; the task retries with backoff).
3. ``deliveries_resend`` puts failed rows back to pending, for the admin's "re-send" action.

The remaining duplicate window, as for email: a worker killed between the platform's "errcode 0" and
the UPDATE that records it posts that part again once the lease expires — chosen over losing it.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from reports.mail.deliveries import Outcome

from . import messages, ratelimit, webhooks
from .models import Channel, ChatDelivery
from .platforms import adapter
from .platforms.base import SendError


class RateLimited(Exception):
    """The channel's window is full (our own limiter, or the platform said so): wait ``retry_after``."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry in {retry_after:.1f}s")
        self.retry_after = retry_after


def deliveries_plan(*, kind: str, period: date, channels: Iterable[Channel]) -> list[ChatDelivery]:
    """Record one delivery per channel (existing rows are kept as they are); return those not yet done."""
    channel_ids = {channel.pk for channel in channels}
    rows = [ChatDelivery(kind=kind, period=period, channel_id=pk) for pk in sorted(channel_ids)]
    with transaction.atomic():
        ChatDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    waiting = ChatDelivery.objects.filter(
        kind=kind,
        period=period,
        channel_id__in=channel_ids,
        status__in=[ChatDelivery.Status.PENDING, ChatDelivery.Status.SENDING],
    ).order_by("pk")
    return list(waiting)


def _lease() -> timedelta:
    return timedelta(seconds=settings.CHAT_CLAIM_LEASE_SECONDS)


def delivery_claim(*, delivery_id: int) -> tuple[ChatDelivery | None, Outcome | None]:
    """Take the row for sending; (row, None) when this caller won, else (None, why not)."""
    now = timezone.now()
    claimable = Q(status=ChatDelivery.Status.PENDING) | Q(
        status=ChatDelivery.Status.SENDING, claimed_at__lt=now - _lease()
    )
    won = (
        ChatDelivery.objects.filter(claimable, pk=delivery_id).update(
            status=ChatDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )
    if won:
        return ChatDelivery.objects.select_related("channel").get(pk=delivery_id), None
    status = ChatDelivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
    return None, Outcome.BUSY if status == ChatDelivery.Status.SENDING else Outcome.DONE


def _mark(delivery: ChatDelivery, **fields) -> bool:
    # Only while our claim stands: a row whose lease was taken over belongs to the new claimant.
    return bool(
        ChatDelivery.objects.filter(
            pk=delivery.pk, status=ChatDelivery.Status.SENDING, claimed_at=delivery.claimed_at
        ).update(**fields)
    )


def payloads_for(delivery: ChatDelivery) -> list[dict]:
    """The request bodies of the delivery's message (one per part); [] when there is nothing to say."""
    message = messages.build(delivery)
    return adapter(delivery.channel.platform).payloads(message) if message else []


def post(channel: Channel, payload: dict) -> None:
    """Post one part to the channel's bot, after checking its URL again; SendError unless accepted."""
    platform = adapter(channel.platform)
    try:
        webhooks.validate_webhook_url(channel.platform, channel.webhook_url)
    except Exception as exc:
        raise SendError(f"The webhook URL may not be posted to: {'; '.join(exc.messages)}", code="url") from None
    url, body = platform.prepare(channel.webhook_url, payload, channel.secret, timezone.now())
    try:
        reply = webhooks.post_json(url, body, timeout=settings.CHAT_TIMEOUT_SECONDS)
    except webhooks.WebhookUnreachable as exc:
        raise SendError(str(exc), code="network", retryable=True) from None
    platform.check(reply, window=settings.CHAT_RATE_WINDOW_SECONDS)


def delivery_send(*, delivery_id: int, final: bool = True, wait_for_slot: float = 0) -> Outcome:
    """Claim, build and post one delivery (all its parts), then record what happened.

    Our own rate limiter makes a part wait for a free slot: up to ``wait_for_slot`` seconds here (the
    command and the benchmark), else the row goes back to pending and ``RateLimited`` tells the caller
    when to come back. A retryable error (network, HTTP 5xx/429, the platform's rate-limit code) puts the
    row back to pending (``final`` False) or fails it (``final`` True), and is raised again; a refusal
    by the platform fails the row with the platform's code and returns FAILED.
    """
    delivery, outcome = delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return outcome
    try:
        bodies = payloads_for(delivery)
        if not bodies:
            _mark(delivery, status=ChatDelivery.Status.SKIPPED, claimed_at=None)
            return Outcome.SKIPPED
        for index in range(delivery.parts_sent, len(bodies)):
            wait, slot = ratelimit.take_slot(delivery.channel_id)
            while wait and wait <= wait_for_slot:
                time.sleep(wait)
                wait_for_slot -= wait
                wait, slot = ratelimit.take_slot(delivery.channel_id)
            if wait:
                raise RateLimited(wait)
            try:
                post(delivery.channel, bodies[index])
            finally:
                ratelimit.slot_done(slot)
            _mark(delivery, parts_sent=index + 1, error_code="", last_error="")
    except RateLimited:
        _mark(delivery, status=ChatDelivery.Status.PENDING, claimed_at=None)
        raise
    except SendError as exc:
        retry = exc.retryable and not final
        _mark(
            delivery,
            status=ChatDelivery.Status.PENDING if retry else ChatDelivery.Status.FAILED,
            error_code=exc.code[:20],
            last_error=str(exc)[:2000],
            claimed_at=None,
        )
        if exc.retryable:
            raise
        return Outcome.FAILED
    except Exception as exc:
        # Our own bug (data, message building): retrying will not help, so fail now and let it surface.
        _mark(delivery, status=ChatDelivery.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _mark(delivery, status=ChatDelivery.Status.SENT, sent_at=timezone.now(), claimed_at=None)
    return Outcome.SENT


def deliveries_resend(*, delivery_ids: Iterable[int]) -> list[int]:
    """Put failed deliveries back to pending so they are sent again; returns the ids that were reset."""
    with transaction.atomic():
        ids = list(
            ChatDelivery.objects.select_for_update()
            .filter(pk__in=list(delivery_ids), status=ChatDelivery.Status.FAILED)
            .values_list("pk", flat=True)
        )
        ChatDelivery.objects.filter(pk__in=ids).update(status=ChatDelivery.Status.PENDING, claimed_at=None)
    return ids
