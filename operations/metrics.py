"""Prometheus metrics beyond django-prometheus's requests and database ones.

- Celery tasks by name and state, and their duration, recorded in the worker through Celery's signals.
- Deliveries by kind and state, and the time of the last digest sent, read from the database when
  Prometheus scrapes (they are facts of the shared database, the same whichever process is asked).

Several processes (gunicorn workers, Celery's pool) share their counters through prometheus_client's
multiprocess mode: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory per service (the units and
the compose file do). Web processes serve /metrics/ (with ``METRICS_TOKEN``); a worker serves its own
on ``CELERY_METRICS_PORT`` (127.0.0.1) when that is set.
"""

from __future__ import annotations

import logging
import os
import time

from celery import signals
from django_guid import clear_guid, get_guid, set_guid
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)

TASKS = Counter("okrtracker_celery_tasks_total", "Celery tasks finished, by task and state.", ["task", "state"])
TASK_SECONDS = Histogram(
    "okrtracker_celery_task_duration_seconds",
    "Time Celery tasks took to run, by task.",
    ["task"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800),
)
_started: dict[str, tuple[float, str | None]] = {}  # task id: (start, request id)


@signals.task_prerun.connect
def _task_started(task_id=None, task=None, **kwargs) -> None:
    _started[task_id] = (time.monotonic(), get_guid())
    # Logged under the request id of whoever enqueued the task (django-guid set it just before).
    logger.info("task started", extra={"task": getattr(task, "name", None), "task_id": task_id})


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, state=None, **kwargs) -> None:
    started, request_id = _started.pop(task_id, (None, None))
    name = getattr(task, "name", "unknown")
    TASKS.labels(task=name, state=state or "UNKNOWN").inc()
    seconds = None
    if started is not None:
        seconds = time.monotonic() - started
        TASK_SECONDS.labels(task=name).observe(seconds)
    set_guid(request_id)  # django-guid's own post-run handler has cleared it already
    logger.info(
        "task finished",
        extra={"task": name, "task_id": task_id, "state": state, "seconds": seconds and round(seconds, 3)},
    )
    clear_guid()


@signals.worker_ready.connect
def _serve_worker_metrics(**kwargs) -> None:
    """In the worker's main process: serve its pool's metrics on CELERY_METRICS_PORT (127.0.0.1)."""
    from django.conf import settings

    if not settings.CELERY_METRICS_PORT:
        return
    if "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        logger.warning("CELERY_METRICS_PORT is set without PROMETHEUS_MULTIPROC_DIR: the pool's metrics are lost")
    from prometheus_client import start_http_server

    start_http_server(settings.CELERY_METRICS_PORT, addr=settings.CELERY_METRICS_ADDR, registry=process_registry())


@signals.worker_process_shutdown.connect
def _pool_process_gone(pid=None, **kwargs) -> None:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        multiprocess.mark_process_dead(pid or os.getpid())


def process_registry() -> CollectorRegistry:
    """The metrics of this service's processes: all of them in multiprocess mode, else this one's."""
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


class RecordsCollector:
    """Deliveries by kind and state and the last digest sent, read from the database at scrape time."""

    def collect(self):
        from django.db.models import Count, Max

        from reports.models import Delivery

        deliveries = GaugeMetricFamily(
            "okrtracker_deliveries", "Email deliveries recorded, by kind and state.", labels=["kind", "state"]
        )
        for row in Delivery.objects.values("kind", "status").annotate(n=Count("id")).order_by("kind", "status"):
            deliveries.add_metric([row["kind"], row["status"]], row["n"])
        yield deliveries
        last = Delivery.objects.filter(kind=Delivery.Kind.DIGEST, status=Delivery.Status.SENT).aggregate(
            at=Max("sent_at")
        )["at"]
        digest = GaugeMetricFamily(
            "okrtracker_last_digest_sent_timestamp_seconds",
            "Unix time of the last digest email sent successfully (0: never).",
        )
        digest.add_metric([], last.timestamp() if last else 0)
        yield digest


_records = CollectorRegistry(auto_describe=False)
_records.register(RecordsCollector())


def exposition() -> bytes:
    """The text a Prometheus scrape of a web process gets."""
    return generate_latest(process_registry()) + generate_latest(_records)
