"""Exactly-once email: one Delivery row per (kind, period, address), claimed before it is sent.

The steps, each safe to repeat and to run twice at once:

1. ``deliveries_plan`` inserts the rows, skipping those that exist (the unique constraint decides),
   and returns the ones still waiting.
2. ``deliveries_send`` claims a batch of rows with ONE conditional UPDATE (pending → sending, or a
   sending row whose claim is older than the lease, i.e. its worker died) stamped with a token of
   its own; only the rows carrying the caller's token are sent, over one SMTP connection. Rows are
   marked sent (or skipped: nothing left to say) in groups of ``MAIL_MARK_EVERY`` accepted messages,
   one UPDATE per group, and whatever is accepted is marked before the batch returns or fails. On an
   SMTP or connection error the row goes back to pending with the error — or to failed, on the last
   try — and the rest of the batch is released for the retry.
3. ``deliveries_resend`` puts failed rows back to pending, for the admin's "re-send" action.

A worker killed after the SMTP server accepted messages and before their group was marked leaves
sending rows that are sent again once the lease expires: the one window where a message can go out
twice (at most ``MAIL_MARK_EVERY`` of them; 1 makes it the message in flight), chosen over losing one.
"""

from __future__ import annotations

import enum
import smtplib
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import Delivery

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


def deliveries_claim(*, delivery_ids: Iterable[int]) -> tuple[list[Delivery], dict[int, Outcome]]:
    """Take the claimable rows among ``delivery_ids`` for sending, in one UPDATE.

    Returns the rows this caller won (with their recipients) and, for the others, why not.
    """
    ids = list(delivery_ids)
    now, token = timezone.now(), uuid.uuid4()
    claimable = Q(status=Delivery.Status.PENDING) | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - _lease())
    Delivery.objects.filter(claimable, pk__in=ids).update(
        status=Delivery.Status.SENDING, claimed_at=now, claim_token=token
    )
    won = list(
        Delivery.objects.filter(pk__in=ids, claim_token=token, status=Delivery.Status.SENDING)
        .select_related("recipient", "recipient__notification_preference")
        .order_by("pk")
    )
    taken = {row.pk for row in won}
    lost = [i for i in ids if i not in taken]
    others = dict(Delivery.objects.filter(pk__in=lost).values_list("pk", "status")) if lost else {}
    return won, {
        pk: Outcome.BUSY if status == Delivery.Status.SENDING else Outcome.DONE for pk, status in others.items()
    }


def _mark(deliveries: list[Delivery], **fields) -> None:
    """One UPDATE for rows of one claim, only while it stands: a row whose lease was taken over
    belongs to the new claimant."""
    if deliveries:
        Delivery.objects.filter(
            pk__in=[d.pk for d in deliveries], status=Delivery.Status.SENDING, claim_token=deliveries[0].claim_token
        ).update(**fields)


def _release(deliveries: list[Delivery]) -> None:
    """Give claimed rows that were not tried back to pending, for the retry."""
    _mark(deliveries, status=Delivery.Status.PENDING, claimed_at=None, claim_token=None)


class _Marks:
    """Sent and skipped rows, written in groups of ``MAIL_MARK_EVERY`` and whenever the batch stops."""

    def __init__(self, outcomes: dict[int, Outcome]):
        self.outcomes, self.every = outcomes, max(1, settings.MAIL_MARK_EVERY)
        self.sent: list[Delivery] = []
        self.skipped: list[Delivery] = []

    def add(self, delivery: Delivery, outcome: Outcome) -> None:
        (self.sent if outcome == Outcome.SENT else self.skipped).append(delivery)
        self.outcomes[delivery.pk] = outcome
        if len(self.sent) + len(self.skipped) >= self.every:
            self.write()

    def write(self) -> None:
        _mark(
            self.sent,
            status=Delivery.Status.SENT,
            sent_at=timezone.now(),
            last_error="",
            claimed_at=None,
            attempts=F("attempts") + 1,
        )
        _mark(self.skipped, status=Delivery.Status.SKIPPED, claimed_at=None, claim_token=None)
        self.sent, self.skipped = [], []


MessageBuilder = Callable[[list[Delivery]], dict[int, EmailMessage | None]]


@dataclass
class BatchResult:
    """What became of a batch: each tried row's outcome, and the error that stopped it, if any."""

    outcomes: dict[int, Outcome]
    error: BaseException | None = None
    untried: list[int] = field(default_factory=list)  # claimed, released after the error: send them later


def deliveries_send(
    *, delivery_ids: Iterable[int], build: MessageBuilder, final: bool = True, connection=None
) -> BatchResult:
    """Claim, build and send a batch of deliveries over one connection.

    ``build`` returns, for each claimed row, its message or None when there is nothing left to
    send. On an SMTP or connection error that row goes back to pending (``final`` False) or to
    failed (``final`` True) with the error, the batch's untried rows are released, and the result
    carries the error for the caller to retry or report.
    """
    claimed, outcomes = deliveries_claim(delivery_ids=delivery_ids)
    result = BatchResult(outcomes=outcomes)
    if not claimed:
        return result
    try:
        messages = build(claimed)
    except Exception as exc:
        # Our own bug (template, data): retrying will not help, so fail now and let it surface.
        _mark(claimed, status=Delivery.Status.FAILED, last_error=f"{type(exc).__name__}: {exc}"[:2000])
        raise
    marks = _Marks(outcomes)
    try:
        for position, delivery in enumerate(claimed):
            message = messages.get(delivery.pk)
            if message is None:
                marks.add(delivery, Outcome.SKIPPED)
                continue
            if connection is not None:
                message.connection = connection
            try:
                message.send()
            except TRANSIENT_ERRORS as exc:
                status = Delivery.Status.FAILED if final else Delivery.Status.PENDING
                error = f"{type(exc).__name__}: {exc}"[:2000]
                _mark([delivery], status=status, last_error=error, claimed_at=None, attempts=F("attempts") + 1)
                outcomes[delivery.pk] = Outcome.FAILED if final else Outcome.WILL_RETRY
                rest = claimed[position + 1 :]
                _release(rest)
                result.error, result.untried = exc, [d.pk for d in rest]
                return result
            marks.add(delivery, Outcome.SENT)
    finally:
        marks.write()  # what was accepted is recorded, whatever stopped the loop
    return result


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
