"""The admin's channel form: the webhook URL and the secret are written once and never shown again."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Channel
from .webhooks import validate_webhook_url


class ChannelForm(forms.ModelForm):
    new_webhook_url = forms.CharField(
        label=_("webhook URL"),
        required=False,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "size": 80}),
        help_text=_(
            "Copied from the bot's settings. It holds the bot's key, so it is never shown again; leave "
            "empty to keep the saved one."
        ),
    )
    new_secret = forms.CharField(
        label=_("signing secret"),
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Only when the bot signs its messages (DingTalk: SEC…; Feishu: signature check). Never shown "
            "again; leave empty to keep the saved one."
        ),
    )
    clear_secret = forms.BooleanField(label=_("remove the signing secret"), required=False)

    class Meta:
        model = Channel
        fields = [
            "name",
            "platform",
            "team",
            "receives_reminders",
            "receives_milestone_alerts",
            "receives_digest",
            "receives_director_comments",
            "language",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        platform = data.get("platform")
        url = (data.get("new_webhook_url") or "").strip()
        if not url and not self.instance.pk:
            self.add_error("new_webhook_url", _("Paste the bot's webhook URL."))
        elif platform:
            try:
                validate_webhook_url(platform, url or self.instance.webhook_url or "")
            except ValidationError as exc:
                self.add_error("new_webhook_url" if url else "platform", exc)
        return data
