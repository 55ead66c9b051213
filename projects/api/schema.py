"""OpenAPI generation: every operation also documents its error answers.

400 carries a list of messages per field (``non_field_errors`` for the whole body), in the
request's language; 401, 403, 404 and 429 carry ``{"detail": "..."}``.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import AllowAny, BasePermission

DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages per field: {field: [message, ...]}; non_field_errors for the whole body.",
    "additionalProperties": {},
}


class DocsAccess(BasePermission):
    """The schema and the interactive docs: for signed-in users, or anyone when ``API_DOCS_PUBLIC``."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        return settings.API_DOCS_PUBLIC or bool(user and user.is_authenticated and user.is_active)


class AutoSchema(openapi.AutoSchema):
    def _error_responses(self) -> dict[str, OpenApiResponse]:
        errors = {}
        has_filters = bool(getattr(self.view, "filterset_class", None)) and self._is_list_view()
        if self.method in ("POST", "PUT", "PATCH") or has_filters or "{" in self.path:
            errors["400"] = OpenApiResponse(FIELD_ERRORS, description="Bad input, with a message per field.")
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors["401"] = OpenApiResponse(DETAIL, description="Not signed in, or the token is unknown.")
            errors["403"] = OpenApiResponse(DETAIL, description="Not allowed (someone else's row, or no CSRF token).")
        if "{" in self.path or self._is_list_view():
            errors["404"] = OpenApiResponse(DETAIL, description="No such row, or a page past the last.")
        errors["429"] = OpenApiResponse(DETAIL, description="Too many requests; retry later.")
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
