"""The daily directory sync's beat row, off by default: an admin enables it under Periodic tasks."""

from django.db import migrations

NAME = "Sync users with the company directory"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    crontab, _created = CrontabSchedule.objects.get_or_create(
        minute="0", hour="6", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai"
    )
    PeriodicTask.objects.get_or_create(
        name=NAME,
        defaults={
            "task": "accounts.sync_directory",
            "crontab": crontab,
            "enabled": False,
            "description": "Deactivates users gone or disabled in LDAP and updates names, emails and roles. "
            "Daily at 06:00 once enabled; needs LDAP_URL. By hand: python manage.py sync_directory --dry-run",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
