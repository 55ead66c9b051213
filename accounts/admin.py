from django.contrib import admin

from .models import DirectoryAccount


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(admin.ModelAdmin):
    """Read-only: the directory writes these rows at each login and sync."""

    list_display = ["user", "source", "external_id", "mobile", "synced_at"]
    list_filter = ["source"]
    search_fields = ["user__username", "external_id", "mobile"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
