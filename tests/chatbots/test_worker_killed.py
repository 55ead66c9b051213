"""A worker killed in the middle of a post loses no chat message and posts none twice: real worker
processes (production settings, prefork pool) on real Redis (database 9), the local platform server.

The server holds the first post without answering; the worker is SIGKILLed meanwhile (whole, or only
its pool process), so the platform never accepted that message (the server sees the connection drop).
As for email (tests/reports/test_worker_killed.py, whose process helpers this reuses): the task was
acknowledged late, so Redis hands it out again after the visibility timeout (whole worker) or the
parent puts it back (pool process); the new try takes the row over once the claim lease has expired,
and every group gets its reminder exactly once.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from datetime import date

import pytest
from django.conf import settings
from django.db import connection

from chatbots import fanout
from chatbots.models import ChatDelivery
from tests.chatbots.conftest import make_channel, require_redis
from tests.reports import test_worker_killed as email_case
from tests.reports.conftest import use_broker

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="A worker in another process must see the test database; SQLite in memory is per process",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REDIS_URL = "redis://127.0.0.1:6379/9"  # this test's own database number; only it is flushed
LEASE_SECONDS = 3
VISIBILITY_SECONDS = 3


def worker_env(origin: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "CHAT_", "MAIL_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DJANGO_SETTINGS_MODULE="okrtracker.settings",
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,  # the tests' key: the workers must decrypt the webhook URLs
        DATABASE_URL=email_case.test_database_url(),
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS),
        CHAT_WEBHOOK_ALLOWED_ORIGINS=origin,
        CHAT_CLAIM_LEASE_SECONDS=str(LEASE_SECONDS),
        CHAT_TIMEOUT_SECONDS="10",
        MAIL_RETRY_BACKOFF_SECONDS="1",
        MAIL_RETRY_BACKOFF_MAX_SECONDS="2",
        EMAIL_URL="consolemail://",
        PYTHONUNBUFFERED="1",
    )
    return env


def statuses() -> dict[int, str]:
    return dict(ChatDelivery.objects.values_list("channel_id", "status"))


@pytest.mark.parametrize("victim", ["whole worker", "pool process"])
def test_a_worker_killed_mid_post_loses_no_chat_message(victim, platforms, teams, tmp_path):
    import redis

    require_redis(REDIS_URL)
    broker = redis.Redis.from_url(REDIS_URL)
    broker.flushdb()
    channels = [
        make_channel(platforms, "wecom", team=teams["payments"]),
        make_channel(platforms, "dingtalk", team=teams["platform"], secret="SECkilled"),
        make_channel(platforms, "feishu", secret="feishu-killed"),
    ]
    bots = {channel.pk: bot for channel, bot in channels}
    platforms.stall_next = 1
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    env = worker_env(platforms.origin)
    workers = []
    use_broker(REDIS_URL)
    try:
        assert fanout.update_reminders(date(2023, 12, 25)) == 3  # what Thursday's schedule enqueues
        workers.append(email_case.start_worker("a", env, logs[0]))
        email_case.wait_until(platforms.stalled.is_set, 30, "worker A to post", logs)
        in_flight = ChatDelivery.objects.get(status="sending")

        if victim == "whole worker":
            email_case.kill_group(workers[0])
        else:
            [child] = email_case.pool_children(workers[0].pid)
            os.kill(child, signal.SIGKILL)
        stalled_bot = bots[in_flight.channel_id]
        email_case.wait_until(lambda: stalled_bot.aborted, 10, "the server to see the connection drop", logs)
        assert all(bot.received == [] for bot in bots.values())  # cut off before "errcode 0": not accepted

        if victim == "whole worker":
            assert statuses()[in_flight.channel_id] == "sending"
            assert broker.zcard("unacked_index") == 1
            time.sleep(VISIBILITY_SECONDS + 0.5)
            workers.append(email_case.start_worker("b", env, logs[1]))
        email_case.wait_until(
            lambda: set(statuses().values()) == {"sent"} and all(bot.received for bot in bots.values()),
            45,
            "every chat delivery to be sent",
            logs,
        )
        time.sleep(1)  # a duplicate would land now

        assert Counter(len(bot.received) for bot in bots.values()) == Counter({1: 3})
        assert ChatDelivery.objects.get(pk=in_flight.pk).attempts == 2
        assert broker.zcard("unacked_index") == 0
    finally:
        platforms.release.set()
        for worker in workers:
            email_case.stop(worker)
        use_broker("memory://")
        broker.flushdb()
