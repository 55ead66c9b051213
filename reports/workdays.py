"""Working days: which days the department works, and so which days mail goes out.

settings.WORKING_CALENDAR chooses the calendar:

- ``cn`` (default): the Chinese statutory calendar from the ``chinesecalendar`` package — public
  holidays are off, make-up working weekends (调休) are on. For a year the package does not cover
  yet, Monday to Friday is used and a warning is logged (upgrade the package each December).
- ``none``: Monday to Friday.

The rules built on it:

- the digest goes out on the week's Friday, or on the last working day before it when Friday is a
  holiday (the first working day of the week after Friday if Monday to Friday are all off);
- update reminders go out on Thursday, or the last working day before it; never after the digest day;
- the schedules may name another weekday (ISO numbers, 1 = Monday … 7 = Sunday) for both;
- milestone alerts go out on working days and look ahead a number of working days.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

from django.conf import settings

from projects.weeks import Week

logger = logging.getLogger(__name__)

CHINA = "cn"
MONDAY_TO_FRIDAY = "none"
THURSDAY, FRIDAY = 4, 5  # ISO weekday numbers


def is_working_day(day: date) -> bool:
    if settings.WORKING_CALENDAR == CHINA:
        import chinese_calendar

        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            logger.warning("chinesecalendar has no data for %s; using Monday to Friday.", day.year)
    return day.weekday() < 5


def digest_day(week: Week, weekday: int = FRIDAY) -> date:
    """The day the week's digest is frozen and sent: Friday (or ``weekday``), or the last working day before."""
    days = week.days()
    for day in reversed(days[:weekday]):
        if is_working_day(day):
            return day
    for day in days[weekday:]:
        if is_working_day(day):
            return day
    return days[weekday - 1]


def reminder_day(week: Week, weekday: int = THURSDAY, digest_weekday: int = FRIDAY) -> date:
    """The day owners are reminded of missing updates: Thursday (or ``weekday``) or the last working day before."""
    last = digest_day(week, digest_weekday)
    for day in reversed(week.days()[:weekday]):
        if day <= last and is_working_day(day):
            return day
    return last


def add_working_days(day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` (``day`` itself not counted)."""
    found = 0
    while found < count:
        day += timedelta(days=1)
        if is_working_day(day):
            found += 1
    return day
