"""Production logs are JSON lines; a request's id (X-Request-ID) is carried into the Celery tasks it
enqueues, and neither the request's nor the task's lines hold an email body or a secret.

A superuser re-sends a failed reminder from the admin; a real Celery worker (in-process, on the memory
broker) sends it; the logging configuration is the production one (operations.logconfig), to a file.
"""

from __future__ import annotations

import json
import logging.config
import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.core.management import call_command

from okrtracker.celery import app
from operations.logconfig import logging_config
from reports.models import Delivery
from reports.tasks import send_update_reminders
from tests import factories

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def json_log(settings, tmp_path):
    """The production JSON logging, written to a file; restored afterwards."""
    path = tmp_path / "app.log"
    config = logging_config(log_format="json", level="INFO")
    config["handlers"]["console"] = {**config["handlers"]["console"], "class": "logging.FileHandler"}
    config["handlers"]["console"]["filename"] = str(path)
    settings.LOGGING = config  # a worker's start re-applies settings.LOGGING (django-guid's Celery integration)
    logging.config.dictConfig(config)
    yield path
    logging.config.dictConfig(logging_config(log_format="json", level="INFO"))


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_a_request_id_follows_the_task_it_enqueues_and_no_body_is_logged(client, settings, json_log):
    call_command("load_demo", verbosity=0)
    admin = factories.UserFactory(username="ops-admin", is_superuser=True)
    client.force_login(admin)
    send_update_reminders.apply(kwargs={"week": "2023-W53"})  # records the reminders (no worker yet)
    app.connection_for_write().default_channel.queue_purge("celery")
    delivery = Delivery.objects.filter(kind=Delivery.Kind.UPDATE_REMINDER).order_by("pk").first()
    assert delivery is not None
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error="535 auth failed")
    mail.outbox.clear()

    request_id = "0123456789abcdef0123456789abcdef"
    response = client.post(
        "/admin/reports/delivery/",
        {"action": "resend", "_selected_action": [delivery.pk]},
        HTTP_X_REQUEST_ID=request_id,
    )
    assert response.status_code == 302 and response["X-Request-ID"] == request_id
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        for _ in range(100):
            delivery.refresh_from_db()
            if delivery.status == Delivery.Status.SENT:
                break
            time.sleep(0.1)
    assert delivery.status == Delivery.Status.SENT and len(mail.outbox) == 1

    records = lines(json_log)
    task_lines = [r for r in records if r.get("task") == "reports.send_deliveries"]
    assert {r["message"] for r in task_lines} == {"task started", "task finished"}
    assert {r["request_id"] for r in task_lines} == {request_id}  # the admin's request, in the worker
    assert all({"time", "level", "logger", "message", "request_id"} <= set(r) for r in records)

    body = mail.outbox[0].body
    words = {w for w in re.split(r"\s+", body) if len(w) > 12}  # distinctive bits of the email's text
    text = json_log.read_text()
    assert not [w for w in words if w in text], "email text in the logs"
    assert settings.SECRET_KEY not in text
