"""When a week's report is written: the moment its rollup describes, and the span of events it covers.

A week's report is compiled on its digest day (Friday, or the last working day before it) at
``REPORT_CUTOFF_TIME`` (17:00 by default, the digest's time). Its rollup shows the state as it was at
that moment, and it covers the events since the previous report's cutoff, so every incident belongs
to exactly one report: the first one written after it was detected and recorded.
"""

from __future__ import annotations

from datetime import datetime, time

from django.conf import settings
from django.utils import timezone

from projects.weeks import Week

from .. import workdays


def report_cutoff(week: Week) -> datetime:
    """The aware moment the week's report is compiled (in the department's time zone)."""
    day = workdays.digest_day(week, settings.REPORT_CUTOFF_WEEKDAY)
    hour, minute = settings.REPORT_CUTOFF_TIME
    return datetime.combine(day, time(hour, minute), tzinfo=timezone.get_current_timezone())
