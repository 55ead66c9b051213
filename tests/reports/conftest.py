"""Fixtures for the mail tests: a real SMTP server (aiosmtpd), a real Celery worker on Redis, demo data."""

from __future__ import annotations

import socket
import threading
import time
from datetime import date, datetime
from decimal import Decimal
from email import message_from_bytes, policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from okrtracker.celery import app as celery_app
from projects.history import recorded_at
from projects.models import Health, Incident, KeyResult, Milestone, Project
from tests import factories
from tests.conftest import services_required

REDIS_TEST_URL = "redis://127.0.0.1:6379/5"
DEMO_WEEK = "2023-W53"  # Monday 2023-12-25 to Sunday 2023-12-31; the report is written Friday 2023-12-29
DEMO_MONDAY = date(2023, 12, 25)  # how deliveries store the week


class Inbox:
    """An aiosmtpd handler that keeps every accepted message; it can refuse the first few with 451."""

    def __init__(self) -> None:
        self.messages = []
        self.refuse_next = 0
        self.refused = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse_next > 0:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Mailbox busy, try again later"
            message = message_from_bytes(envelope.content, policy=policy.default)
            message.envelope_to = list(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_to]

    def wait_for(self, count: int, timeout: float = 30) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def parts(message) -> tuple[str, str]:
    """The plain-text and HTML parts of a received message."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text, html


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """A real SMTP server on localhost, with Django's SMTP backend pointed at it."""
    from reports.mail.messages import _digest_prepared

    _digest_prepared.cache_clear()  # rendered digests are cached per snapshot; ids repeat across tests
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    settings.SITE_URL = "https://okr.example.com"
    yield inbox
    controller.stop()


def use_broker(url: str) -> None:
    """Point the Celery app at ``url``, dropping connections made to the previous broker."""
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = {"visibility_timeout": 3600}
    from kombu import pools

    pools.reset()  # closes and forgets kombu's shared connection and producer pools
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture(autouse=True, scope="session")
def _in_memory_broker():
    """Tasks enqueued by tests without a worker go to memory, never to var/broker."""
    use_broker("memory://")
    yield


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


@pytest.fixture
def celery_worker(settings, transactional_db):
    """A real Celery worker thread consuming from Redis database 5 (skipped without Redis, failed in CI)."""
    from celery.contrib.testing.worker import start_worker

    if not redis_available():
        message = f"Redis is not reachable at {REDIS_TEST_URL}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    import redis

    redis.Redis.from_url(REDIS_TEST_URL).flushdb()  # our own database number only
    settings.MAIL_RETRY_BACKOFF_SECONDS = 1
    settings.MAIL_RETRY_BACKOFF_MAX_SECONDS = 2
    use_broker(REDIS_TEST_URL)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        use_broker("memory://")


DEMO_FRIDAY_MORNING = datetime(2023, 12, 29, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo_week(db, owner, other_owner, director):
    """Week 53 of 2023 in the shape of the department's report, in our own words, entered that Friday."""
    with recorded_at(DEMO_FRIDAY_MORNING):
        return _demo_week(owner, other_owner)


def _demo_week(olivia, oscar):
    cycle = factories.CycleFactory()
    o1 = factories.ObjectiveFactory(cycle=cycle, code="O1", title="Serve the business", order=1)
    o2 = factories.ObjectiveFactory(cycle=cycle, code="O2", title="Upgrade the systems", order=2)
    o3 = factories.ObjectiveFactory(cycle=cycle, code="O3", title="Stable, safe and lean", order=3)
    pay_in = factories.KeyResultFactory(
        objective=o3, title="Pay-in success rate", is_operating_metric=True, direction=KeyResult.Direction.AT_LEAST
    )
    factories.KeyResultReadingFactory(key_result=pay_in, week_start=date(2023, 12, 18), value=Decimal("99.995"))
    factories.KeyResultReadingFactory(key_result=pay_in, week_start=date(2023, 12, 25), value=Decimal("99.997"))
    pos = factories.ProjectFactory(
        objective=o2, name="POS acquiring", owner=olivia, percent=Decimal(60), is_key_work=True
    )
    active_active = factories.ProjectFactory(
        objective=o2, name="Active-active data centres", owner=oscar, health=Health.AT_RISK, percent=Decimal(35)
    )
    accounts = factories.ProjectFactory(objective=o1, name="Bank virtual accounts", owner=olivia, percent=Decimal(20))
    factories.ProjectFactory(objective=o3, name="Risk data indicators", owner=oscar, percent=Decimal(50))
    factories.ProjectFactory(
        objective=o1, name="Retired gateway", owner=oscar, status=Project.Status.DONE, percent=Decimal(100)
    )
    factories.ProgressUpdateFactory(
        project=pos, week_start=date(2023, 12, 25), percent=Decimal(60), summary="Trial transactions ran in production."
    )
    factories.ProgressUpdateFactory(
        project=active_active, week_start=date(2023, 12, 25), percent=Decimal(35), summary="Failover drill planned."
    )
    factories.MilestoneFactory(project=pos, title="Shift traffic to the new system", due_date=date(2023, 12, 27))
    factories.MilestoneFactory(project=accounts, title="Partner integration test", due_date=date(2024, 1, 2))
    factories.MilestoneFactory(project=accounts, title="Go live", due_date=date(2024, 1, 31))
    factories.MilestoneFactory(
        project=pos, title="Design review", due_date=date(2023, 12, 1), status=Milestone.Status.DONE
    )
    factories.IncidentFactory(
        title="Card channel timeouts",
        grade=Incident.Grade.C,
        responsibility_share=Decimal("0.5"),
        detected_at="2023-12-26T10:05:00+08:00",
        impact="Some payments retried.",
        handling="Switched to the standby route.",
    )
    factories.DirectorNoteFactory(week_start=date(2023, 12, 25), highlights="Year-end on-call rota agreed.")
    return {"pos": pos, "accounts": accounts, "active_active": active_active}
