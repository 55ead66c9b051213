"""OpenAPI generation: every operation also documents its error answers.

400 carries a list of messages per field (``non_field_errors`` for the whole body), in the
request's language, or ``{"detail": "..."}`` when the body is not JSON; 401, 403, 404, 409, 412, 415
and 429 carry ``{"detail": "..."}``. Both shapes are shared components (``Error``, ``FieldErrors``), so a
generated client has one error type each instead of one per operation and status.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import Choices
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent, deep_import_string
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny, BasePermission

DETAIL = {
    "type": "object",
    "description": "What went wrong, in the request's language.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per field: {field: [message, ...]}; non_field_errors for the whole body; "
    "detail alone when the body is not valid JSON.",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}


class DocsAccess(BasePermission):
    """The schema and the interactive docs: for signed-in users, or anyone when ``API_DOCS_PUBLIC``."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return settings.API_DOCS_PUBLIC or bool(user and user.is_authenticated and user.is_active)


class AutoSchema(openapi.AutoSchema):
    def _component(self, name: str, schema: dict) -> dict:
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema)
        self.registry.register_on_missing(component)
        return component.ref

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        detail = self._component("Error", DETAIL)
        field_errors = self._component("FieldErrors", FIELD_ERRORS)
        errors = {}
        has_filters = bool(getattr(self.view, "filterset_class", None)) and self._is_list_view()
        if self.method in ("POST", "PUT", "PATCH") or has_filters or "{" in self.path:
            errors["400"] = OpenApiResponse(field_errors, description="Bad input, with a message per field.")
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors["401"] = OpenApiResponse(detail, description="Not signed in, or the token is unknown.")
            errors["403"] = OpenApiResponse(detail, description="Not allowed (someone else's row, or no CSRF token).")
        if "{" in self.path or self._is_list_view():
            errors["404"] = OpenApiResponse(detail, description="No such row, or a page past the last.")
        if self.method in ("POST", "PUT", "PATCH") and self.get_request_serializer() is not None:
            errors["415"] = OpenApiResponse(detail, description="The body is not application/json.")
        if self.method in ("PUT", "PATCH") and getattr(self.view, "optimistic_concurrency", False):
            errors["409"] = OpenApiResponse(
                detail, description="The body's version is no longer current: someone else changed the row."
            )
            errors["412"] = OpenApiResponse(
                detail, description="If-Match no longer matches the row's ETag: someone else changed it."
            )
        errors["429"] = OpenApiResponse(detail, description="Too many requests; retry later.")
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses


def postprocess_enum_labels(result, generator, **kwargs):
    """Give the model-choice enums (``ENUM_NAME_OVERRIDES``) their member names and labels as the
    ``x-enum-varnames`` / ``x-enum-descriptions`` that client generators read (the labels in the
    schema's language), beside drf-spectacular's "* `code` - label" description."""
    schemas = result.get("components", {}).get("schemas", {})
    for name, path in spectacular_settings.ENUM_NAME_OVERRIDES.items():
        choices = deep_import_string(path) if isinstance(path, str) else path
        if name not in schemas or not (isinstance(choices, type) and issubclass(choices, Choices)):
            continue
        members = {member.value: member for member in choices}
        values = schemas[name]["enum"]
        schemas[name]["x-enum-varnames"] = [members[v].name for v in values]
        schemas[name]["x-enum-descriptions"] = [str(members[v].label) for v in values]
    return result
