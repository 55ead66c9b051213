"""Errors: model validation becomes a 400 with a message per field, never a 500."""

from __future__ import annotations

from contextlib import contextmanager

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError, RestrictedError
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.defaults import page_not_found
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


class PreconditionFailed(exceptions.APIException):
    """412: the If-Match header names a version that is no longer current."""

    status_code = 412
    default_detail = gettext_lazy(
        "Someone else changed this since you read it (If-Match no longer matches). Read it again."
    )
    default_code = "precondition_failed"


class EditConflict(exceptions.APIException):
    """409: the body's ``version`` is no longer current."""

    status_code = 409
    default_detail = gettext_lazy("Someone else changed this since you read it (its version moved on). Read it again.")
    default_code = "conflict"


def as_drf_validation_error(error: DjangoValidationError, *, rename: dict[str, str] | None = None):
    """A Django ValidationError (from ``full_clean``) as DRF's, keyed by field."""
    rename = rename or {}
    if hasattr(error, "error_dict"):
        detail = {
            rename.get(field, api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return exceptions.ValidationError(detail)


@contextmanager
def model_errors_as_400(*, rename: dict[str, str] | None = None):
    """Run a service call; its validation and integrity errors become 400 responses."""
    try:
        yield
    except DjangoValidationError as exc:
        raise as_drf_validation_error(exc, rename=rename) from exc
    except IntegrityError as exc:
        raise exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("This change conflicts with existing data.")]}
        ) from exc


def exception_handler(exc, context):
    """DRF's handler, plus Django validation errors and protected deletes as 400."""
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_validation_error(exc)
    elif isinstance(exc, ProtectedError | RestrictedError):
        exc = exceptions.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [_("Other records still refer to this one; it cannot be deleted.")]}
        )
    return drf_exception_handler(exc, context)


def not_found(request, exception=None):
    """Django's 404 for pages; JSON like the rest of the API for a URL under /api/ that matches nothing."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
