"""/healthz, /readyz, ``manage.py check_health`` and /metrics/ in one process, on the test database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from operations.beat import record_heartbeat
from reports.models import Delivery

pytestmark = pytest.mark.django_db


def readyz(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def test_probes_answer_any_host_over_plain_http(client, settings):
    """Load balancers probe http://<address>/healthz: no HTTPS redirect, no host check."""
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["okr.example.com"]
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert client.get("/readyz", HTTP_HOST="10.0.0.7:8000").status_code in (200, 503)
    assert client.get("/api/v1/projects/", HTTP_HOST="10.0.0.7:8000").status_code == 400  # the rest is checked


def test_readyz_is_green_with_its_checks_and_warns_about_beat_and_digest(client):
    status, body = readyz(client)
    assert status == 200 and body["status"] == "ok"
    assert set(body["checks"]) == {"database", "cache", "redis", "broker", "migrations", "beat", "digest"}
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["detail"] == {"pending": 0}
    assert body["warnings"] == ["beat"]  # no beat has run against the test database

    record_heartbeat()
    assert readyz(client)[1]["warnings"] == []
    with time_machine.travel(timezone.now() + timedelta(minutes=10)):
        status, body = readyz(client)
    assert status == 200 and body["warnings"] == ["beat"]  # stale, not a reason to stop serving
    assert "old" in body["checks"]["beat"]["detail"]["error"]

    Delivery.objects.create(kind=Delivery.Kind.DIGEST, period="2023-12-25", email="a@example.com", status="sent")
    Delivery.objects.create(kind=Delivery.Kind.DIGEST, period="2023-12-25", email="b@example.com", status="failed")
    status, body = readyz(client)
    assert status == 200 and body["warnings"] == ["digest"]
    assert body["checks"]["digest"]["detail"]["by_status"] == {"sent": 1, "failed": 1}


def test_readyz_is_red_while_a_migration_is_not_applied(client):
    MigrationRecorder.Migration.objects.filter(app="operations", name="0001_initial").delete()
    status, body = readyz(client)
    assert status == 503 and body["status"] == "fail"
    assert "operations.0001_initial" in body["checks"]["migrations"]["detail"]["error"]


def test_check_health_exits_non_zero_naming_what_failed(capsys):
    record_heartbeat()
    call_command("check_health")
    assert "database" in capsys.readouterr().out

    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        with pytest.raises(CommandError, match="beat"):
            call_command("check_health")
        call_command("check_health", "--critical-only")  # beat is not critical for serving
    call_command("check_health", "--json", "--only", "database", "migrations")
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["status"] == "ok" and [c["name"] for c in out["checks"]] == ["database", "migrations"]
    with pytest.raises(CommandError, match="nope"):
        call_command("check_health", "--only", "nope")


def test_metrics_are_not_public(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics/").status_code == 404  # no token configured: no endpoint
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics/").status_code == 404
    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_metrics_show_requests_database_tasks_and_deliveries(client, settings):
    from reports.tasks import send_update_reminders

    settings.METRICS_TOKEN = "s3cret-scrape-token"
    sent_at = timezone.now().replace(microsecond=0)
    Delivery.objects.create(
        kind=Delivery.Kind.DIGEST, period="2023-12-25", email="a@example.com", status="sent", sent_at=sent_at
    )
    Delivery.objects.create(kind=Delivery.Kind.UPDATE_REMINDER, period="2023-12-25", email="b@example.com")
    send_update_reminders.apply(kwargs={"week": "2023-W53"})  # a task run, as a worker runs it
    client.get("/healthz")

    response = client.get("/metrics/", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_total_by_method_total" in text  # requests (django-prometheus)
    assert 'django_db_execute_total{alias="default"' in text  # database queries
    assert 'okrtracker_celery_tasks_total{state="SUCCESS",task="reports.send_update_reminders"}' in text
    assert 'okrtracker_celery_task_duration_seconds_count{task="reports.send_update_reminders"}' in text
    assert 'okrtracker_deliveries{kind="digest",state="sent"} 1.0' in text
    assert 'okrtracker_deliveries{kind="update_reminder",state="pending"} 1.0' in text
    families = {family.name: family for family in text_string_to_metric_families(text)}
    [last_digest] = families["okrtracker_last_digest_sent_timestamp_seconds"].samples
    assert last_digest.value == sent_at.timestamp()
