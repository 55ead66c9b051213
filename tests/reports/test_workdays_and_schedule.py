"""The working calendar, the days each mailing goes out, and the default schedules."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_celery_beat.models import PeriodicTask

from projects.weeks import Week
from reports import workdays
from reports.mail import mailings

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_chinese_calendar_knows_holidays_and_make_up_weekends():
    assert not workdays.is_working_day(date(2023, 9, 29))  # Mid-Autumn Festival, a Friday
    assert workdays.is_working_day(date(2023, 10, 7))  # a make-up working Saturday
    assert workdays.is_working_day(date(2023, 12, 29))


def test_digest_day_is_friday_or_the_last_working_day_before_it():
    assert workdays.digest_day(Week.of(date(2023, 12, 29))) == date(2023, 12, 29)
    assert workdays.digest_day(Week.of(date(2023, 9, 29))) == date(2023, 9, 28)
    # National Day week 2023: Monday to Friday off, Saturday 7 October worked.
    assert workdays.digest_day(Week.of(date(2023, 10, 4))) == date(2023, 10, 7)


def test_reminder_day_is_thursday_and_skips_holidays():
    assert workdays.reminder_day(Week.of(date(2023, 12, 29))) == date(2023, 12, 28)
    # Labour Day 2024 (1-3 May, Wednesday to Friday): Tuesday 30 April.
    assert workdays.reminder_day(Week.of(date(2024, 5, 1))) == date(2024, 4, 30)


def test_monday_to_friday_calendar_when_configured(settings):
    settings.WORKING_CALENDAR = "none"
    assert workdays.is_working_day(date(2023, 9, 29))
    assert not workdays.is_working_day(date(2023, 10, 7))
    assert workdays.digest_day(Week.of(date(2023, 9, 29))) == date(2023, 9, 29)


def test_working_days_ahead_skip_weekends_and_holidays():
    assert workdays.add_working_days(date(2023, 12, 28), 3) == date(2024, 1, 3)  # Fri; 1 Jan off; Tue, Wed
    assert workdays.add_working_days(date(2023, 9, 27), 3) == date(2023, 10, 8)  # 28 Sep, 7 and 8 Oct


@pytest.mark.parametrize(
    ("moment", "reminders", "digest"),
    [
        (datetime(2023, 12, 28, 10, 0), True, False),  # Thursday
        (datetime(2023, 12, 29, 17, 0), False, True),  # Friday
        (datetime(2023, 12, 27, 10, 0), False, False),  # Wednesday
        (datetime(2023, 9, 28, 17, 0), True, True),  # Thursday before the Mid-Autumn Friday
        (datetime(2023, 9, 29, 17, 0), False, False),  # the holiday itself
    ],
)
def test_which_mailings_a_scheduled_run_sends_at_shanghai_time(moment, reminders, digest):
    with time_machine.travel(moment.replace(tzinfo=SHANGHAI), tick=False):
        today = mailings.today()
        assert mailings.is_reminder_day(today) is reminders
        assert mailings.is_digest_day(today) is digest


def test_week_boundary_sunday_night_and_monday_morning_are_different_weeks():
    with time_machine.travel(datetime(2023, 12, 31, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert Week.of(mailings.today()).code == "2023-W53"
    # 16:30 UTC on Sunday is already Monday 00:30 in Shanghai.
    with time_machine.travel(datetime(2023, 12, 31, 16, 30, tzinfo=ZoneInfo("UTC")), tick=False):
        assert Week.of(mailings.today()).code == "2024-W01"


@pytest.mark.django_db
def test_default_schedules_are_created_in_shanghai_time():
    rows = {
        task.name: (task.task, task.crontab.hour, task.crontab.minute, str(task.crontab.timezone), task.kwargs)
        for task in PeriodicTask.objects.select_related("crontab").filter(task__startswith="reports.")
    }
    assert rows == {
        "Update reminders": (
            "reports.send_update_reminders",
            "10",
            "0",
            "Asia/Shanghai",
            '{"scheduled": true, "weekday": 4}',
        ),
        "Milestone alerts": ("reports.send_milestone_alerts", "9", "30", "Asia/Shanghai", '{"scheduled": true}'),
        "Freeze the rollup and send the weekly digest": (
            "reports.freeze_and_send_digest",
            "17",
            "0",
            "Asia/Shanghai",
            '{"scheduled": true, "weekday": 5}',
        ),
    }


@pytest.mark.parametrize(
    ("weekday", "today", "acts"),
    [
        (3, date(2023, 12, 27), True),  # the schedule names Wednesday: the digest goes out on Wednesday
        (3, date(2023, 12, 29), False),  # ... and no longer on Friday
        (5, date(2023, 9, 28), True),  # Friday 2023-09-29 is Mid-Autumn: Thursday instead
    ],
)
def test_the_schedules_weekday_moves_the_digest(settings, weekday, today, acts):
    settings.WORKING_CALENDAR = "cn"
    assert mailings.is_digest_day(today, weekday) is acts


def test_the_schedules_weekday_moves_the_reminders_but_never_past_the_digest(settings):
    settings.WORKING_CALENDAR = "cn"
    assert workdays.reminder_day(Week.of(date(2023, 12, 29)), 2) == date(2023, 12, 26)  # Tuesday
    assert workdays.reminder_day(Week.of(date(2023, 12, 29)), 7, digest_weekday=5) == date(2023, 12, 29)
