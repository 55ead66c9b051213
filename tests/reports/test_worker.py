"""The scheduled tasks on a real Celery worker consuming from real Redis, mailing a real SMTP server."""

from __future__ import annotations

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from reports.models import Delivery, RollupSnapshot
from reports.tasks import freeze_and_send_digest, send_milestone_alerts, send_update_reminders
from tests import factories
from tests.reports.conftest import DEMO_WEEK, parts

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def settle(expected_sent: int, timeout: float = 30) -> None:
    """Wait until the worker has sent ``expected_sent`` deliveries and nothing is left in flight."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = Delivery.objects.filter(status=Delivery.Status.SENT).count()
        busy = Delivery.objects.filter(status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]).count()
        if sent >= expected_sent and not busy:
            time.sleep(0.3)  # a duplicate would land now
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out: {list(Delivery.objects.values_list('email', 'status', 'last_error'))}")


def test_friday_1700_freezes_and_mails_the_digest_once(smtp, demo_week, director, celery_worker):
    factories.director(username="dora", email="dora@example.com")
    with time_machine.travel(datetime(2023, 12, 29, 17, 0, tzinfo=SHANGHAI), tick=True):
        freeze_and_send_digest.delay(scheduled=True)
        freeze_and_send_digest.delay(scheduled=True)  # a second beat process
        settle(2)

    assert RollupSnapshot.objects.get().data["week"]["code"] == DEMO_WEEK
    assert sorted(m.envelope_to[0] for m in smtp.messages) == ["director@example.com", "dora@example.com"]
    text, html = parts(smtp.to("dora@example.com")[0])
    assert "POS acquiring" in text and "https://okr.example.com/rollup/2023-W53/" in html


def test_digest_waits_for_friday_and_moves_to_thursday_before_a_holiday(
    smtp, demo_week, director, celery_worker, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    with time_machine.travel(datetime(2023, 12, 28, 17, 0, tzinfo=SHANGHAI), tick=True):  # plain Thursday
        freeze_and_send_digest.delay(scheduled=True)
        time.sleep(1.5)
    assert not RollupSnapshot.objects.exists() and smtp.messages == []

    # Friday 2023-09-29 is the Mid-Autumn holiday: Thursday 28 September is the digest day.
    with time_machine.travel(datetime(2023, 9, 28, 17, 0, tzinfo=SHANGHAI), tick=True):
        freeze_and_send_digest.delay(scheduled=True)
        settle(1)
    assert smtp.messages[0]["Subject"].strip().startswith("2023年第40周")


def test_thursday_reminders_and_alerts_on_the_worker(smtp, demo_week, celery_worker):
    with time_machine.travel(datetime(2023, 12, 28, 10, 0, tzinfo=SHANGHAI), tick=True):
        send_update_reminders.delay(scheduled=True)
        send_milestone_alerts.delay(scheduled=True)
        settle(3)

    kinds = sorted(Delivery.objects.values_list("kind", "email"))
    assert kinds == [
        ("milestone_alert", "owner@example.com"),
        ("update_reminder", "other@example.com"),
        ("update_reminder", "owner@example.com"),
    ]
    assert len(smtp.messages) == 3


def test_smtp_refusing_then_recovering_delivers_every_message_once(smtp, demo_week, director, celery_worker):
    for n in range(4):
        factories.director(username=f"d{n}", email=f"d{n}@example.com")
    smtp.refuse_next = 3

    freeze_and_send_digest.delay(week=DEMO_WEEK)
    settle(5, timeout=60)

    assert smtp.refused == 3
    recipients = sorted(m.envelope_to[0] for m in smtp.messages)
    assert recipients == sorted(["director@example.com"] + [f"d{n}@example.com" for n in range(4)])
    assert sum(Delivery.objects.values_list("attempts", flat=True)) == 5 + 3


def test_after_the_last_retry_the_delivery_is_failed_with_the_error(smtp, demo_week, director, celery_worker, settings):
    settings.MAIL_MAX_RETRIES = 1
    smtp.refuse_next = 10

    freeze_and_send_digest.delay(week=DEMO_WEEK)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not Delivery.objects.filter(status=Delivery.Status.FAILED).exists():
        time.sleep(0.1)

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 2)
    assert "451" in delivery.last_error and smtp.messages == []
