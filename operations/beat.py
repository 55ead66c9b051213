"""Celery beat's scheduler with a heartbeat: django-celery-beat's DatabaseScheduler that records, at most
every ``BEAT_HEARTBEAT_SECONDS``, that beat is alive (operations.Heartbeat "beat"), so /readyz and
``manage.py check_health`` can tell a beat that stopped or never started."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django_celery_beat.schedulers import DatabaseScheduler

logger = logging.getLogger(__name__)

BEAT = "beat"


def record_heartbeat(name: str = BEAT) -> None:
    """Record that ``name`` is alive now."""
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


class HeartbeatScheduler(DatabaseScheduler):
    """DatabaseScheduler plus a heartbeat row written from beat's own loop (beat ticks every few seconds)."""

    _last_heartbeat = 0.0

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_heartbeat >= settings.BEAT_HEARTBEAT_SECONDS:
            try:
                close_old_connections()
                record_heartbeat()
                self._last_heartbeat = now
            except DatabaseError:
                logger.warning("beat could not record its heartbeat", exc_info=True)
        return super().tick(*args, **kwargs)
