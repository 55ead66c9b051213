"""When each email goes out, read from its beat row (django-celery-beat), for the settings page."""

from __future__ import annotations

import json
from dataclasses import dataclass

from django_celery_beat.models import PeriodicTask

from . import workdays

TASKS = {
    "update_reminders": "reports.send_update_reminders",
    "milestone_alerts": "reports.send_milestone_alerts",
    "weekly_digest": "reports.freeze_and_send_digest",
}
DEFAULT_WEEKDAYS = {"update_reminders": workdays.THURSDAY, "weekly_digest": workdays.FRIDAY}


@dataclass(frozen=True)
class Schedule:
    enabled: bool
    time: str  # "10:00", or "" when the row is not a daily crontab
    timezone: str
    weekday: int | None  # ISO weekday for weekly emails; None for daily ones


def mail_schedules() -> dict[str, Schedule | None]:
    """Per topic, the schedule of its beat row (the first enabled one); None when there is no row."""
    rows = PeriodicTask.objects.filter(task__in=TASKS.values()).select_related("crontab").order_by("-enabled", "pk")
    by_task: dict[str, PeriodicTask] = {}
    for row in rows:
        by_task.setdefault(row.task, row)
    schedules: dict[str, Schedule | None] = {}
    for topic, task in TASKS.items():
        row = by_task.get(task)
        if row is None:
            schedules[topic] = None
            continue
        crontab = row.crontab
        time = ""
        if crontab and crontab.hour.isdigit() and crontab.minute.isdigit():
            time = f"{int(crontab.hour):02d}:{int(crontab.minute):02d}"
        weekday = None
        if topic in DEFAULT_WEEKDAYS:
            try:
                kwargs = json.loads(row.kwargs or "{}")
            except ValueError:
                kwargs = {}
            weekday = kwargs.get("weekday", DEFAULT_WEEKDAYS[topic]) if isinstance(kwargs, dict) else None
        schedules[topic] = Schedule(
            enabled=row.enabled, time=time, timezone=str(crontab.timezone) if crontab else "", weekday=weekday
        )
    return schedules
