"""The admin action "Carry over to another cycle…": projects and key results keep one history.

The director picks the cycle; each selected row moves to the objective with the same code there
(O2 of 2023 → O2 of 2024) through the carry-over service, which keeps updates, milestones, baselines,
slips and readings with it.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import Cycle


class CarryOverForm(forms.Form):
    cycle = forms.ModelChoiceField(
        queryset=Cycle.objects.order_by("-start"),
        label=gettext_lazy("Carry over to cycle"),
        help_text=gettext_lazy("Each row moves to the objective with the same code in that cycle."),
    )


def carry_over_view(model_admin, request, queryset, carry: Callable, argument: str):
    """The action's confirmation page (GET-like first call) and its work (when the form is posted)."""
    rows = list(queryset.select_related("objective__cycle"))
    form = CarryOverForm(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        moved, errors = 0, []
        for row in rows:
            if not model_admin.has_change_permission(request, row):
                errors.append(_("%(row)s: you may not change it.") % {"row": row})
                continue
            try:
                target = services.carry_over_target(objective=row.objective, cycle=form.cleaned_data["cycle"])
                carry(
                    **{argument: row, "objective": target}, **({"user": request.user} if argument == "project" else {})
                )
                moved += 1
            except ValidationError as exc:
                errors.append(f"{row}: {' '.join(exc.messages)}")
        if moved:
            model_admin.message_user(
                request,
                _("Carried over %(count)d to %(cycle)s.") % {"count": moved, "cycle": form.cleaned_data["cycle"]},
            )
        for error in errors:
            model_admin.message_user(request, error, level=messages.ERROR)
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Carry over to another cycle"),
        "rows": rows,
        "form": form,
        "opts": model_admin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/projects/carry_over.html", context)
