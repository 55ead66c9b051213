"""Several processes, nothing lost: two gunicorn servers, two Celery workers and one beat, started with
the deploy/ scripts on the real PostgreSQL and Redis, while owners write updates through the API.

Beat fires the Friday digest, the update reminders and the milestone alerts of the demo week every
two seconds (each run plans the same deliveries again, so every send is raced by repeated runs on two
workers). Mid-run one web server and one worker are restarted with TERM, as a deploy does. Then:

- every update is stored once, holding what its owner last wrote successfully;
- every delivery was sent, exactly once: the SMTP server received one message per delivery row, never
  two with the same recipient and subject;
- no request got a 5xx; requests refused while web A was down were retried on web B, as a load
  balancer does (connection refused is not an answer, so nothing was half-done).
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.authtoken.models import Token

from projects.models import ProgressUpdate, Project
from reports.models import Delivery

from .processes import (
    CACHE_URL,
    DEPLOY,
    free_port,
    get,
    production_env,
    require_postgresql,
    require_redis,
    start,
    stop,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.services, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WEEK = "2023-W53"
CLIENT_SECONDS = 40  # how long the owners keep writing
OWNERS = 4


class Inbox:
    """An SMTP handler keeping (recipient, subject) of every accepted message."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.extend((rcpt, str(message["Subject"])) for rcpt in envelope.rcpt_tos)
        return "250 OK"


