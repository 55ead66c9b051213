"""Probes and metrics: /healthz (alive), /readyz (can serve: JSON per check), /metrics/ (token only)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health
from .metrics import exposition


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. Touches nothing else, so a database outage restarts nobody."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: 200 when every critical check passes, else 503; always the checks as JSON."""
    results = health.run_checks()
    is_ready = health.ready(results)
    body = {
        "status": "ok" if is_ready else "fail",
        "warnings": [check.name for check in results if not check.ok and not check.critical],
        "checks": {check.name: check.as_dict() for check in results},
    }
    return JsonResponse(body, status=200 if is_ready else 503)


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics for a scraper that sends ``Authorization: Bearer <METRICS_TOKEN>``.

    Not public: without METRICS_TOKEN set the endpoint does not exist (404), and a wrong token gets 404 too.
    """
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not token or not secrets.compare_digest(given.encode(), token.encode()):
        return HttpResponse(status=404)
    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
