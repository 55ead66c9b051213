"""Fixtures for the chat bot tests: the local platform server, channels, chat identities, a real Celery
worker on Redis (this app's own database numbers: 8 for the worker thread, 9 for the killed-worker test)
and the reports' demo week."""

from __future__ import annotations

import pytest

from chatbots.models import Channel, ChatIdentity
from chatbots.services import channel_save
from okrtracker.celery import app as celery_app
from projects.models import Project
from tests import factories
from tests.chatbots.platform_server import PlatformServer
from tests.conftest import services_required
from tests.reports.conftest import _in_memory_broker, demo_week, use_broker  # noqa: F401 (fixtures)

REDIS_WORKER_URL = "redis://127.0.0.1:6379/8"


@pytest.fixture
def platforms(settings):
    """The three platforms' webhooks on 127.0.0.1, allowed as a private deployment."""
    from chatbots.messages import _digest_cached, _snapshot_data

    _digest_cached.cache_clear()
    _snapshot_data.cache_clear()  # rendered digests are cached per snapshot; ids repeat across tests
    with PlatformServer() as server:
        settings.CHAT_WEBHOOK_ALLOWED_ORIGINS = [server.origin]
        settings.SITE_URL = "https://okr.example.com"
        settings.CHAT_TIMEOUT_SECONDS = 5
        yield server


def make_channel(server: PlatformServer, platform: str, *, team=None, secret=None, limit=20, window=60.0, **kw):
    """A bot on the local server and its channel, saved through the service (URL checked, secrets encrypted)."""
    bot = server.bot(platform, secret=secret, limit=limit, window=window)
    name = kw.pop("name", f"{platform} {team or 'department'} {bot.token[:6]}")
    channel = channel_save(
        channel=Channel(name=name, platform=platform, team=team, **kw), webhook_url=server.url(bot), secret=secret
    )
    return channel, bot


@pytest.fixture
def teams(demo_week, owner, other_owner):  # noqa: F811 (the imported fixture, requested)
    """Two teams over the demo week's projects: payments (Olivia's) and platform (Oscar's), with chat ids."""
    payments = factories.TeamFactory(name="Payments core")
    platform = factories.TeamFactory(name="Platform")
    Project.objects.filter(owner=owner).update(team=payments)
    Project.objects.filter(owner=other_owner).update(team=platform)
    ChatIdentity.objects.create(
        user=owner,
        wecom_user_id="olivia.w",
        dingtalk_user_id="olivia_dt",
        feishu_open_id="ou_olivia",
        mobile="13800000001",
    )
    ChatIdentity.objects.create(
        user=other_owner, wecom_user_id="oscar.w", dingtalk_user_id="", feishu_open_id="ou_oscar", mobile="13800000002"
    )
    return {"payments": payments, "platform": platform}


def redis_available(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.exceptions.RedisError:
        return False


def require_redis(url: str) -> None:
    if not redis_available(url):
        message = f"Redis is not reachable at {url}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def chat_worker(settings, transactional_db):
    """A real Celery worker thread consuming from Redis database 8."""
    import redis
    from celery.contrib.testing.worker import start_worker

    require_redis(REDIS_WORKER_URL)
    redis.Redis.from_url(REDIS_WORKER_URL).flushdb()  # our own database number only
    settings.MAIL_RETRY_BACKOFF_SECONDS = 1
    settings.MAIL_RETRY_BACKOFF_MAX_SECONDS = 2
    use_broker(REDIS_WORKER_URL)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker:
            yield worker
    finally:
        use_broker("memory://")
        redis.Redis.from_url(REDIS_WORKER_URL).flushdb()


@pytest.fixture
def smtp_off(settings):
    """The email half of the schedules goes to the in-memory outbox; these tests look at chat only."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
