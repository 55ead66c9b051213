"""Exactly-once email: one Delivery row per (kind, period, address), claimed before it is sent.

The steps, each safe to repeat and to run twice at once:

1. ``deliveries_plan`` inserts the rows, skipping those that exist (the unique constraint decides),
   and returns the ones still waiting.
2. ``delivery_send`` claims a row with ONE conditional UPDATE (pending → sending, or a sending row
   whose claim is older than the lease, i.e. its worker died); only the caller whose UPDATE changed
   the row sends. Then the row is marked sent, skipped (nothing left to say) or, on an SMTP or
   connection error, put back to pending with the error — or failed, on the last try.
3. ``deliveries_resend`` puts failed rows back to pending, for the admin's "re-send" action.

A worker killed between SMTP's "250 OK" and the UPDATE to sent leaves a sending row that is sent
again once the lease expires: the one window where a message can go out twice, chosen over losing it.
"""

from __future__ import annotations

import enum
import smtplib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Delivery

# Errors worth another try later: the mail server or the network, not our data or templates.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (smtplib.SMTPException, OSError)


class Outcome(enum.StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"  # nothing left to say, e.g. the owner updated every project meanwhile
    WILL_RETRY = "will_retry"  # the send failed; the row is pending again
    FAILED = "failed"  # the send failed on the last try
    BUSY = "busy"  # another worker holds a fresh claim on the row
    DONE = "done"  # already sent, skipped or failed earlier: nothing to do


@dataclass(frozen=True)
class Target:
    """Someone to mail: an address and, when known, the user behind it."""

    email: str
    user: object | None = None


def deliveries_plan(*, kind: str, period: date, targets: Iterable[Target]) -> list[Delivery]:
    """Record one delivery per target (existing rows are kept as they are); return those not yet done."""
    targets = list(targets)
    emails = {target.email for target in targets}
    rows = [
        Delivery(kind=kind, period=period, email=target.email, recipient=target.user if target.user else None)
        for target in targets
    ]
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)
    waiting = Delivery.objects.filter(
        kind=kind, period=period, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
    ).order_by("pk")
    return [row for row in waiting if row.email in emails]


def _lease() -> timedelta:
    return timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS)


def delivery_claim(*, delivery_id: int) -> tuple[Delivery | None, Outcome | None]:
    """Take the row for sending; (row, None) when this caller won, else (None, why not)."""
    now = timezone.now()
    claimable = Q(status=Delivery.Status.PENDING) | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - _lease())
    won = (
        Delivery.objects.filter(claimable, pk=delivery_id).update(
            status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
        == 1
    )
    if won:
        return Delivery.objects.select_related("recipient", "recipient__notification_preference").get(
            pk=delivery_id
        ), None
    status = Delivery.objects.filter(pk=delivery_id).values_list("status", flat=True).first()
    return None, Outcome.BUSY if status == Delivery.Status.SENDING else Outcome.DONE


def _mark(delivery: Delivery, **fields) -> None:
    # Only while our claim stands: a row whose lease was taken over belongs to the new claimant.
    Delivery.objects.filter(pk=delivery.pk, status=Delivery.Status.SENDING, claimed_at=delivery.claimed_at).update(
        **fields
    )


MessageBuilder = Callable[[Delivery], EmailMessage | None]


def delivery_send(*, delivery_id: int, build: MessageBuilder, final: bool = True, connection=None) -> Outcome:
    """Claim, build and send one delivery, then record what happened.

    ``build`` returns the message, or None when there is nothing left to send. On an SMTP or
    connection error the row goes back to pending (``final`` False) or to failed (``final`` True),
    with the error, and the error is raised again so the caller can retry or report it.
    """
    delivery, outcome = delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return outcome
    try:
        message = build(delivery)
        if message is None:
            _mark(delivery, status=Delivery.Status.SKIPPED, claimed_at=None)
            return Outcome.SKIPPED
        if connection is not None:
            message.connection = connection
        message.send()
    except TRANSIENT_ERRORS as exc:
        status = Delivery.Status.FAILED if final else Delivery.Status.PENDING
        _mark(delivery, status=status, last_error=f"{type(exc).__name__}: {exc}"[:2000], claimed_at=None)
        raise
    except Exception as exc:
        # Our own bug (template, data): retrying will not help, so fail now and let it surface.
        _mark(delivery, status=Delivery.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    _mark(delivery, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="", claimed_at=None)
    return Outcome.SENT


def deliveries_resend(*, delivery_ids: Iterable[int]) -> list[int]:
    """Put failed deliveries back to pending so they are sent again; returns the ids that were reset."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update()
            .filter(pk__in=list(delivery_ids), status=Delivery.Status.FAILED)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids).update(status=Delivery.Status.PENDING, claimed_at=None)
    return ids
