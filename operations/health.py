"""Readiness checks: each returns a Check; /readyz, /healthz and ``manage.py check_health`` show them.

Critical checks (database, cache, Redis, broker, migrations) decide whether this process can serve:
any of them failing makes /readyz answer 503. The others (beat's heartbeat, the last digest) are about
the background jobs: they are reported, and ``check_health`` fails on them, but a web process is not
taken out of a load balancer because beat stopped or an email bounced.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

CONNECT_TIMEOUT = 2.0  # seconds; a check must never hang the probe


@dataclass
class Check:
    """The outcome of one check: ``ok`` and a short machine-readable detail."""

    name: str
    ok: bool
    critical: bool
    detail: dict = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def _database() -> dict:
    connection = connections[DEFAULT_DB_ALIAS]
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def _cache() -> dict:
    key, value = "operations:readyz", secrets.token_hex(8)
    cache.set(key, value, 30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was just stored")
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def _redis() -> dict:
    if not settings.REDIS_URL:
        return {"configured": False}
    import redis

    client = redis.Redis.from_url(
        settings.REDIS_URL, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT
    )
    try:
        client.ping()
    finally:
        client.close()
    return {"configured": True}


def _broker() -> dict:
    from okrtracker.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=CONNECT_TIMEOUT)
        return {"broker": conn.as_uri()}  # without the password


def _migrations() -> dict:
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        pending = [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]
        raise RuntimeError(f"{len(pending)} migrations not applied: {', '.join(pending[:5])}")
    return {"pending": 0}


def _beat() -> dict:
    from .beat import BEAT
    from .models import Heartbeat

    beat_at = Heartbeat.objects.filter(name=BEAT).values_list("beat_at", flat=True).first()
    if beat_at is None:
        raise RuntimeError("celery beat has never recorded a heartbeat")
    age = (timezone.now() - beat_at).total_seconds()
    detail = {"last_heartbeat": beat_at.isoformat(), "age_seconds": round(age, 1)}
    if age > settings.BEAT_HEARTBEAT_MAX_AGE_SECONDS:
        raise RuntimeError(f"celery beat's last heartbeat is {age:.0f}s old", detail)
    return detail


def _digest() -> dict:
    from django.db.models import Count, Max

    from reports.models import Delivery

    digests = Delivery.objects.filter(kind=Delivery.Kind.DIGEST)
    latest = digests.order_by("-created_at").values_list("period", flat=True).first()
    if latest is None:
        return {"period": None}
    rows = digests.filter(period=latest).values("status").annotate(n=Count("id"), last_sent=Max("sent_at"))
    by_status = {row["status"]: row["n"] for row in rows}
    last_sent = max((row["last_sent"] for row in rows if row["last_sent"]), default=None)
    detail = {"period": str(latest), "by_status": by_status, "last_sent_at": last_sent and last_sent.isoformat()}
    failed = by_status.get(Delivery.Status.FAILED, 0)
    stuck_before = timezone.now() - timedelta(seconds=settings.MAIL_CLAIM_LEASE_SECONDS * 2)
    stuck = digests.filter(period=latest, status=Delivery.Status.SENDING, claimed_at__lt=stuck_before).count()
    if failed or stuck:
        raise RuntimeError(f"last digest ({latest}): {failed} failed, {stuck} stuck sending", detail)
    return detail


CHECKS: list[tuple[str, bool, Callable[[], dict]]] = [
    ("database", True, _database),
    ("cache", True, _cache),
    ("redis", True, _redis),
    ("broker", True, _broker),
    ("migrations", True, _migrations),
    ("beat", False, _beat),
    ("digest", False, _digest),
]


def run_checks(only: set[str] | None = None) -> list[Check]:
    """Run the checks (all, or those named); a check that raises is failed with the error's message.

    Checks that read the database are skipped as failed when the database itself is down."""
    results: list[Check] = []
    database_ok = True
    for name, critical, check in CHECKS:
        if only is not None and name not in only:
            continue
        started = time.monotonic()
        if not database_ok and name in ("migrations", "beat", "digest"):
            results.append(Check(name, False, critical, {"error": "the database is not reachable"}))
            continue
        try:
            results.append(Check(name, True, critical, check(), round(time.monotonic() - started, 3)))
        except Exception as exc:  # a probe reports every failure; it never raises
            detail = {"error": str(exc.args[0]) if exc.args else exc.__class__.__name__}
            if len(exc.args) > 1 and isinstance(exc.args[1], dict):
                detail.update(exc.args[1])
            detail.setdefault("type", exc.__class__.__name__)
            results.append(Check(name, False, critical, detail, round(time.monotonic() - started, 3)))
            if name == "database":
                database_ok = False
                connections[DEFAULT_DB_ALIAS].close_if_unusable_or_obsolete()
    return results


def ready(results: list[Check]) -> bool:
    """Ready to serve: every critical check passed."""
    return all(check.ok for check in results if check.critical)
