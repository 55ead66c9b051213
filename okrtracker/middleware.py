"""Answers for two failures that are not bugs (a busy database, a request body too large), and the
sign-in provider in the Content-Security-Policy.

- SQLite allows one writer; when a write waited ``SQLITE_TIMEOUT`` seconds for the lock and still
  did not get it, the client gets 503 with Retry-After (JSON under /api/), never a 500.
- A body larger than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` is refused with 400; under /api/ as JSON like
  every other API error, read here before DRF's parsers (which would read any size).
"""

from __future__ import annotations

from django.conf import settings
from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


class ProviderFormActionMiddleware:
    """Content-Security-Policy: sign-in and logout forms may end at the OpenID Connect provider."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.OIDC_ISSUER:
            origin = "/".join(settings.OIDC_ISSUER.split("/")[:3])
            response._csp_update = {**(getattr(response, "_csp_update", None) or {}), "form-action": [origin]}
        return response


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if _is_api(request) and limit is not None:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > limit:
                message = _("The request body is too large (at most %(limit)s bytes).") % {"limit": limit}
                return JsonResponse({"detail": message}, status=400)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and "locked" in str(exception).lower():
            message = _("The database is busy; try again in a moment.")
            response = (
                JsonResponse({"detail": message}, status=503)
                if _is_api(request)
                else HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
            )
            response["Retry-After"] = "5"
            return response
        return None
