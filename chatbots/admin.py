"""Admin: chat channels (secrets write-only), people's chat identities, and the chat deliveries with
their state, the platform's error code and a re-send action."""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .deliveries import deliveries_resend
from .forms import ChannelForm
from .models import Channel, ChatDelivery, ChatIdentity
from .services import channel_save, chat_identity_save


@admin.register(Channel)
class ChannelAdmin(admin.ModelAdmin):
    form = ChannelForm
    list_display = [
        "name",
        "platform",
        "team",
        "webhook_hint",
        "signed",
        "receives_reminders",
        "receives_milestone_alerts",
        "receives_digest",
        "receives_director_comments",
        "is_active",
    ]
    list_filter = ["platform", "team", "is_active"]
    search_fields = ["name", "team__name"]
    list_select_related = ["team"]
    readonly_fields = ["webhook_hint"]
    fieldsets = [
        (None, {"fields": ["name", "platform", "team", "language", "is_active"]}),
        (_("Bot"), {"fields": ["webhook_hint", "new_webhook_url", "new_secret", "clear_secret"]}),
        (
            _("Receives"),
            {
                "fields": [
                    "receives_reminders",
                    "receives_milestone_alerts",
                    "receives_digest",
                    "receives_director_comments",
                ],
                "description": _("Director comments are not sent yet: the feature that writes them is still to come."),
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    @admin.display(description=_("signed"), boolean=True)
    def signed(self, obj: Channel) -> bool:
        return bool(obj.secret)

    def save_model(self, request, obj, form, change) -> None:
        data = form.cleaned_data
        channel_save(
            channel=obj,
            webhook_url=data.get("new_webhook_url") or None,
            secret=data.get("new_secret") or None,
            clear_secret=data.get("clear_secret", False),
        )


@admin.register(ChatIdentity)
class ChatIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "wecom_user_id", "dingtalk_user_id", "mobile", "feishu_open_id"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "wecom_user_id", "feishu_open_id"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is None:
            return request.user.is_active and request.user.is_staff
        return ChatIdentity.objects.is_editable_by(request.user, obj)

    def has_add_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    def get_autocomplete_fields(self, request):
        # Searching all users needs their view permission: directors and superusers only.
        return ["user"] if request.user.has_perm("chatbots.change_chatidentity") else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if not request.user.has_perm("chatbots.change_chatidentity") and "user" in form.base_fields:
            # Everyone may give their own identity; only directors and superusers give anyone's.
            form.base_fields["user"].queryset = form.base_fields["user"].queryset.filter(pk=request.user.pk)
            form.base_fields["user"].initial = request.user.pk
        return form

    def save_model(self, request, obj, form, change) -> None:
        chat_identity_save(identity=obj)


@admin.register(ChatDelivery)
class ChatDeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "period",
        "channel",
        "status",
        "attempts",
        "parts_sent",
        "error_code",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "kind", "channel__platform", "period"]
    search_fields = ["channel__name", "error_code"]
    date_hierarchy = "created_at"
    list_select_related = ["channel", "channel__team"]
    actions = ["resend"]
    readonly_fields = [
        "kind",
        "period",
        "channel",
        "status",
        "attempts",
        "parts_sent",
        "error_code",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # deliveries are recorded by the schedules only

    def get_urls(self):
        resend = self.admin_site.admin_view(self.resend_one)
        return [path("<int:pk>/resend/", resend, name="chatbots_chatdelivery_resend"), *super().get_urls()]

    def resend_one(self, request, pk: int):
        """The change page's "Re-send this message" button (POST)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        delivery = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, delivery):
            return HttpResponseRedirect(reverse("admin:index"))
        self.resend(request, self.get_queryset(request).filter(pk=delivery.pk))
        return HttpResponseRedirect(reverse("admin:chatbots_chatdelivery_change", args=[delivery.pk]))

    @admin.display(description=_("last error"))
    def short_error(self, obj: ChatDelivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Re-send the selected failed chat messages"), permissions=["change"])
    def resend(self, request, queryset) -> None:
        from .tasks import send_delivery

        ids = deliveries_resend(delivery_ids=queryset.values_list("pk", flat=True))
        for delivery_id in ids:
            send_delivery.delay_on_commit(delivery_id)
        self.message_user(
            request,
            ngettext(
                "%(count)d chat message queued to be sent again.",
                "%(count)d chat messages queued to be sent again.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS,
        )
        skipped = queryset.count() - len(ids)
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected message was not failed and was left alone.",
                    "%(count)d selected messages were not failed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
