"""Delivery.period becomes a date: the week's Monday (weekly emails) or the day (daily alerts).

A week code depends on WEEK_NUMBERING, so changing the numbering used to orphan pending deliveries and
defeat the exactly-once guard; a Monday does not move.
"""

from datetime import date

from django.db import migrations, models


def codes_to_days(apps, schema_editor):
    from projects.weeks import Week

    Delivery = apps.get_model("reports", "Delivery")
    for pk, kind, period in Delivery.objects.values_list("pk", "kind", "period"):
        day = date.fromisoformat(period) if kind == "milestone_alert" else Week.parse(period).monday
        Delivery.objects.filter(pk=pk).update(period_day=day)


def days_to_codes(apps, schema_editor):
    from projects.weeks import Week

    Delivery = apps.get_model("reports", "Delivery")
    for pk, kind, day in Delivery.objects.values_list("pk", "kind", "period_day"):
        period = day.isoformat() if kind == "milestone_alert" else Week.of(day).code
        Delivery.objects.filter(pk=pk).update(period=period)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_default_schedules")]

    operations = [
        migrations.RemoveConstraint(model_name="delivery", name="reports_delivery_once_per_period"),
        migrations.AddField(model_name="delivery", name="period_day", field=models.DateField(null=True)),
        migrations.AlterField(
            model_name="delivery", name="period", field=models.CharField(max_length=20, blank=True, default="")
        ),
        migrations.RunPython(codes_to_days, days_to_codes),
        migrations.RemoveField(model_name="delivery", name="period"),
        migrations.RenameField(model_name="delivery", old_name="period_day", new_name="period"),
        migrations.AlterField(
            model_name="delivery",
            name="period",
            field=models.DateField(
                help_text="The week's Monday for weekly emails, the day for daily ones; independent of week numbering.",
                verbose_name="period",
            ),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="kind",
            field=models.CharField(
                choices=[
                    ("update_reminder", "Update reminder"),
                    ("milestone_alert", "Milestone alert"),
                    ("digest", "Weekly digest"),
                    ("digest_test", "Test digest"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.AddConstraint(
            model_name="delivery",
            constraint=models.UniqueConstraint(
                fields=("kind", "period", "email"),
                name="reports_delivery_once_per_period",
                violation_error_message="This email was already sent to this recipient for this period.",
            ),
        ),
    ]
