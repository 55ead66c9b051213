"""Celery task: the daily directory sync (its beat row is created disabled; enable it in the admin)."""

from __future__ import annotations

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="accounts.sync_directory")
def sync_directory_task() -> int:
    """Run sync_directory; returns the number of users changed. Directory errors fail the task."""
    from .sync import sync_directory  # needs python-ldap, installed only where LDAP is used

    result = sync_directory(on_change=lambda change: logger.info("directory sync changed %s", change))
    return len(result.changes)
