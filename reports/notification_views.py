"""Self-service notification settings and the signed one-click unsubscribe links of the emails."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .mail.links import read_unsubscribe_token
from .mail.samples import TOPICS
from .models import NotificationPreference
from .preferences import preference_get_or_default, preference_save, preference_unsubscribe
from .schedules import mail_schedules

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
        labels = {"language": _("Language of this site and of your emails")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        value = self.instance.weekly_digest
        self.initial["weekly_digest"] = "" if value is None else ("true" if value else "false")


def _schedule_texts() -> dict[str, str]:
    """When each email comes, in words, from its beat row."""
    texts = {}
    for topic, schedule in mail_schedules().items():
        if schedule is None or not schedule.enabled:
            texts[topic] = str(_("Not scheduled at the moment."))
        elif schedule.weekday:
            texts[topic] = str(
                _("%(weekday)s at %(time)s (%(tz)s), or the last working day before it when that is a holiday.")
                % {"weekday": WEEKDAYS[schedule.weekday - 1], "time": schedule.time, "tz": schedule.timezone}
            )
        else:
            texts[topic] = str(
                _("Working days at %(time)s (%(tz)s).") % {"time": schedule.time, "tz": schedule.timezone}
            )
    return texts


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    preference = preference_get_or_default(user=request.user)
    if request.method == "POST" and request.POST.get("test") in TOPICS:
        return _send_test(request, request.POST["test"])
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        preference_save(preference=form.instance)
        messages.success(request, _("Your notification settings were saved."))
        response = redirect("notifications:preferences")
        if form.instance.language:  # one language choice for the site and the emails
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.instance.language, samesite="Lax")
        return response
    return render(request, "reports/notifications/preferences.html", {"form": form, "when": _schedule_texts()})


def _send_test(request: HttpRequest, topic: str) -> HttpResponse:
    from .tasks import send_test_email

    if not request.user.email:
        messages.error(request, _("Your account has no email address, so no test can be sent."))
    else:
        send_test_email.delay_on_commit(request.user.pk, topic)
        messages.success(
            request,
            _("A test of %(topic)s is on its way to %(email)s.")
            % {"topic": TOPIC_NAMES[topic], "email": request.user.email},
        )
    return redirect("notifications:preferences")


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
