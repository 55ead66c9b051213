"""A worker killed in the middle of a send loses no email: real worker processes, real Redis, real SMTP.

Worker A (separate processes with the production settings and pool: prefork) takes the digest's first
send task and is killed with SIGKILL while the SMTP server holds that message's DATA without answering
(so the server never accepts it). Two ways to die:

- the whole worker, parent and pool child (a machine or container dying): because tasks are
  acknowledged late (CELERY_TASK_ACKS_LATE) the task is still in Redis, unacknowledged; once the
  visibility timeout has passed Redis hands it to worker B, which takes the Delivery row over once A's
  claim lease has expired, and sends it;
- only the pool process (the OOM killer): the parent sees the child lost and puts the task back
  (CELERY_TASK_REJECT_ON_WORKER_LOST); A runs it again, waits out the lease, and sends it.

Either way every recipient gets the message exactly once. Turning either setting off makes its case
fail: the interrupted row stays "sending" and its email is never sent.

The prefork pool matters: the solo pool defers even an early acknowledgement until its task returns,
so a solo worker would pass without late acknowledgement and prove nothing about it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from reports.models import Delivery
from reports.tasks import freeze_and_send_digest
from tests import factories
from tests.conftest import services_required
from tests.reports.conftest import DEMO_WEEK, free_port, use_broker

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="A worker in another process must see the test database; SQLite in memory is per process",
    ),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

REDIS_URL = "redis://127.0.0.1:6379/6"  # this test's own database number; only it is flushed
BASE_DIR = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 3  # MAIL_CLAIM_LEASE_SECONDS in the workers
VISIBILITY_SECONDS = 3  # CELERY_VISIBILITY_TIMEOUT in the workers


class StallingInbox:
    """An aiosmtpd handler that holds the first message's DATA without replying until released.

    If the client disconnects meanwhile, aiosmtpd cancels the handler: the transaction is aborted,
    the server never said 250, so the message is not accepted (it is noted in ``aborted``).
    """

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], object]] = []
        self.aborted: list[list[str]] = []
        self.stalled = threading.Event()
        self.release = threading.Event()
        self.lock = threading.Lock()
        self._first = True

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            first, self._first = self._first, False
        if first:
            self.stalled.set()
            try:
                while not self.release.is_set():
                    await asyncio.sleep(0.05)
            except asyncio.CancelledError:
                with self.lock:
                    self.aborted.append(list(envelope.rcpt_tos))
                raise
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def received(self) -> Counter:
        with self.lock:
            return Counter(address for rcpt_tos, _ in self.messages for address in rcpt_tos)


def redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.RedisError:
        message = f"Redis is not reachable at {REDIS_URL}"
        if services_required():
            pytest.fail(message)
        pytest.skip(message)
    return client


def test_database_url() -> str:
    """The URL of the test database (NAME is the test database's name while tests run)."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        user += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{user}@{host}/{quote(db['NAME'], safe='')}"


test_database_url.__test__ = False  # a helper, not a test


def worker_env(smtp_port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "EMAIL_", "MAIL_"))}
    env.pop("REDIS_URL", None)
    env.update(
        # The production settings (tests.settings would swap SMTP for the in-memory outbox).
        DJANGO_SETTINGS_MODULE="okrtracker.settings",
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,  # the tests' own (CI sets one): the same signing and encryption
        DATABASE_URL=test_database_url(),
        CELERY_BROKER_URL=REDIS_URL,
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS),
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        EMAIL_TIMEOUT="10",
        MAIL_CLAIM_LEASE_SECONDS=str(LEASE_SECONDS),
        MAIL_RETRY_BACKOFF_SECONDS="1",
        MAIL_RETRY_BACKOFF_MAX_SECONDS="2",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_worker(name: str, env: dict[str, str], log: Path) -> subprocess.Popen:
    """A worker as production runs it (prefork), in its own process group so it can be killed whole."""
    command = [sys.executable, "-m", "celery", "-A", "okrtracker", "worker", "--pool", "prefork", "--concurrency", "1"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info", "-n", f"{name}@%h"]
    with log.open("wb") as out:
        return subprocess.Popen(
            command, cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def kill_group(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and its pool children, as when its machine or container dies."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.terminate()  # warm shutdown
        with contextlib.suppress(subprocess.TimeoutExpired):
            worker.wait(timeout=15)
    kill_group(worker)  # whatever is left of its group


def wait_until(condition, timeout: float, what: str, logs: list[Path]) -> float:
    """Poll ``condition`` until true; fail with the workers' logs after ``timeout`` seconds."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    rows = list(Delivery.objects.values_list("email", "status", "attempts", "last_error"))
    tails = "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}" for log in logs if log.exists())
    pytest.fail(f"Timed out after {timeout}s waiting for {what}; deliveries: {rows}\n{tails}")


def statuses() -> dict[str, str]:
    return dict(Delivery.objects.values_list("email", "status"))


def pool_children(pid: int) -> list[int]:
    """The pids of a process's children (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(stat.parent.name))
    return children


@pytest.mark.parametrize("victim", ["whole worker", "pool process"])
def test_a_worker_killed_mid_send_loses_no_email(victim, demo_week, director, tmp_path):
    """SIGKILL mid-send: of worker A whole (late ack; B gets the task back), or of its pool process only
    (reject on worker lost; A's parent puts the task back and runs it again). Every email arrives once."""
    broker = redis_client()
    broker.flushdb()
    factories.director(username="dora", email="dora@example.com")
    factories.director(username="dean", email="dean@example.com")
    expected = {"director@example.com", "dora@example.com", "dean@example.com"}

    inbox = StallingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = worker_env(controller.port)
    logs = [tmp_path / "worker-a.log", tmp_path / "worker-b.log"]
    workers: list[subprocess.Popen] = []
    use_broker(REDIS_URL)
    try:
        freeze_and_send_digest.delay(week=DEMO_WEEK)  # what the Friday schedule enqueues
        started = time.monotonic()
        workers.append(start_worker("a", env, logs[0]))
        wait_until(inbox.stalled.is_set, 30, "worker A to reach DATA", logs)
        stalled = time.monotonic()
        # A claimed the whole batch and is sending its first message; none is marked sent yet.
        assert statuses() == dict.fromkeys(expected, "sending")

        if victim == "whole worker":
            kill_group(workers[0])
        else:
            [child] = pool_children(workers[0].pid)
            os.kill(child, signal.SIGKILL)
        killed = time.monotonic()
        wait_until(lambda: inbox.aborted, 10, "the SMTP server to see the sender's connection drop", logs)
        [[in_flight]] = inbox.aborted
        assert in_flight in expected and inbox.messages == []  # cut off before "250": not accepted

        if victim == "whole worker":
            # The rows are left as A left them (claimed until the lease ends), its task still in Redis.
            assert statuses() == dict.fromkeys(expected, "sending")
            assert broker.zcard("unacked_index") == 1  # kombu's index of delivered, unacknowledged messages
            # Redis returns an unacknowledged message once its visibility timeout has passed, when a worker
            # sweeps (at start-up, then periodically): start B after the timeout so its start-up sweep does it.
            time.sleep(max(0.0, VISIBILITY_SECONDS + 0.5 - (time.monotonic() - stalled)))
            workers.append(start_worker("b", env, logs[1]))
        else:
            assert workers[0].poll() is None  # A's parent lives on and forks a new pool process
        restarted = time.monotonic()
        wait_until(
            lambda: set(statuses().values()) == {"sent"} and sum(inbox.received().values()) >= len(expected),
            45,
            "every delivery to be sent",
            logs,
        )
        recovered = time.monotonic()
        time.sleep(1)  # a duplicate would land now

        assert inbox.received() == Counter(expected)  # everyone got the digest exactly once; nothing lost
        assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}  # tries that got an answer
        assert not Delivery.objects.filter(status=Delivery.Status.FAILED).exists()
        assert broker.zcard("unacked_index") == 0
        print(
            f"\n{victim}: A reached DATA {stalled - started:.1f}s after start; killed; "
            f"{'B started' if len(workers) > 1 else 'A went on'} {restarted - killed:.1f}s after the kill; "
            f"every delivery sent {recovered - restarted:.1f}s after that"
        )
    finally:
        inbox.release.set()
        for worker in workers:
            stop(worker)
        controller.stop()
        use_broker("memory://")
        broker.flushdb()
