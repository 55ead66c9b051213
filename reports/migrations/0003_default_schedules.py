"""The default schedules, in Asia/Shanghai time; admins change them under Periodic tasks.

Each runs every day at its hour and the task itself decides whether today is the day, so holidays
and make-up working weekends of the working calendar are followed (see reports/workdays.py). The
day is the ``weekday`` keyword argument (ISO: 1 = Monday … 7 = Sunday), which admins may change.
"""

import json

from django.db import migrations

TIME_ZONE = "Asia/Shanghai"

SCHEDULES = [
    {
        "name": "Update reminders",
        "task": "reports.send_update_reminders",
        "hour": "10",
        "minute": "0",
        "kwargs": {"scheduled": True, "weekday": 4},
        "description": "Reminds owners of projects without this week's update. Runs daily at 10:00; sends on "
        "Thursday, or the last working day before it when Thursday is a holiday. To change the day, set "
        "weekday (1 = Monday … 7 = Sunday) in the keyword arguments.",
    },
    {
        "name": "Milestone alerts",
        "task": "reports.send_milestone_alerts",
        "hour": "9",
        "minute": "30",
        "kwargs": {"scheduled": True},
        "description": "Alerts owners of milestones due within three working days or overdue. Runs daily at "
        "09:30; sends on working days only.",
    },
    {
        "name": "Freeze the rollup and send the weekly digest",
        "task": "reports.freeze_and_send_digest",
        "hour": "17",
        "minute": "0",
        "kwargs": {"scheduled": True, "weekday": 5},
        "description": "Freezes the week's rollup and mails the digest. Runs daily at 17:00; acts on Friday, or "
        "the last working day before it when Friday is a holiday. To change the day, set weekday "
        "(1 = Monday … 7 = Sunday) in the keyword arguments.",
    },
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for row in SCHEDULES:
        crontab, _created = CrontabSchedule.objects.get_or_create(
            minute=row["minute"],
            hour=row["hour"],
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=TIME_ZONE,
        )
        PeriodicTask.objects.get_or_create(
            name=row["name"],
            defaults={
                "task": row["task"],
                "crontab": crontab,
                "kwargs": json.dumps(row["kwargs"]),
                "description": row["description"],
            },
        )


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[row["name"] for row in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_delivery_claim_and_skip"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
