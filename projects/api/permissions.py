"""The API's permission class: the admin's rules, decided in ``projects.querysets``.

- Reading needs an active, signed-in user (anonymous requests get 401).
- Writing needs the model permission the admin asks for (add, change or delete), and for an
  existing row ``is_editable_by`` from the model's queryset, the one place that knows who owns
  what. Creating a row under a project is checked by the view (``perform_create``), because the
  parent is only known from the request body.
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

ACTIONS = {"POST": "add", "PUT": "change", "PATCH": "change", "DELETE": "delete"}


def can_read(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def has_model_perm(user, model, action: str) -> bool:
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


class RowRules(BasePermission):
    def has_permission(self, request, view) -> bool:
        if not can_read(request.user):
            return False
        if request.method in SAFE_METHODS or request.method not in view.allowed_methods:
            return True  # reading, or a method the view lacks: DRF answers 405
        model = getattr(view, "write_model", None)
        if model is None and hasattr(view, "get_queryset"):
            model = view.get_queryset().model
        return model is not None and has_model_perm(request.user, model, ACTIONS.get(request.method, "change"))

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return type(obj).objects.is_editable_by(request.user, obj)
