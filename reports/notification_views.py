"""Self-service notification settings and the signed one-click unsubscribe links of the emails."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .emails import read_unsubscribe_token
from .models import NotificationPreference
from .preferences import preference_get_or_default, preference_save, preference_unsubscribe

TOPIC_NAMES = {
    "update_reminders": _("update reminders"),
    "milestone_alerts": _("milestone alerts"),
    "weekly_digest": _("the weekly digest"),
}


class PreferenceForm(forms.ModelForm):
    weekly_digest = forms.TypedChoiceField(
        label=_("Weekly digest"),
        choices=[("", _("Default (directors get it)")), ("true", _("Yes")), ("false", _("No"))],
        coerce=lambda value: {"true": True, "false": False}.get(value),
        empty_value=None,
        required=False,
    )

    class Meta:
        model = NotificationPreference
        fields = ["update_reminders", "milestone_alerts", "weekly_digest", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.instance.weekly_digest
        self.initial["weekly_digest"] = "" if value is None else ("true" if value else "false")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    preference = preference_get_or_default(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        preference_save(preference=form.instance)
        messages.success(request, _("Your notification settings were saved."))
        return redirect("notifications:preferences")
    return render(request, "reports/notifications/preferences.html", {"form": form})


@csrf_exempt  # the signed token is the credential; mail clients POST here for one-click unsubscribe
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, topic = read_unsubscribe_token(token)
        user = get_user_model().objects.get(pk=user_id)
    except (signing.BadSignature, get_user_model().DoesNotExist):
        return render(request, "reports/notifications/unsubscribe_invalid.html", status=400)
    context = {"topic": TOPIC_NAMES[topic], "email": user.email}
    if request.method == "GET":
        # Only confirm: link scanners in mail gateways follow GET links.
        return render(request, "reports/notifications/unsubscribe_confirm.html", context)
    preference_unsubscribe(user_id=user_id, topic=topic)
    return render(request, "reports/notifications/unsubscribe_done.html", context)
