"""Update reminders and milestone alerts, sent through a real SMTP server by the commands' code."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from reports.models import Delivery, NotificationPreference
from tests import factories
from tests.reports.conftest import DEMO_WEEK, parts

pytestmark = pytest.mark.django_db


def test_each_owner_gets_one_reminder_listing_projects_without_this_weeks_update(smtp, demo_week, capsys):
    call_command("send_reminders", "--week", DEMO_WEEK)

    assert sorted(m.envelope_to[0] for m in smtp.messages) == ["other@example.com", "owner@example.com"]
    [olivia] = smtp.to("owner@example.com")
    text, html = parts(olivia)
    # POS acquiring has its update; the bank accounts project does not; the done project never counts.
    assert "Bank virtual accounts" in text and "POS acquiring" not in text
    link = f"https://okr.example.com/admin/projects/project/{demo_week['accounts'].pk}/change/"
    assert link in text and f'href="{link}"' in html
    assert "2023年第53周" in olivia["Subject"] or "2023-W53" in olivia["Subject"]
    [oscar] = smtp.to("other@example.com")
    assert "Risk data indicators" in parts(oscar)[0] and "Active-active" not in parts(oscar)[0]
    assert "Retired gateway" not in parts(oscar)[0]
    assert "sent 2" in capsys.readouterr().out


def test_running_reminders_again_sends_nothing_more(smtp, demo_week, capsys):
    call_command("send_reminders", "--week", DEMO_WEEK)
    call_command("send_reminders", "--week", DEMO_WEEK)

    assert len(smtp.messages) == 2
    assert Delivery.objects.filter(kind="update_reminder", status="sent").count() == 2
    assert "2 already done" in capsys.readouterr().out


def test_dry_run_lists_recipients_and_records_nothing(smtp, demo_week, capsys):
    call_command("send_reminders", "--week", DEMO_WEEK, "--dry-run")

    out = capsys.readouterr().out
    assert "would send update_reminder 2023-W53 to owner@example.com: Bank virtual accounts" in out
    assert smtp.messages == [] and not Delivery.objects.exists()


def test_owner_who_turned_reminders_off_gets_none(smtp, demo_week, owner):
    NotificationPreference.objects.create(user=owner, update_reminders=False)

    call_command("send_reminders", "--week", DEMO_WEEK)

    assert [m.envelope_to for m in smtp.messages] == [["other@example.com"]]


def test_owner_who_updated_after_planning_is_skipped(smtp, demo_week, owner):
    from reports.mail import mailings
    from reports.management.mailing import parse_week

    mailing = mailings.plan(mailings.update_reminders_mailing(parse_week(DEMO_WEEK)))
    factories.ProgressUpdateFactory(project=demo_week["accounts"], week_start=date(2023, 12, 25))
    mailings.deliver_inline(mailing)

    assert [m.envelope_to for m in smtp.messages] == [["other@example.com"]]
    assert Delivery.objects.get(email="owner@example.com").status == Delivery.Status.SKIPPED


def test_reminder_is_in_the_owners_language(smtp, demo_week, owner, other_owner):
    NotificationPreference.objects.create(user=owner, language="en")
    NotificationPreference.objects.create(user=other_owner, language="zh-hans")

    call_command("send_reminders", "--week", DEMO_WEEK)

    [olivia] = smtp.to("owner@example.com")
    assert "2023-W53" in olivia["Subject"] and "Hello Olivia" in parts(olivia)[0]
    assert "On track" in parts(olivia)[0] and "正常" not in parts(olivia)[1]  # labels in her language too
    assert str(olivia["List-Unsubscribe"]).strip().startswith("<https://okr.example.com/unsubscribe/")
    [oscar] = smtp.to("other@example.com")
    assert "2023年第53周" in oscar["Subject"] and "正常" in parts(oscar)[0] and "On track" not in parts(oscar)[1]


def test_bad_week_is_a_clear_error():
    with pytest.raises(CommandError, match="2023-W53"):
        call_command("send_reminders", "--week", "last week")


def test_milestone_alerts_cover_overdue_and_next_three_working_days(smtp, demo_week):
    # Thursday 2023-12-28: three working days ahead is Tuesday 2024-01-02 (1 January is a holiday).
    call_command("send_milestone_alerts", "--date", "2023-12-28")

    [olivia] = smtp.to("owner@example.com")
    text, html = parts(olivia)
    assert "Shift traffic to the new system" in text  # overdue since 27 December
    assert "Partner integration test" in text  # due 2 January, two working days ahead
    assert "Go live" not in text and "Design review" not in text  # too far out; done
    assert "/admin/projects/milestone/" in html
    assert smtp.to("other@example.com") == []


def test_milestone_alerts_count_working_days_not_calendar_days(smtp, demo_week, settings):
    settings.WORKING_CALENDAR = "none"  # Monday to Friday: 1 January is a working day
    call_command("send_milestone_alerts", "--date", "2023-12-27")  # 28, 29, 1 January

    text = parts(smtp.to("owner@example.com")[0])[0]
    assert "Shift traffic" in text and "Partner integration test" not in text


def test_one_milestone_alert_per_owner_per_day(smtp, demo_week):
    call_command("send_milestone_alerts", "--date", "2023-12-28")
    call_command("send_milestone_alerts", "--date", "2023-12-28")
    call_command("send_milestone_alerts", "--date", "2023-12-29")

    assert len(smtp.to("owner@example.com")) == 2
    assert set(Delivery.objects.values_list("period", flat=True)) == {date(2023, 12, 28), date(2023, 12, 29)}
