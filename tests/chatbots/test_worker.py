"""The schedules on a real Celery worker consuming from real Redis (database 8), posting to the local
platform server: Thursday's reminders to the team groups, Friday's digest card to the department's,
for each platform; a duplicate beat; retries on the platform's rate-limit code; our own per-bot limit."""

from __future__ import annotations

import time
from collections import deque
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from chatbots import fanout
from chatbots.models import ChatDelivery
from reports.tasks import freeze_and_send_digest, send_milestone_alerts, send_update_reminders
from tests.chatbots.conftest import make_channel
from tests.chatbots.platform_server import mentions

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLATFORMS = [("wecom", None), ("dingtalk", "SECworker"), ("feishu", "feishu-worker-secret")]


def settle(expected_sent: int, timeout: float = 30) -> None:
    """Wait until the worker has sent ``expected_sent`` chat deliveries and nothing is left in flight."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sent = ChatDelivery.objects.filter(status="sent").count()
        busy = ChatDelivery.objects.filter(status__in=["pending", "sending"]).count()
        if sent >= expected_sent and not busy:
            time.sleep(0.3)  # a duplicate would land now
            return
        time.sleep(0.1)
    pytest.fail(f"Timed out: {list(ChatDelivery.objects.values_list('kind', 'status', 'error_code', 'last_error'))}")


@pytest.mark.parametrize(("platform", "secret"), PLATFORMS)
def test_thursday_reminders_and_friday_digest_reach_the_groups_once(
    platforms, teams, smtp_off, chat_worker, platform, secret
):
    _team, team_bot = make_channel(platforms, platform, team=teams["payments"], secret=secret)
    _dept, dept_bot = make_channel(
        platforms,
        platform,
        secret=secret,
        receives_reminders=False,
        receives_milestone_alerts=False,
        receives_digest=True,
    )

    with time_machine.travel(datetime(2023, 12, 27, 10, 0, tzinfo=SHANGHAI), tick=True):  # Wednesday: nothing
        send_update_reminders.delay(scheduled=True)
        time.sleep(1)
    assert team_bot.received == [] and not ChatDelivery.objects.exists()

    with time_machine.travel(datetime(2023, 12, 28, 10, 0, tzinfo=SHANGHAI), tick=True):  # Thursday 10:00
        send_update_reminders.delay(scheduled=True)
        send_update_reminders.delay(scheduled=True)  # a second beat process
        settle(1)
    assert len(team_bot.received) == 1 and dept_bot.received == []
    assert set(mentions(team_bot)[0]) == {
        {"wecom": "olivia.w", "dingtalk": "olivia_dt", "feishu": "ou_olivia"}[platform]
    }

    with time_machine.travel(datetime(2023, 12, 29, 17, 0, tzinfo=SHANGHAI), tick=True):  # Friday 17:00
        freeze_and_send_digest.delay(scheduled=True)
        freeze_and_send_digest.delay(scheduled=True)
        settle(2)
    assert len(dept_bot.received) == 1 and len(team_bot.received) == 1
    assert "2023-W53 weekly report" in dept_bot.texts()[0]
    assert team_bot.refused == [] and dept_bot.refused == []


def test_the_platforms_rate_limit_code_is_retried_until_every_message_is_posted_once(
    platforms, teams, smtp_off, chat_worker, settings
):
    settings.CHAT_MAX_RETRIES = 5
    settings.CHAT_RATE_WINDOW_SECONDS = 2.0  # a refused message waits at least a window before its retry
    _channel, bot = make_channel(platforms, "wecom", team=teams["payments"])
    bot.answers = deque([45009, 45009])  # "more than 20 a minute": someone else is posting with this bot

    send_milestone_alerts.delay(day="2023-12-28")
    send_update_reminders.delay(week="2023-W53")
    settle(2, timeout=60)

    assert len(bot.received) == 2 and [code for code, _ in bot.refused] == [45009, 45009]
    assert sorted(ChatDelivery.objects.values_list("kind", "attempts")) in (
        [("milestone_alert", 1), ("update_reminder", 3)],
        [("milestone_alert", 3), ("update_reminder", 1)],
        [("milestone_alert", 2), ("update_reminder", 2)],
    )


def test_past_the_per_bot_rate_the_worker_waits_for_a_free_slot_instead_of_being_refused(
    platforms, teams, smtp_off, chat_worker, settings
):
    settings.CHAT_RATE_LIMIT = 20
    settings.CHAT_RATE_WINDOW_SECONDS = 3.0
    settings.CHAT_WAIT_FOR_SLOT_SECONDS = 0.5  # longer waits go back to the queue with a countdown
    _channel, bot = make_channel(platforms, "dingtalk", team=teams["payments"], limit=20, window=3.0)
    days = [date(2023, 12, 28) + timedelta(days=n) for n in range(25)]

    enqueued = sum(fanout.milestone_alerts(day) for day in days)
    assert enqueued == 25
    settle(25, timeout=60)

    assert len(bot.received) == 25 and bot.rate_limited == 0
    arrivals = bot.received_at
    assert all(arrivals[n + 20] - arrivals[n] >= 3.0 for n in range(5))  # never 21 within a window
