"""Probes answered first, before host validation and the HTTPS redirect.

Load balancers, systemd, Docker and Kubernetes probe a process over plain HTTP on its own address
(``http://127.0.0.1:8000/healthz``), with a Host header that is rarely in ALLOWED_HOSTS: those two
paths must answer anyway, and they reveal nothing but the checks' names and states.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from . import views

PROBES = {"/healthz": views.healthz, "/readyz": views.readyz}


class ProbeMiddleware:
    """Serve /healthz and /readyz directly; pass everything else on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