class Owner(threading.Thread):
    """An owner's script: PUT this week's update of each of their projects again and again."""

    def __init__(self, token: str, projects: list[int], ports: list[int], stop_at: float) -> None:
        super().__init__(daemon=True)
        self.token, self.projects, self.ports, self.stop_at = token, projects, ports, stop_at
        self.last_written: dict[int, str] = {}
        # Writes that got no answer (refused, reset or timed out): a server being stopped may still
        # commit one of them later, even after a newer write was acknowledged elsewhere (a blind PUT
        # retried on the other server), so the stored value may be any of these.
        self.unanswered: dict[int, set[str]] = {}
        self.others: list[tuple[int, int, str]] = []  # answers neither written nor server errors
        self.statuses: Counter = Counter()
        self.answered_by: Counter = Counter()  # port: responses
        self.server_errors: list[tuple[int, int, str]] = []
        self.refused = 0
        self.error: BaseException | None = None

    def put(self, port: int, project: int, summary: str) -> int:
        import urllib.request

        body = json.dumps({"summary": summary, "health": "on_track", "next_steps": "Keep going"}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/projects/{project}/updates/{WEEK}/",
            data=body,
            method="PUT",
            headers={"Authorization": f"Token {self.token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=20) as response:
                return response.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def run(self) -> None:
        import urllib.error

        try:
            n = 0
            while time.monotonic() < self.stop_at:
                for project in self.projects:
                    n += 1
                    summary = f"client {self.token[:6]} write {n}"
                    order = self.ports if n % 2 else self.ports[::-1]
                    for port in order:  # the other server when one refuses: a load balancer's retry
                        try:
                            status = self.put(port, project, summary)
                        except (urllib.error.URLError, ConnectionError, TimeoutError):
                            self.refused += 1
                            self.unanswered.setdefault(project, set()).add(summary)
                            continue
                        self.statuses[status] += 1
                        self.answered_by[port] += 1
                        if status >= 500:
                            self.server_errors.append((port, status, summary))
                        elif status not in (200, 201):
                            self.others.append((port, status, summary))
                        if status in (200, 201):
                            self.last_written[project] = summary
                        break
                    time.sleep(0.05)
        except BaseException as exc:  # reported by the test
            self.error = exc


def beat_every_two_seconds() -> None:
    """Beat runs the demo week's digest, reminders and alerts every 2 s instead of once a day."""
    PeriodicTask.objects.update(enabled=False)
    every, _ = IntervalSchedule.objects.get_or_create(every=2, period=IntervalSchedule.SECONDS)
    for name, task, kwargs in [
        ("test digest", "reports.freeze_and_send_digest", {"week": WEEK}),
        ("test reminders", "reports.send_update_reminders", {"week": WEEK}),
        ("test alerts", "reports.send_milestone_alerts", {"day": "2023-12-28"}),
    ]:
        PeriodicTask.objects.create(name=name, task=task, interval=every, kwargs=json.dumps(kwargs))


def test_two_webs_two_workers_one_beat_lose_nothing_across_restarts(tmp_path):
    require_postgresql()
    broker = require_redis()
    cache = require_redis(CACHE_URL)
    broker.flushdb()
    cache.flushdb()

    call_command("load_demo", verbosity=0)
    beat_every_two_seconds()
    # A set: distinct() alone keeps the model's ordering columns and repeats owners (two clients would
    # then write the same projects with counters of their own).
    owners = sorted({owner for owner in Project.objects.active().values_list("owner", flat=True) if owner})[:OWNERS]
    tokens = {owner: Token.objects.get_or_create(user_id=owner)[0].key for owner in owners}
    projects = {
        owner: list(Project.objects.active().filter(owner_id=owner).values_list("pk", flat=True)) for owner in owners
    }
    updates_before = ProgressUpdate.objects.count()

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = production_env(
        UPDATE_EDIT_WINDOW_WEEKS="100000",  # the owners write the demo week, long past by the clock
        API_THROTTLE_USER="1000000/minute",  # restarts are the point here, not rate limits (shared cache)
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        MAIL_CLAIM_LEASE_SECONDS="20",
        MAIL_RETRY_BACKOFF_SECONDS="1",
        MAIL_RETRY_BACKOFF_MAX_SECONDS="2",
        CELERY_VISIBILITY_TIMEOUT="30",
        BEAT_HEARTBEAT_SECONDS="2",
        WEB_CONCURRENCY="2",
        CELERY_CONCURRENCY="2",
        GUNICORN_GRACEFUL_TIMEOUT="10",
        METRICS_TOKEN="topology-scrape-token",
    )
    worker_metrics_port = free_port()
    ports = [free_port(), free_port()]
    logs = {name: tmp_path / f"{name}.log" for name in ("web-a", "web-b", "worker-a", "worker-b", "beat")}

    def web(name: str, port: int):
        return start(
            [str(DEPLOY / "start-web.sh")],
            {
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "STATIC_ROOT": str(tmp_path / f"static-{name}"),
                "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{name}"),
            },
            logs[name],
        )

    def worker(name: str):
        metrics = {}
        if name == "worker-b":  # serves its pool's task metrics
            metrics = {"PROMETHEUS_MULTIPROC_DIR": str(tmp_path / f"metrics-{name}")}
            metrics["CELERY_METRICS_PORT"] = str(worker_metrics_port)
        return start([str(DEPLOY / "start-worker.sh")], {**env, "WORKER_NAME": name, **metrics}, logs[name])

    def ready(port: int) -> bool:
        return get(f"http://127.0.0.1:{port}/readyz")[0] == 200

    processes = {}
    try:
        processes["web-a"], processes["web-b"] = web("web-a", ports[0]), web("web-b", ports[1])
        processes["worker-a"], processes["worker-b"] = worker("worker-a"), worker("worker-b")
        for port in ports:
            wait_until(lambda port=port: ready(port), 120, f"web on {port} to be ready", list(logs.values()))
        for name in ("worker-a", "worker-b"):
            wait_until(lambda name=name: "ready" in logs[name].read_text(errors="replace"), 60, f"{name}", [logs[name]])
        processes["beat"] = start([str(DEPLOY / "start-beat.sh")], env, logs["beat"])

        started = time.monotonic()
        clients = [Owner(tokens[o], projects[o], ports, started + CLIENT_SECONDS) for o in owners]
        for client in clients:
            client.start()

        # A deploy's restarts, mid-run: web A (graceful TERM, then up again), then worker A (warm shutdown).
        time.sleep(8)
        web_a_down = stop(processes["web-a"], timeout=30)
        processes["web-a"] = web("web-a", ports[0])
        wait_until(lambda: ready(ports[0]), 120, "web A to come back", [logs["web-a"]])
        web_a_back = time.monotonic()
        worker_a_down = stop(processes["worker-a"], timeout=60)
        processes["worker-a"] = worker("worker-a")

        for client in clients:
            client.join(timeout=CLIENT_SECONDS + 120)
        assert not [c.error for c in clients if c.error], [c.error for c in clients if c.error]

        def settled() -> bool:
            waiting = Delivery.objects.exclude(status__in=[Delivery.Status.SENT, Delivery.Status.SKIPPED])
            return Delivery.objects.exists() and not waiting.exists()

        wait_until(settled, 90, "every delivery to be sent", list(logs.values()))
        time.sleep(4)  # two more beat rounds: a duplicate would arrive now
        stop(processes.pop("beat"), timeout=15)
        wait_until(settled, 30, "the last round to settle", list(logs.values()))
        time.sleep(1)

        # Every update stored once, holding the owner's last acknowledged write, or one that got no answer
        # and was committed by the server being stopped (blind PUTs: the last commit wins).
        written = {project: summary for c in clients for project, summary in c.last_written.items()}
        unanswered = {project: later for c in clients for project, later in c.unanswered.items()}
        assert written, "no write succeeded"
        stored = dict(
            ProgressUpdate.objects.filter(project__in=written, week_start="2023-12-25").values_list(
                "project", "summary"
            )
        )
        assert stored.keys() == written.keys()
        lost = {p: (stored[p], written[p]) for p in written if stored[p] not in {written[p], *unanswered.get(p, ())}}
        statuses = sum((c.statuses for c in clients), Counter())
        assert not lost, (lost, statuses, [e for c in clients for e in c.server_errors], [c.others for c in clients])
        rows = Counter(ProgressUpdate.objects.values_list("project", "week_start"))
        assert max(rows.values()) == 1 and ProgressUpdate.objects.count() <= updates_before + len(written)
        statuses = sum((c.statuses for c in clients), Counter())
        assert not [e for c in clients for e in c.server_errors], statuses
        assert set(statuses) <= {200, 201}, statuses

        # Every delivery sent exactly once.
        sent = Delivery.objects.filter(status=Delivery.Status.SENT)
        by_kind = Counter(sent.values_list("kind", flat=True))
        assert set(by_kind) == {Delivery.Kind.DIGEST, Delivery.Kind.UPDATE_REMINDER, Delivery.Kind.MILESTONE_ALERT}
        assert not Delivery.objects.filter(status=Delivery.Status.FAILED).exists()
        received = list(inbox.received)
        duplicates = [key for key, n in Counter(received).items() if n > 1]
        assert duplicates == []
        assert Counter(rcpt for rcpt, _subject in received) == Counter(sent.values_list("email", flat=True))
        assert broker.zcard("unacked_index") == 0  # nothing taken and left unacknowledged

        # Metrics add up across each service's processes (prometheus_client's multiprocess mode): web B's
        # two gunicorn workers counted every PUT it answered; worker B's pool counted its tasks.
        status, body = get(
            f"http://127.0.0.1:{ports[1]}/metrics/", headers={"Authorization": "Bearer topology-scrape-token"}
        )
        assert status == 200
        samples = [s for family in text_string_to_metric_families(body.decode()) for s in family.samples]
        puts = sum(
            s.value
            for s in samples
            if s.name == "django_http_requests_total_by_method_total" and s.labels["method"] == "PUT"
        )
        assert puts == sum(c.answered_by[ports[1]] for c in clients)
        status, body = get(f"http://127.0.0.1:{worker_metrics_port}/metrics")
        assert status == 200
        samples = [s for family in text_string_to_metric_families(body.decode()) for s in family.samples]
        done = [s for s in samples if s.name == "okrtracker_celery_tasks_total" and s.labels["state"] == "SUCCESS"]
        assert sum(s.value for s in done) > 0

        # The logs are JSON lines, and hold no secret and no email body; access lines carry request ids.
        for name, log in logs.items():
            text = log.read_text(errors="replace")
            assert env["SECRET_KEY"] not in text, name
            assert "Content-Transfer-Encoding" not in text and "<html" not in text.lower(), name
        web_b = [json.loads(line) for line in logs["web-b"].read_text().splitlines() if line.startswith("{")]
        access = [line for line in web_b if line["logger"] == "gunicorn.access" and line["method"] == "PUT"]
        assert len(access) == sum(c.answered_by[ports[1]] for c in clients)
        assert all(len(line["request_id"] or "") == 32 for line in access)

        writes = sum(statuses.values())
        print(
            f"\n{len(clients)} owners, {writes} writes ({dict(statuses)}), {sum(c.refused for c in clients)} refused "
            f"while web A restarted and retried on B; web A stopped in {web_a_down:.1f}s and was ready again "
            f"{web_a_back - started:.0f}s into the run; worker A stopped in {worker_a_down:.1f}s; "
            f"{sum(by_kind.values())} deliveries sent once each ({dict(by_kind)}), {len(received)} messages received"
        )
    finally:
        for process in processes.values():
            stop(process, timeout=15)
        smtp.stop()
        broker.flushdb()
        cache.flushdb()
