"""The frozen rollup and the directors' digest, through a real SMTP server."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from reports.models import Delivery, NotificationPreference, RollupSnapshot
from tests import factories
from tests.reports.conftest import DEMO_WEEK, parts

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_freezing_stores_the_rollup_and_later_edits_do_not_change_it(demo_week, capsys):
    call_command("freeze_rollup", "--week", DEMO_WEEK)
    snapshot = RollupSnapshot.objects.get(week_start=date(2023, 12, 25))
    assert snapshot.data["week"]["code"] == DEMO_WEEK and snapshot.data["compiled_at"]

    pos = demo_week["pos"]
    pos.name = "Renamed afterwards"
    pos.save()
    snapshot.refresh_from_db()
    names = [p["name"] for o in snapshot.data["objectives"] for p in o["projects"]]
    assert "POS acquiring" in names and "Renamed afterwards" not in names
    assert "Froze 2023-W53" in capsys.readouterr().out


def test_freezing_again_needs_force_and_compiles_the_week_as_it_stood_at_its_report(demo_week):
    # Frozen early (Friday 10:00); the owner renames the project at noon, before the 17:00 report.
    with time_machine.travel(datetime(2023, 12, 29, 10, tzinfo=SHANGHAI), tick=False):
        call_command("freeze_rollup", "--week", DEMO_WEEK)
    first = RollupSnapshot.objects.get().compiled_at
    with time_machine.travel(datetime(2023, 12, 29, 12, tzinfo=SHANGHAI), tick=False):
        demo_week["pos"].name = "Renamed before the report"
        demo_week["pos"].save()
    demo_week["accounts"].name = "Renamed long after"  # today: not part of week 53
    demo_week["accounts"].save()

    with pytest.raises(CommandError, match="force"):
        call_command("freeze_rollup", "--week", DEMO_WEEK)
    call_command("freeze_rollup", "--week", DEMO_WEEK, "--force")

    snapshot = RollupSnapshot.objects.get()
    assert snapshot.compiled_at > first
    names = [p["name"] for o in snapshot.data["objectives"] for p in o["projects"]]
    assert "Renamed before the report" in names and "Bank virtual accounts" in names
    assert "Renamed long after" not in names


def test_digest_goes_to_directors_and_subscribers_from_the_snapshot(smtp, demo_week, director, owner, other_owner):
    NotificationPreference.objects.create(user=director, language="zh-hans")
    NotificationPreference.objects.create(user=owner, weekly_digest=True, language="en")
    factories.director(username="quiet", email="quiet@example.com")
    NotificationPreference.objects.create(user=factories.UserFactory(username="quiet"), weekly_digest=False)
    call_command("freeze_rollup", "--week", DEMO_WEEK)
    demo_week["pos"].name = "Renamed after the freeze"
    demo_week["pos"].save()

    call_command("send_digest", "--week", DEMO_WEEK)

    assert sorted(m.envelope_to[0] for m in smtp.messages) == ["director@example.com", "owner@example.com"]
    [diana] = smtp.to("director@example.com")
    assert diana["Subject"].startswith("2023年第53周")
    text, html = parts(diana)
    for content in (text, html):
        assert "POS acquiring" in content and "Renamed after the freeze" not in content
        assert "Trial transactions ran in production." in content
        assert "Card channel timeouts" in content and "2023-12-26 10:05" in content
        assert "99.997" in content
        assert "https://okr.example.com/rollup/2023-W53/" in content
    # A progress bar Outlook keeps: table cells with bgcolor, no div widths.
    assert 'bgcolor="#36b37e"' in html and '<td width="72"' in html
    [olivia] = smtp.to("owner@example.com")
    assert "2023-W53" in olivia["Subject"] and "2023年" not in olivia["Subject"]


def test_digest_subject_prefix_is_configurable(smtp, demo_week, director, settings):
    settings.DIGEST_SUBJECT_PREFIX = "[支付技术部] "
    settings.LANGUAGE_CODE = "zh-hans"  # the site's language, for users who chose none

    call_command("send_digest", "--week", DEMO_WEEK)

    assert str(smtp.messages[0]["Subject"]).strip().startswith("[支付技术部] 2023年第53周")


def test_send_digest_freezes_first_and_sends_each_once(smtp, demo_week, director, capsys):
    call_command("send_digest", "--week", DEMO_WEEK)
    call_command("send_digest", "--week", DEMO_WEEK)

    assert RollupSnapshot.objects.count() == 1
    assert len(smtp.messages) == 1
    out = capsys.readouterr().out
    assert "Froze 2023-W53" in out and "Using the snapshot of 2023-W53" in out


def test_send_digest_to_one_address_is_a_test_that_freezes_nothing(smtp, demo_week, director):
    call_command("send_digest", "--week", DEMO_WEEK, "--to", "director@example.com")

    assert [m.envelope_to for m in smtp.messages] == [["director@example.com"]]
    assert "POS acquiring" in parts(smtp.messages[0])[0]
    assert "Unsubscribe" not in parts(smtp.messages[0])[0]
    assert not RollupSnapshot.objects.exists()
    # The real digest still reaches the same address on Friday: a test is not the week's delivery.
    call_command("send_digest", "--week", DEMO_WEEK)
    assert RollupSnapshot.objects.exists()
    assert [m.envelope_to for m in smtp.messages] == [["director@example.com"]] * 2


def test_send_digest_dry_run_freezes_and_records_nothing(smtp, demo_week, director, capsys):
    call_command("send_digest", "--week", DEMO_WEEK, "--dry-run")

    out = capsys.readouterr().out
    assert "would be frozen first" in out and "would send digest 2023-W53 to director@example.com" in out
    assert not RollupSnapshot.objects.exists() and not Delivery.objects.exists() and smtp.messages == []


def test_refused_message_is_marked_failed_and_resent_from_the_admin(smtp, demo_week, director, admin_client):
    smtp.refuse_next = 1
    with pytest.raises(CommandError, match="1 failed"):
        call_command("send_digest", "--week", DEMO_WEEK)
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED and "451" in delivery.last_error

    page = admin_client.get("/admin/reports/delivery/?status=failed")
    assert "director@example.com" in page.content.decode()
    admin_client.post("/admin/reports/delivery/", {"action": "resend", "_selected_action": [delivery.pk]}, follow=True)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING  # queued; the worker sends it

    from reports.mail import mailings

    mailings.deliver_one(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.attempts == 2
    assert len(smtp.to("director@example.com")) == 1
