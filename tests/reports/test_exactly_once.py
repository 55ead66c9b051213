"""Deliveries: two runs at once send once; a dead worker's claim expires; the last failure is recorded."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from projects.weeks import Week
from reports.mail import mailings
from reports.mail.deliveries import Outcome, deliveries_claim
from reports.models import Delivery
from tests import factories
from tests.reports.conftest import DEMO_WEEK


def run_digest(errors: list) -> None:
    """One whole run of the digest mailing, as a worker would do it."""
    try:
        mailings.deliver_inline(mailings.plan(mailings.digest_mailing(Week.parse(DEMO_WEEK))))
    except Exception as exc:
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; concurrent runs are tested on PostgreSQL (CI)"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_send_each_message_once(smtp, demo_week, director):
    for n in range(15):
        factories.director(username=f"d{n}", email=f"d{n}@example.com")
    mailings.freeze_for_digest(Week.parse(DEMO_WEEK))

    errors = []
    threads = [threading.Thread(target=run_digest, args=(errors,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    addresses = [m.envelope_to[0] for m in smtp.messages]
    assert len(addresses) == 16 and len(set(addresses)) == 16
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_a_claim_held_by_a_live_worker_is_left_alone_but_a_dead_ones_expires(smtp, demo_week, director, settings):
    mailings.freeze_for_digest(Week.parse(DEMO_WEEK))
    [delivery] = mailings.plan(mailings.digest_mailing(Week.parse(DEMO_WEEK))).waiting
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.SENDING, claimed_at=timezone.now())

    assert mailings.deliver_one(delivery.pk) == Outcome.BUSY
    assert smtp.messages == []

    # The worker was killed mid-send: once its lease is over, the next run sends.
    stale = timezone.now() - timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS + 1)
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=stale)
    assert mailings.deliver_one(delivery.pk) == Outcome.SENT
    assert mailings.deliver_one(delivery.pk) == Outcome.DONE
    assert len(smtp.messages) == 1


@pytest.mark.django_db
def test_smtp_error_puts_the_row_back_until_the_last_try(smtp, demo_week, director):
    mailings.freeze_for_digest(Week.parse(DEMO_WEEK))
    [delivery] = mailings.plan(mailings.digest_mailing(Week.parse(DEMO_WEEK))).waiting
    smtp.refuse_next = 2

    with pytest.raises(Exception, match="451"):
        mailings.deliver_one(delivery.pk, final=False)
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.PENDING and "451" in delivery.last_error

    with pytest.raises(Exception, match="451"):
        mailings.deliver_one(delivery.pk, final=True)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.FAILED, 2)
    assert deliveries_claim(delivery_ids=[delivery.pk]) == ([], {delivery.pk: Outcome.DONE})  # only the admin re-sends


@pytest.mark.django_db
def test_changing_the_week_numbering_keeps_pending_deliveries_and_the_guard(demo_week, director, settings):
    first = mailings.plan(mailings.digest_mailing(Week.parse(DEMO_WEEK, "jan1"))).waiting
    settings.WEEK_NUMBERING = "iso"  # the same week is now called 2023-W52
    again = mailings.plan(mailings.digest_mailing(Week.parse("2023-W52"))).waiting
    assert [d.pk for d in again] == [d.pk for d in first]
    assert Delivery.objects.get().week.code == "2023-W52"


@pytest.mark.django_db
def test_planning_twice_keeps_one_row_per_address(demo_week, director):
    week = Week.parse(DEMO_WEEK)
    first = mailings.plan(mailings.digest_mailing(week)).waiting
    second = mailings.plan(mailings.digest_mailing(week)).waiting

    assert [d.pk for d in first] == [d.pk for d in second]
    assert Delivery.objects.count() == 1


@pytest.mark.django_db
def test_send_tasks_are_enqueued_only_when_the_transaction_commits(
    demo_week, director, django_capture_on_commit_callbacks
):
    from unittest import mock

    from reports.tasks import send_deliveries

    mailing = mailings.plan(mailings.digest_mailing(Week.parse(DEMO_WEEK)))
    with mock.patch.object(send_deliveries, "apply_async") as apply_async:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            mailings.deliver_async(mailing)
        assert apply_async.call_count == 0 and len(callbacks) == 1
        callbacks[0]()
    assert apply_async.call_args.args[0] == ([mailing.waiting[0].pk],)


@pytest.mark.django_db
def test_a_batch_stopped_by_an_smtp_error_sends_the_rest_later_and_nothing_twice(smtp, demo_week, settings):
    for n in range(5):
        factories.director(username=f"d{n}", email=f"d{n}@example.com")
    mailings.freeze_for_digest(Week.parse(DEMO_WEEK))
    waiting = mailings.plan(mailings.digest_mailing(Week.parse(DEMO_WEEK))).waiting
    ids = [d.pk for d in waiting]
    smtp.refuse_next = 0
    sent_before_error = 2
    original = smtp.handle_DATA

    async def refuse_third(server, session, envelope, calls=[0]):  # noqa: B006 - a counter across calls
        calls[0] += 1
        if calls[0] == sent_before_error + 1:
            return "451 4.3.0 try later"
        return await original(server, session, envelope)

    smtp.handle_DATA = refuse_third
    result = mailings.deliver_batch(ids, final=False)
    assert result.error is not None and len(result.untried) == len(ids) - sent_before_error - 1
    assert sorted(result.outcomes.values()) == [Outcome.SENT] * sent_before_error + [Outcome.WILL_RETRY]
    assert Delivery.objects.filter(status=Delivery.Status.PENDING).count() == len(ids) - sent_before_error

    retried = mailings.deliver_batch(ids)
    assert retried.error is None
    assert sorted(m.envelope_to[0] for m in smtp.messages) == sorted(d.email for d in waiting)  # each once
    assert set(Delivery.objects.values_list("status", flat=True)) == {Delivery.Status.SENT}


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="The SMTP server's thread reads the rows over a connection of its own"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_sent_messages_are_recorded_in_groups_so_a_dead_worker_resends_at_most_one_group(smtp, demo_week, settings):
    """At each message the server receives, every earlier message is recorded as sent except at most the
    last ``MAIL_MARK_EVERY - 1``: those (and the one in flight) are what a worker killed now would resend."""
    from django.db import connections

    settings.MAIL_MARK_EVERY = 3
    for n in range(7):
        factories.director(username=f"d{n}", email=f"d{n}@example.com")
    mailings.freeze_for_digest(Week.parse(DEMO_WEEK))
    waiting = mailings.plan(mailings.digest_mailing(Week.parse(DEMO_WEEK))).waiting
    recorded_at_arrival = []
    original = smtp.handle_DATA

    async def count_recorded(server, session, envelope):
        def recorded() -> int:
            try:
                return Delivery.objects.filter(status=Delivery.Status.SENT).count()
            finally:
                connections.close_all()  # this thread's own connection

        recorded_at_arrival.append(await asyncio.to_thread(recorded))
        return await original(server, session, envelope)

    smtp.handle_DATA = count_recorded
    result = mailings.deliver_batch([d.pk for d in waiting])

    assert result.error is None and len(waiting) == 8
    assert recorded_at_arrival == [0, 0, 0, 3, 3, 3, 6, 6]  # recorded three at a time, none later
    assert Delivery.objects.filter(status=Delivery.Status.SENT).count() == 8  # the last group at the batch's end
    assert len(smtp.messages) == 8
