"""Admin for the email deliveries (status, errors, re-send) and users' notification preferences."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .mail.deliveries import deliveries_resend
from .models import Delivery, NotificationPreference


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["kind", "period", "email", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "kind", "period"]
    search_fields = ["email", "period", "recipient__username"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    actions = ["resend"]
    readonly_fields = [
        "kind",
        "period",
        "recipient",
        "email",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # deliveries are recorded by the mailings only

    @admin.display(description=_("last error"))
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @admin.action(description=_("Re-send the selected failed deliveries"), permissions=["change"])
    def resend(self, request, queryset) -> None:
        from .tasks import send_deliveries

        ids = deliveries_resend(delivery_ids=queryset.values_list("pk", flat=True))
        if ids:
            send_deliveries.delay_on_commit(ids)
        skipped = queryset.count() - len(ids)
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery queued to be sent again.", "%(count)d deliveries queued to be sent again.", len(ids)
            )
            % {"count": len(ids)},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d selected delivery was not failed and was left alone.",
                    "%(count)d selected deliveries were not failed and were left alone.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "update_reminders", "milestone_alerts", "weekly_digest", "language"]
    list_filter = ["update_reminders", "milestone_alerts", "weekly_digest", "language"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
