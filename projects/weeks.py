"""Weeks: the one place that knows how the department numbers them.

Two numberings, chosen by settings.WEEK_NUMBERING:

- ``jan1`` (the reports'): week 1 is the Monday-to-Sunday week that holds 1 January, so the week
  that straddles New Year belongs to the new year. Friday 2023-12-29 is 2023 week 53.
- ``iso``: ISO-8601 (week 1 holds the year's first Thursday). Friday 2023-12-29 is 2023-W52.

Weeks are stored in the database by their Monday, so changing the numbering never moves data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

JAN1 = "jan1"
ISO = "iso"

_LABEL_RE = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
_DAY_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")

# The years any week may come from: every URL, filter, command and task goes through ``Week.parse``
# (or ``parse_week_or_day``), so a week outside them is a clear error, never an overflow.
FIRST_YEAR, LAST_YEAR = 1970, 2200


class WeekError(ValueError):
    """A week code or day that is malformed or out of range; the message says which, for people."""


def configured_numbering() -> str:
    return settings.WEEK_NUMBERING


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _first_monday(year: int, numbering: str) -> date:
    if numbering == ISO:
        return date.fromisocalendar(year, 1, 1)
    return _monday(date(year, 1, 1))


@dataclass(frozen=True, order=True)
class Week:
    """A Monday-to-Sunday week, named by year and number in one numbering."""

    year: int
    number: int
    numbering: str = JAN1

    @classmethod
    def of(cls, day: date | datetime, numbering: str | None = None) -> Week:
        """The week holding ``day`` (an aware datetime is read in the local time zone)."""
        numbering = numbering or configured_numbering()
        if isinstance(day, datetime):
            day = timezone.localdate(day) if timezone.is_aware(day) else day.date()
        if numbering == ISO:
            year, number, _weekday = day.isocalendar()
            return cls(year, number, ISO)
        monday = _monday(day)
        year = (monday + timedelta(days=6)).year  # the week holding 1 January is the new year's
        number = (monday - _first_monday(year, JAN1)).days // 7 + 1
        return cls(year, number, JAN1)

    @classmethod
    def current(cls, numbering: str | None = None) -> Week:
        return cls.of(timezone.localdate(), numbering)

    @classmethod
    def parse(cls, label: str, numbering: str | None = None) -> Week:
        """Read "2023-W53" (or "2023W53"); WeekError (a ValueError) names what is wrong."""
        numbering = numbering or configured_numbering()
        match = _LABEL_RE.match(label or "")
        if not match:
            raise WeekError(_("“%(label)s” is not a week; write it like 2023-W53.") % {"label": label})
        week = cls(int(match[1]), int(match[2]), numbering)
        _check_year(week.year)
        if not 1 <= week.number <= weeks_in_year(week.year, numbering):
            raise WeekError(_("%(year)s has no week %(number)s.") % {"year": week.year, "number": week.number})
        return week

    @classmethod
    def parse_week_or_day(cls, text: str, numbering: str | None = None) -> Week:
        """A week code (2023-W53) or any day of the week (2023-12-29); WeekError otherwise."""
        match = _DAY_RE.match(text or "")
        if not match:
            return cls.parse(text, numbering)
        _check_year(int(match[1]))
        try:
            day = date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError as exc:
            raise WeekError(_("“%(text)s” is not a date.") % {"text": text.strip()}) from exc
        return cls.of(day, numbering)

    @property
    def monday(self) -> date:
        return _first_monday(self.year, self.numbering) + timedelta(weeks=self.number - 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def friday(self) -> date:
        """The day the weekly report is written."""
        return self.monday + timedelta(days=4)

    def days(self) -> list[date]:
        return [self.monday + timedelta(days=i) for i in range(7)]

    def bounds(self) -> tuple[datetime, datetime]:
        """Aware [start, end) datetimes of the week in the current time zone."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(self.monday, time.min, tzinfo=tz)
        end = datetime.combine(self.monday + timedelta(days=7), time.min, tzinfo=tz)
        return start, end

    def contains(self, day: date) -> bool:
        return self.monday <= day <= self.sunday

    @property
    def is_current(self) -> bool:
        """Whether today (in the department's time zone) falls in this week: the one "current week"."""
        return self.contains(timezone.localdate())

    def shift(self, weeks: int) -> Week:
        return Week.of(self.monday + timedelta(weeks=weeks), self.numbering)

    def previous(self) -> Week:
        return self.shift(-1)

    def next(self) -> Week:
        return self.shift(1)

    def in_numbering(self, numbering: str) -> Week:
        return Week.of(self.monday, numbering)

    @property
    def code(self) -> str:
        """Language-neutral label used in URLs and files: 2023-W53."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def label_zh(self) -> str:
        return f"{self.year}年第{self.number}周"

    @property
    def label_en(self) -> str:
        return self.code

    def label(self) -> str:
        """The label in the active language: 2023年第53周 or 2023-W53."""
        return self.label_zh if (get_language() or "").startswith("zh") else self.label_en

    def __str__(self) -> str:
        return self.code


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise WeekError(_("Weeks from %(first)s to %(last)s only.") % {"first": FIRST_YEAR, "last": LAST_YEAR})


def weeks_in_year(year: int, numbering: str | None = None) -> int:
    numbering = numbering or configured_numbering()
    return (_first_monday(year + 1, numbering) - _first_monday(year, numbering)).days // 7


def week_start(day: date) -> date:
    """The Monday of the week holding ``day``: how weeks are stored."""
    return _monday(day)


def current_week_start() -> date:
    return _monday(timezone.localdate())
