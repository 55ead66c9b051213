"""The per-bot rate limit: at most CHAT_RATE_LIMIT posts to one channel within any
CHAT_RATE_WINDOW_SECONDS (the platforms allow 20 a minute), across every worker.

A sliding window kept in the database (one ChannelSend row per post), taken under a row lock on the
channel, so two workers never both take the last slot. A post that finds the window full is told how
long to wait. The platform counts a message when it arrives, somewhere between our taking the slot and
the end of the post: so a slot is first dated at the latest the post could end (now + the HTTP
timeout), then at the moment it ended (``slot_done``); the window is counted from those dates, never
from earlier ones. A post that fails still counts, as it does on the platform's side.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Channel, ChannelSend


def window() -> timedelta:
    return timedelta(seconds=settings.CHAT_RATE_WINDOW_SECONDS)


def take_slot(channel_id: int, *, now: datetime | None = None) -> tuple[float, int | None]:
    """Take a slot to post to the channel now: (0, slot id); or (seconds until one frees up, None)."""
    now = now or timezone.now()
    start = now - window()
    limit = settings.CHAT_RATE_LIMIT
    with transaction.atomic():
        Channel.objects.select_for_update().filter(pk=channel_id).values_list("pk", flat=True).get()
        ChannelSend.objects.filter(channel_id=channel_id, at__lte=start).delete()
        recent = list(
            ChannelSend.objects.filter(channel_id=channel_id, at__gt=start)
            .order_by("-at")
            .values_list("at", flat=True)[:limit]
        )
        if len(recent) >= limit:
            frees_at = recent[limit - 1] + window()  # the oldest of the last ``limit`` posts leaves the window
            return max(0.05, (frees_at - now).total_seconds()), None
        slot = ChannelSend.objects.create(
            channel_id=channel_id, at=now + timedelta(seconds=settings.CHAT_TIMEOUT_SECONDS)
        )
    return 0.0, slot.pk


def slot_done(slot_id: int) -> None:
    """The post of this slot has ended (accepted, refused or broken off): date the slot now."""
    ChannelSend.objects.filter(pk=slot_id).update(at=timezone.now())
