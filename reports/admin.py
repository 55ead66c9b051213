"""Admin for the director's per-week text; other report admins are imported at the end of this module."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from projects.weeks import Week, current_week_start, week_start

from . import admin_deliveries  # noqa: F401  registers the deliveries and preferences admins
from .admin_import import import_job_view, import_weekly_report_view
from .models import DirectorNote


class DirectorNoteForm(forms.ModelForm):
    """Any day of the week may be chosen; the note is stored under that week's Monday."""

    class Meta:
        model = DirectorNote
        fields = ["week_start", "highlights", "other_work", "reflections", "next_week"]
        help_texts = {"week_start": _("Pick any day of the week; it is stored as that week's Monday.")}

    def clean_week_start(self):
        day = self.cleaned_data["week_start"]
        return week_start(day) if day else day


@admin.register(DirectorNote)
class DirectorNoteAdmin(SimpleHistoryAdmin):
    form = DirectorNoteForm
    list_display = ["week_label", "week_start", "has_highlights", "author", "updated_at"]
    list_select_related = ["author"]
    date_hierarchy = "week_start"
    search_fields = ["highlights", "other_work", "reflections", "next_week"]
    change_list_template = "admin/reports/directornote/change_list.html"

    def get_urls(self):
        import_url = path(
            "import/",
            self.admin_site.admin_view(import_weekly_report_view),
            name="reports_import_weekly_report",
        )
        job_url = path(
            "import/<int:job_id>/",
            self.admin_site.admin_view(import_job_view),
            name="reports_import_job",
        )
        return [import_url, job_url, *super().get_urls()]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("week_start", current_week_start())
        return initial

    @admin.display(description=_("week"), ordering="week_start")
    def week_label(self, obj: DirectorNote) -> str:
        week = Week.of(obj.week_start)
        return f"{week.label_zh} · {week.code}"

    @admin.display(description=_("highlights written"), boolean=True)
    def has_highlights(self, obj: DirectorNote) -> bool:
        return bool(obj.highlights.strip())

    def save_model(self, request, obj, form, change):
        if obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)
