"""Chat bot channels (WeCom, DingTalk, Feishu group bots), people's chat identities, and one delivery row
per chat message, so nothing is posted twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField

from projects.models import Team

from . import querysets


class Platform(models.TextChoices):
    WECOM = "wecom", _("WeCom (企业微信) group bot")
    DINGTALK = "dingtalk", _("DingTalk (钉钉) custom robot")
    FEISHU = "feishu", _("Feishu / Lark (飞书) custom bot")


class Kind(models.TextChoices):
    """What a channel can receive; each is one message per channel per period."""

    UPDATE_REMINDER = "update_reminder", _("Update reminders")
    MILESTONE_ALERT = "milestone_alert", _("Milestone alerts")
    DIGEST = "digest", _("Weekly digest")
    DIRECTOR_COMMENT = "director_comment", _("Director comments")


# The Channel field that subscribes it to each kind.
SUBSCRIPTION_FIELDS = {
    Kind.UPDATE_REMINDER: "receives_reminders",
    Kind.MILESTONE_ALERT: "receives_milestone_alerts",
    Kind.DIGEST: "receives_digest",
    Kind.DIRECTOR_COMMENT: "receives_director_comments",
}


class Channel(models.Model):
    """One group bot: a team's group (or the whole department's, without a team) on one chat platform.

    The webhook URL (it carries the bot's key or token) and the signing secret are stored encrypted
    (Fernet, keys derived from SECRET_KEY) and never shown again after they are saved.
    """

    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=10, choices=Platform)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="chat_channels",
        help_text=_("Empty: the whole department."),
    )
    webhook_url = EncryptedCharField(_("webhook URL"), max_length=2000)
    secret = EncryptedCharField(
        _("signing secret"),
        max_length=500,
        null=True,
        blank=True,
        help_text=_("Only when the bot's security setting is signing (DingTalk SEC…, Feishu signature)."),
    )
    webhook_hint = models.CharField(
        _("webhook"), max_length=200, editable=False, help_text=_("The host and the last characters of the key.")
    )
    receives_reminders = models.BooleanField(_("update reminders"), default=True)
    receives_milestone_alerts = models.BooleanField(_("milestone alerts"), default=True)
    receives_digest = models.BooleanField(_("weekly digest"), default=False)
    receives_director_comments = models.BooleanField(_("director comments"), default=False)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, blank=True, help_text=_("Empty: the site's.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = querysets.ChannelQuerySet.as_manager()

    class Meta:
        ordering = ["team__name", "name"]
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "name"],
                name="%(app_label)s_%(class)s_unique_name",
                violation_error_message=_("This team already has a channel of this name."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    def receives(self, kind: str) -> bool:
        return bool(getattr(self, SUBSCRIPTION_FIELDS[kind]))


class ChannelSend(models.Model):
    """One message posted to a channel's bot at a time: the sliding window behind the per-bot rate limit."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="sends")
    at = models.DateTimeField(db_index=True)

    class Meta:
        # The limiter counts one channel's sends within the last window.
        indexes = [models.Index(fields=["channel", "at"], name="chatbots_send_channel_at_idx")]

    def __str__(self) -> str:
        return f"{self.channel_id} @ {self.at:%Y-%m-%d %H:%M:%S}"


class ChatIdentity(models.Model):
    """Who a person is on the chat platforms, so messages @-mention them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="chat_identity"
    )
    wecom_user_id = models.CharField(_("WeCom user id"), max_length=64, blank=True)
    dingtalk_user_id = models.CharField(_("DingTalk user id"), max_length=64, blank=True)
    mobile = models.CharField(
        _("mobile"),
        max_length=20,
        blank=True,
        help_text=_("Used to @-mention on DingTalk (and WeCom text messages) when there is no user id."),
    )
    feishu_open_id = models.CharField(_("Feishu open id"), max_length=64, blank=True, help_text=_("ou_…"))

    objects = querysets.ChatIdentityQuerySet.as_manager()

    class Meta:
        verbose_name = _("chat identity")
        verbose_name_plural = _("chat identities")
        constraints = [
            models.CheckConstraint(
                condition=Q(feishu_open_id="") | Q(feishu_open_id__startswith="ou_"),
                name="%(app_label)s_%(class)s_feishu_open_id",
                violation_error_message=_("A Feishu open id starts with ou_."),
            ),
            models.CheckConstraint(
                condition=Q(mobile="") | Q(mobile__regex=r"^\+?[0-9]{6,15}$"),
                name="%(app_label)s_%(class)s_mobile_digits",
                violation_error_message=_("A mobile number is digits only (an optional leading +)."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)


class ChatDelivery(models.Model):
    """One chat message of one kind for one period to one channel; unique, so nothing is posted twice.

    A message longer than the platform allows goes out in parts; ``parts_sent`` counts those already
    accepted, so a retry goes on with the next part.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Nothing left to send")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    period = models.DateField(_("period"), help_text=_("The week's Monday, or the day of daily alerts."))
    channel = models.ForeignKey(Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    parts_sent = models.PositiveSmallIntegerField(_("parts sent"), default=0)
    error_code = models.CharField(_("platform error code"), max_length=20, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_at = models.DateTimeField(
        _("claimed at"), null=True, blank=True, help_text=_("When a worker last took this message to send it.")
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("chat delivery")
        verbose_name_plural = _("chat deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "period", "channel"],
                name="%(app_label)s_%(class)s_once_per_period",
                violation_error_message=_("This message was already sent to this channel for this period."),
            )
        ]
        # Retries and the admin look for what is still pending or failed.
        indexes = [models.Index(fields=["status", "kind"], name="chatbots_delivery_status_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} → {self.channel_id}"
