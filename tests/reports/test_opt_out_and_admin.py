"""Self-service notification settings, one-click unsubscribe, and the deliveries admin."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.mail.links import unsubscribe_token
from reports.models import Delivery, NotificationPreference
from tests import factories
from tests.reports.conftest import DEMO_MONDAY, DEMO_WEEK, parts

pytestmark = pytest.mark.django_db


def test_unsubscribe_link_in_the_email_confirms_on_get_and_unsubscribes_on_post(smtp, demo_week, client, owner):
    call_command("send_reminders", "--week", DEMO_WEEK)
    text = parts(smtp.to("owner@example.com")[0])[0]
    url = re.search(r"https://okr\.example\.com(/unsubscribe/\S+/)", text)[1]

    page = client.get(url)
    assert page.status_code == 200 and "owner@example.com" in page.content.decode()
    assert not NotificationPreference.objects.filter(user=owner).exists()  # a link scanner changes nothing

    client.post(url)
    preference = NotificationPreference.objects.get(user=owner)
    assert preference.update_reminders is False and preference.milestone_alerts is True


def test_one_click_unsubscribe_post_needs_no_csrf_token(owner):
    from django.test import Client

    token = unsubscribe_token(user_id=owner.pk, topic="weekly_digest")
    response = Client(enforce_csrf_checks=True).post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=owner).weekly_digest is False


def test_tampered_unsubscribe_link_is_refused(client, owner):
    token = unsubscribe_token(user_id=owner.pk, topic="weekly_digest")
    response = client.post(f"/unsubscribe/{token[:-2]}xx/")
    assert response.status_code == 400
    assert not NotificationPreference.objects.exists()


def test_notification_settings_page(client, owner):
    assert client.get("/me/notifications/").status_code == 302  # login required
    client.force_login(owner)

    response = client.post(
        "/me/notifications/",
        {"update_reminders": "on", "weekly_digest": "true", "language": "en"},
        follow=True,
    )

    assert response.status_code == 200
    preference = NotificationPreference.objects.get(user=owner)
    assert (preference.update_reminders, preference.milestone_alerts, preference.weekly_digest) == (True, False, True)
    assert preference.language == "en"


def test_deliveries_admin_list_has_constant_queries(admin_client):
    def make(count: int, offset: int) -> None:
        for n in range(count):
            user = factories.UserFactory(username=f"r{offset + n}")
            Delivery.objects.create(kind="digest", period=DEMO_MONDAY, email=user.email, recipient=user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert admin_client.get("/admin/reports/delivery/").status_code == 200
        return len(context)

    make(2, 0)
    few = queries()
    make(20, 100)
    assert queries() == few, "the delivery list must not query once per row"


def test_resend_action_only_touches_failed_deliveries(admin_client):
    failed = Delivery.objects.create(kind="digest", period=DEMO_MONDAY, email="a@example.com", status="failed")
    sent = Delivery.objects.create(kind="digest", period=DEMO_MONDAY, email="b@example.com", status="sent")

    admin_client.post("/admin/reports/delivery/", {"action": "resend", "_selected_action": [failed.pk, sent.pk]})

    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, sent.status) == ("pending", "sent")
