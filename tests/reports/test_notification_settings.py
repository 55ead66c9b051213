"""/me/notifications/: each email explained with its schedule from the beat rows, a test on request, one language."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django_celery_beat.models import PeriodicTask

from reports.models import Delivery
from reports.tasks import send_test_email

from .rollup_data import department

pytestmark = pytest.mark.django_db
URL = "/me/notifications/"


def test_page_says_what_each_email_is_and_when_it_comes(client, owner):
    client.force_login(owner)
    html = client.get(URL).content.decode()
    assert "Thursday at 10:00 (Asia/Shanghai)" in html  # the reminders' beat row
    assert "Working days at 09:30" in html and "Friday at 17:00" in html
    assert html.count('name="test"') == 3
    assert html.count('name="language"') == 1  # one language picker, not the site bar's too

    row = PeriodicTask.objects.get(task="reports.send_update_reminders")
    row.kwargs = json.dumps({"scheduled": True, "weekday": 3})
    row.save()
    row.crontab.hour = "11"
    row.crontab.save()
    assert "Wednesday at 11:00" in client.get(URL).content.decode()
    row.enabled = False
    row.save()
    assert "Not scheduled at the moment." in client.get(URL).content.decode()


def test_saving_the_language_switches_the_site_too(client, owner):
    client.force_login(owner)
    response = client.post(URL, {"update_reminders": "on", "weekly_digest": "", "language": "zh-hans"})
    assert response.status_code == 302 and response.cookies["django_language"].value == "zh-hans"
    assert "通知设置" in client.get(URL).content.decode()


@time_machine.travel(datetime(2023, 12, 28, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
@pytest.mark.parametrize(
    "topic, expected",
    [
        ("update_reminders", "Merchant onboarding"),
        ("milestone_alerts", "Design review"),
        ("weekly_digest", "POS acquiring"),
    ],
)
def test_send_me_a_test(client, django_capture_on_commit_callbacks, topic, expected):
    parts = department()
    owner = parts["owner"]
    client.force_login(owner)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(URL, {"test": topic}, follow=True)
    assert f"is on its way to {owner.email}" in response.content.decode()
    assert len(callbacks) == 1  # enqueued after commit; here the worker's part runs in place:
    send_test_email.apply(args=(owner.pk, topic)).get()
    [message] = mail.outbox
    assert message.to == [owner.email] and expected in message.body
    assert not Delivery.objects.exists()  # a test is not the period's real email
