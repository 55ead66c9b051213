"""The per-bot rate limit: at most CHAT_RATE_LIMIT posts to one channel within any
CHAT_RATE_WINDOW_SECONDS (the platforms allow 20 a minute), across every worker.

A sliding window kept in the database (one ChannelSend row per post), taken under a row lock on the
channel, so two workers never both take the last slot. A post that finds the window full is told how
long to wait; the slot is recorded before the post, so a post that fails still counts, as it does on
the platform's side.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import Channel, ChannelSend


def window() -> timedelta:
    return timedelta(seconds=settings.CHAT_RATE_WINDOW_SECONDS)


def take_slot(channel_id: int, *, now: datetime | None = None) -> float:
    """Take a slot to post to the channel now and return 0, or return the seconds until one frees up."""
    now = now or timezone.now()
    start = now - window()
    limit = settings.CHAT_RATE_LIMIT
    with transaction.atomic():
        Channel.objects.select_for_update().filter(pk=channel_id).values_list("pk", flat=True).get()
        ChannelSend.objects.filter(channel_id=channel_id, at__lte=start).delete()
        recent = list(
            ChannelSend.objects.filter(channel_id=channel_id, at__gt=start).order_by("-at").values_list("at", flat=True)[
                :limit
            ]
        )
        if len(recent) >= limit:
            frees_at = recent[limit - 1] + window()  # the oldest of the last ``limit`` posts leaves the window
            return max(0.05, (frees_at - now).total_seconds())
        ChannelSend.objects.create(channel_id=channel_id, at=now)
    return 0.0
