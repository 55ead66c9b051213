"""Chat deliveries are posted exactly once: concurrent runs, a dead worker's claim, retries that go on
with the next part, the platform's error and rate-limit codes, our own per-bot rate limit, re-sending."""

from __future__ import annotations

import threading
import time
from collections import deque
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chatbots import fanout
from chatbots.deliveries import RateLimited, deliveries_resend, delivery_send
from chatbots.models import ChatDelivery, Kind
from chatbots.platforms.base import SendError
from reports.mail.deliveries import Outcome
from tests import factories
from tests.chatbots.conftest import make_channel
from tests.reports.conftest import free_port

MONDAY = date(2023, 12, 25)


def run_reminders(errors: list) -> None:
    try:
        fanout.deliver_inline(fanout.plan(Kind.UPDATE_REMINDER, MONDAY))
    except Exception as exc:
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; concurrent runs are tested on PostgreSQL (CI)"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_post_each_message_once(platforms, teams):
    bots = [make_channel(platforms, "wecom", team=teams["payments"], name=f"g{n}")[1] for n in range(12)]

    errors = []
    threads = [threading.Thread(target=run_reminders, args=(errors,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert [len(bot.received) for bot in bots] == [1] * 12
    assert set(ChatDelivery.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db
def test_a_claim_held_by_a_live_worker_is_left_alone_but_a_dead_ones_expires(platforms, teams, settings):
    _channel, bot = make_channel(platforms, "feishu", team=teams["payments"])
    [row] = fanout.plan(Kind.UPDATE_REMINDER, MONDAY)
    ChatDelivery.objects.filter(pk=row.pk).update(status="sending", claimed_at=timezone.now())

    assert delivery_send(delivery_id=row.pk) == Outcome.BUSY
    assert bot.received == []

    stale = timezone.now() - timedelta(seconds=settings.CHAT_CLAIM_LEASE_SECONDS + 1)
    ChatDelivery.objects.filter(pk=row.pk).update(claimed_at=stale)
    assert delivery_send(delivery_id=row.pk) == Outcome.SENT
    assert delivery_send(delivery_id=row.pk) == Outcome.DONE
    assert fanout.plan(Kind.UPDATE_REMINDER, MONDAY) == []  # a duplicate beat plans nothing more
    assert len(bot.received) == 1


@pytest.mark.django_db
def test_a_retry_goes_on_with_the_next_part_of_a_split_message(platforms, teams):
    team = teams["payments"]
    objective = factories.ObjectiveFactory()
    for n in range(10):
        factories.ProjectFactory(
            objective=objective, team=team, owner=factories.owner(username=f"u{n}"), name="长" * 200
        )
    _channel, bot = make_channel(platforms, "wecom", team=team)
    [row] = fanout.plan(Kind.UPDATE_REMINDER, MONDAY)
    bot.answers = deque([0, 45009])  # the first part goes through, the second meets the rate limit

    with pytest.raises(SendError) as raised:
        delivery_send(delivery_id=row.pk, final=False)
    assert raised.value.retryable and raised.value.code == "45009"
    row.refresh_from_db()
    assert (row.status, row.parts_sent, row.error_code) == ("pending", 1, "45009")

    assert delivery_send(delivery_id=row.pk) == Outcome.SENT
    row.refresh_from_db()
    parts = len(bot.received)
    assert parts > 2 and row.parts_sent == parts and row.error_code == ""
    assert [text.splitlines()[0].rsplit(" ", 1)[-1] for text in bot.texts()] == [
        f"({n}/{parts})" for n in range(1, parts + 1)
    ]  # every part once, in order: the retry did not post part 1 again


@pytest.mark.django_db
def test_rate_limit_code_on_the_last_try_fails_the_row_and_the_admin_can_resend_it(platforms, teams):
    _channel, bot = make_channel(platforms, "dingtalk", team=teams["payments"])
    [row] = fanout.plan(Kind.UPDATE_REMINDER, MONDAY)
    bot.answers = deque([130101])

    with pytest.raises(SendError):
        delivery_send(delivery_id=row.pk, final=True)
    row.refresh_from_db()
    assert (row.status, row.error_code) == ("failed", "130101")

    assert deliveries_resend(delivery_ids=[row.pk]) == [row.pk]
    assert delivery_send(delivery_id=row.pk) == Outcome.SENT
    assert len(bot.received) == 1


@pytest.mark.django_db
def test_a_network_error_puts_the_row_back_without_showing_the_webhook(platforms, teams, settings):
    channel, _bot = make_channel(platforms, "wecom", team=teams["payments"])
    port = free_port()  # nobody listens there
    settings.CHAT_WEBHOOK_ALLOWED_ORIGINS = [f"http://127.0.0.1:{port}"]
    channel.webhook_url = f"http://127.0.0.1:{port}/cgi-bin/webhook/send?key=do-not-show-this-key"
    channel.save()
    [row] = fanout.plan(Kind.UPDATE_REMINDER, MONDAY)

    with pytest.raises(SendError):
        delivery_send(delivery_id=row.pk, final=False)
    row.refresh_from_db()
    assert (row.status, row.error_code) == ("pending", "network")
    assert "refused" in row.last_error.lower() and "do-not-show" not in row.last_error


@pytest.mark.django_db
def test_a_webhook_no_longer_allowed_is_not_posted_to(platforms, teams, settings):
    _channel, bot = make_channel(platforms, "feishu", team=teams["payments"])
    settings.CHAT_WEBHOOK_ALLOWED_ORIGINS = []
    [row] = fanout.plan(Kind.UPDATE_REMINDER, MONDAY)

    assert delivery_send(delivery_id=row.pk) == Outcome.FAILED
    row.refresh_from_db()
    assert row.error_code == "url" and "https://" in row.last_error
    assert bot.received == [] and bot.token not in row.last_error


@pytest.mark.django_db
def test_our_limiter_keeps_each_bot_within_its_rate(platforms, teams, settings):
    settings.CHAT_RATE_LIMIT = 3
    settings.CHAT_RATE_WINDOW_SECONDS = 1.0
    _channel, bot = make_channel(platforms, "wecom", team=teams["payments"], limit=3, window=1.0)
    days = [date(2023, 12, 28) + timedelta(days=n) for n in range(5)]
    rows = [fanout.plan(Kind.MILESTONE_ALERT, day)[0] for day in days]

    for row in rows[:3]:
        assert delivery_send(delivery_id=row.pk) == Outcome.SENT
    with pytest.raises(RateLimited) as raised:
        delivery_send(delivery_id=rows[3].pk)
    assert 0 < raised.value.retry_after <= 1.0
    assert ChatDelivery.objects.get(pk=rows[3].pk).status == "pending"

    started = time.monotonic()
    for row in rows[3:]:
        assert delivery_send(delivery_id=row.pk, wait_for_slot=2) == Outcome.SENT
    assert time.monotonic() - started > 0.05
    assert len(bot.received) == 5 and bot.rate_limited == 0  # the platform never had to say "too fast"
    assert bot.received_at[3] - bot.received_at[0] >= 0.95


@pytest.mark.django_db
def test_webhook_keys_and_secrets_stay_out_of_logs_and_errors(platforms, teams, caplog, settings):
    import logging

    caplog.set_level(logging.DEBUG)
    channel, bot = make_channel(platforms, "dingtalk", team=teams["payments"], secret="SECright-secret")
    channel.secret = "SECwrong-secret"
    channel.save()
    errors = []
    [row] = fanout.plan(Kind.UPDATE_REMINDER, MONDAY)
    assert delivery_send(delivery_id=row.pk, final=False) == Outcome.FAILED  # refused: the signature
    errors += list(ChatDelivery.objects.values_list("last_error", flat=True))
    settings.CHAT_WEBHOOK_ALLOWED_ORIGINS.append(f"http://127.0.0.1:{free_port()}")
    channel.webhook_url = f"{settings.CHAT_WEBHOOK_ALLOWED_ORIGINS[-1]}/robot/send?access_token={bot.token}"
    channel.save()
    ChatDelivery.objects.all().delete()
    [row] = fanout.plan(Kind.UPDATE_REMINDER, MONDAY)
    with pytest.raises(SendError) as raised:
        delivery_send(delivery_id=row.pk, final=False)
    errors += [
        repr(raised.value),
        str(raised.value.__cause__),
        *ChatDelivery.objects.values_list("last_error", flat=True),
    ]

    assert "310000: sign not match" in errors[0] and "Connection refused" in errors[-1]
    text = caplog.text + "\n".join(errors)
    assert bot.token not in text and "right-secret" not in text and "wrong-secret" not in text
