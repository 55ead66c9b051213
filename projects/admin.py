"""The owners' admin: update this week's progress and milestones of your projects in one form."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .admin_carry_over import carry_over_view
from .admin_display import health_badge, progress_bar
from .admin_my_week import my_week_view
from .models import (
    Cycle,
    Incident,
    KeyResult,
    KeyResultReading,
    Milestone,
    Objective,
    PlannedDateChange,
    ProgressUpdate,
    Project,
    ProjectAlias,
    Team,
    UpdateComment,
)
from .names import person_name
from .querysets import MILESTONE_ASSIGNEE_FIELDS, may_acknowledge, may_comment, update_week_is_open_to
from .weeks import Week, current_week_start, week_start

admin.site.site_header = admin.site.site_title = _("OKR tracker")
admin.site.index_title = _("Objectives, projects and weekly reports")


class RowRulesMixin:
    """Rows shown and row-level change and delete rights, decided by the model's queryset rules."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def _may_edit(self, request, obj) -> bool:
        return obj is None or self.model.objects.is_editable_by(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit(request, obj)


class ProjectPartAdmin(RowRulesMixin, SimpleHistoryAdmin):
    """Milestones and updates: only a project one may change can be chosen."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "project":
            kwargs["queryset"] = Project.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ParentRulesInlineMixin:
    """Inline rows may be changed when their parent may: the parent's rule is the inline's rule."""

    def _may_edit_parent(self, request, obj) -> bool:
        return obj is None or type(obj).objects.is_editable_by(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._may_edit_parent(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_edit_parent(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_edit_parent(request, obj)


# --- list filters ---------------------------------------------------------------------------


class UpdatedThisWeekFilter(admin.SimpleListFilter):
    """The rollup's "stale" (``ProjectQuerySet.stale_for``): active projects without this week's update."""

    title = _("this week's update")
    parameter_name = "updated"

    def lookups(self, request, model_admin):
        return [("no", _("No update this week")), ("yes", _("Updated this week"))]

    def queryset(self, request, queryset):
        monday = current_week_start()
        if self.value() == "no":
            return queryset.stale_for(monday)
        if self.value() == "yes":
            return queryset.exclude(pk__in=queryset.without_update_for(monday).values("pk"))
        return queryset


class MineFilter(admin.SimpleListFilter):
    """Owners of projects see theirs first (``?mine=all`` shows everyone's); others see all by default."""

    title = _("owner")
    parameter_name = "mine"

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        if self.parameter_name not in self.used_parameters and Project.objects.filter(owner=request.user).exists():
            self.used_parameters[self.parameter_name] = "yes"

    def lookups(self, request, model_admin):
        return [("yes", _("My projects")), ("all", _("Everyone's projects"))]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        return queryset.filter(owner=request.user) if self.value() == "yes" else queryset


class WeekStartForm(forms.ModelForm):
    """Any day of a week names the week; it is stored by its Monday."""

    def clean_week_start(self):
        day = self.cleaned_data["week_start"]
        return week_start(day) if day else day


class ProgressUpdateForm(WeekStartForm):
    """An update's week must still be open to the editor (``UPDATE_EDIT_WINDOW_WEEKS``)."""

    user = None  # set by the admin's get_form

    def clean_week_start(self):
        day = super().clean_week_start()
        if day and not update_week_is_open_to(self.user, day):
            raise ValidationError(_("Updates of weeks this old are the record; they can no longer be changed."))
        return day


# --- projects -------------------------------------------------------------------------------


class ProjectForm(forms.ModelForm):
    """Carries the version the editor opened, so a save over someone else's change is refused."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        opened = data.get("opened_version")
        if self.instance.pk and opened is not None:
            current = Project.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current is not None and current != opened:
                raise ValidationError(
                    _(
                        "Someone else changed this project since you opened it. Your changes were not saved: "
                        "open the project again to see theirs, then make yours."
                    ),
                    code="stale",
                )
        return data


class MilestoneInline(ParentRulesInlineMixin, admin.TabularInline):
    model = Milestone
    fields = ["order", "title", "owner", "weight", "due_date", "status", "percent", "completed_on"]
    extra = 0


class ThisWeekUpdateFormSet(BaseInlineFormSet):
    """Only the update of the current week, prefilled with the project's current figures."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial_extra = [{"percent": self.instance.percent, "health": self.instance.health}]

    def get_queryset(self):
        return super().get_queryset().filter(week_start=current_week_start())


def _this_week_title() -> str:
    return _("This week's update (%(week)s)") % {"week": Week.current().label()}


class ThisWeekUpdateInline(ParentRulesInlineMixin, admin.StackedInline):
    model = ProgressUpdate
    formset = ThisWeekUpdateFormSet
    extra = max_num = 1
    can_delete = False
    verbose_name = verbose_name_plural = lazy(_this_week_title, str)()

    def get_fields(self, request, obj=None):
        # With milestones the percent is theirs: the update records it, nobody types it.
        fields = ["percent", "health", "summary", "next_steps", "risks"]
        return fields[1:] if obj is not None and obj.milestones.exists() else fields


class PlannedDateChangeInline(admin.TabularInline):
    model = PlannedDateChange
    fields = readonly_fields = ["kind", "old_date", "new_date", "changed_by", "changed_at"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProjectAliasInline(ParentRulesInlineMixin, admin.TabularInline):
    model = ProjectAlias
    fields = ["name"]
    extra = 0
    verbose_name_plural = _("other names (used to match imported reports)")


@admin.register(Project)
class ProjectAdmin(RowRulesMixin, SimpleHistoryAdmin):
    # What an owner scans first comes first, so it stays visible at phone width.
    list_display = [
        "name",
        "progress",
        "health_badge",
        "last_update",
        "owner_name",
        "objective_code",
        "status",
        "team",
        "key_work_mark",
    ]
    list_display_links = ["name"]
    list_filter = [MineFilter, UpdatedThisWeekFilter, "objective", "team", "health", "status", "is_key_work"]
    list_select_related = ["objective", "owner", "team"]
    search_fields = ["name", "description", "owner__username", "owner__first_name", "owner__last_name"]
    ordering = ["objective__order", "objective__code", "order", "name"]
    inlines = [ThisWeekUpdateInline, MilestoneInline, PlannedDateChangeInline, ProjectAliasInline]
    actions = ["carry_over"]
    form = ProjectForm
    readonly_fields = ["qa_date_baseline", "launch_date_baseline", "recent_updates"]
    fieldsets = [
        (None, {"fields": ["objective", "name", "owner", "team", "status", "is_key_work", "order", "opened_version"]}),
        (_("Progress"), {"fields": ["percent", "health", "recent_updates"]}),
        (
            _("Dates"),
            {"fields": ["start_date", "qa_date", "launch_date", "qa_date_baseline", "launch_date_baseline"]},
        ),
        (_("Description"), {"fields": ["description"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_last_update()

    def get_urls(self):
        from django.urls import path

        my_week = path(
            "my-week/", self.admin_site.admin_view(lambda request: my_week_view(self, request)), name="projects_my_week"
        )
        return [my_week, *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.milestones.exists():
            fields.append("percent")
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # Owners create projects for themselves; only superusers assign them to others.
        if db_field.name == "owner" and not request.user.is_superuser:
            kwargs["queryset"] = db_field.related_model.objects.filter(pk=request.user.pk)
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.project_save(project=obj, user=request.user, expected_version=form.cleaned_data.get("opened_version"))

    @admin.action(description=_("Carry over to another cycle…"), permissions=["change"])
    def carry_over(self, request, queryset):
        return carry_over_view(self, request, queryset, services.project_carry_over, "project")

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        if formset.model is Milestone:
            services.milestones_save(project=form.instance, milestones=instances, deleted=formset.deleted_objects)
        elif formset.model is ProgressUpdate:
            # Written after every other formset (save_related), so its percent is the milestones' new one.
            request._pending_updates = instances
        elif formset.model is ProjectAlias:
            for deleted in formset.deleted_objects:
                deleted.delete()
            for alias in instances:
                alias.full_clean()
                alias.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        for update in getattr(request, "_pending_updates", []):
            update.week_start = update.week_start or current_week_start()
            services.progress_update_save(update=update, author=request.user)
        services.project_refresh_progress(project=form.instance)

    @admin.display(description=_("owner"), ordering="owner__first_name")
    def owner_name(self, obj):
        return person_name(obj.owner)

    @admin.display(description=_("key work"), ordering="-is_key_work")
    def key_work_mark(self, obj):
        # A mark where it is key work and nothing elsewhere: not a column of red crosses.
        return format_html('<span title="{}">★</span>', _("key work")) if obj.is_key_work else ""

    @admin.display(description=_("objective"), ordering="objective__code")
    def objective_code(self, obj):
        return obj.objective.code

    @admin.display(description=_("health"), ordering="health")
    def health_badge(self, obj):
        return health_badge(obj.health, obj.get_health_display())

    @admin.display(description=_("progress"), ordering="percent")
    def progress(self, obj):
        return progress_bar(obj.percent)

    @admin.display(description=_("last update"), ordering="last_update_week")
    def last_update(self, obj):
        return Week.of(obj.last_update_week).label() if obj.last_update_week else "—"

    @admin.display(description=_("recent updates"))
    def recent_updates(self, obj):
        """The last six weeks' updates with the comments on them (the thread the rollup shows)."""
        if not obj.pk:
            return "—"
        updates = obj.updates.order_by("-week_start").prefetch_related(
            Prefetch("comments", queryset=UpdateComment.objects.select_related("author"))
        )[:6]
        rows = []
        for u in updates:
            thread = format_html_join(
                "",
                '<div class="okr-comment">{}{}: {}</div>',
                (
                    (person_name(c.author), " ✓" if c.acknowledged else "", c.text or _("acknowledged"))
                    for c in u.comments.all()
                ),
            )
            rows.append((u.week.label(), u.percent, u.get_health_display(), u.summary, thread))
        body = format_html_join("", "<tr><td>{}</td><td>{}%</td><td>{}</td><td>{}{}</td></tr>", rows)
        return format_html('<table class="recent-updates">{}</table>', body) if rows else "—"


@admin.register(Milestone)
class MilestoneAdmin(ProjectPartAdmin):
    list_display = ["title", "project", "owner_name", "due_date", "status", "progress", "completed_on"]
    list_filter = ["status", "project__objective", "project__team"]
    list_select_related = ["project", "project__owner", "owner"]
    search_fields = ["title", "project__name"]
    ordering = ["project__name", "order"]

    def get_readonly_fields(self, request, obj=None):
        # An assignee who does not own the project updates the status and percent, in place.
        if obj is not None and not Milestone.objects.is_managed_by(request.user, obj):
            editable = MILESTONE_ASSIGNEE_FIELDS
            return [f.name for f in self.model._meta.fields if f.editable and f.name not in editable and f.name != "id"]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or Milestone.objects.is_managed_by(request.user, obj))

    def delete_queryset(self, request, queryset):
        for milestone in queryset.filter(pk__in=Milestone.objects.managed_by(request.user)):
            services.milestone_delete(milestone=milestone)

    def save_model(self, request, obj, form, change):
        services.milestone_save(milestone=obj)

    def delete_model(self, request, obj):
        services.milestone_delete(milestone=obj)

    @admin.display(description=_("progress"), ordering="percent")
    def progress(self, obj):
        return progress_bar(obj.percent)

    @admin.display(description=_("owner"), ordering="owner__first_name")
    def owner_name(self, obj):
        return person_name(obj.owner or obj.project.owner)


class CommentInline(admin.TabularInline):
    """The thread on an update: directors comment or acknowledge, the owner replies (via the service)."""

    model = UpdateComment
    fields = ["author_name", "created_at", "text", "acknowledged"]
    readonly_fields = ["author_name", "created_at"]
    extra = 1
    can_delete = False
    verbose_name = _("comment")
    verbose_name_plural = _("comments from directors and replies")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    def has_view_permission(self, request, obj=None):
        return True  # everyone who reads updates reads their comments

    def has_add_permission(self, request, obj=None):
        return obj is not None and may_comment(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return False  # a comment is not rewritten; a reply corrects it

    def get_fields(self, request, obj=None):
        fields = list(self.fields)
        return fields if may_acknowledge(request.user) else [f for f in fields if f != "acknowledged"]

    @admin.display(description=_("author"))
    def author_name(self, obj):
        return person_name(obj.author) if obj.pk else ""


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ProjectPartAdmin):
    form = ProgressUpdateForm
    list_display = ["project", "week_label", "author_name", "percent", "health_badge", "updated_at"]
    list_filter = ["week_start", "health", "project__objective", "project__team"]
    list_select_related = ["project", "author"]
    search_fields = ["project__name", "summary", "next_steps", "risks"]
    ordering = ["-week_start", "project__name"]
    fields = ["project", "week_start", "percent", "health", "summary", "next_steps", "risks", "author"]
    readonly_fields = ["author"]
    inlines = [CommentInline]

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []  # no thread before the update

    def delete_model(self, request, obj):
        services.progress_update_delete(update=obj)

    def delete_queryset(self, request, queryset):
        for update in queryset:
            services.progress_update_delete(update=update)

    def has_change_permission(self, request, obj=None):
        # Directors may not edit an update, but they open it to comment; the fields stay read-only.
        return super().has_change_permission(request, obj) or (obj is not None and may_comment(request.user, obj))

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not ProgressUpdate.objects.is_editable_by(request.user, obj):
            return [*self.fields]
        return super().get_readonly_fields(request, obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        if ProgressUpdate.objects.is_editable_by(request.user, obj) or not change:
            services.progress_update_save(update=obj, author=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not UpdateComment:
            return super().save_formset(request, form, formset, change)
        for comment in formset.save(commit=False):
            services.update_comment_post(
                update=form.instance, author=request.user, text=comment.text, acknowledge=comment.acknowledged
            )

    @admin.display(description=_("week"), ordering="week_start")
    def week_label(self, obj):
        return obj.week.label()

    @admin.display(description=_("health"), ordering="health")
    def health_badge(self, obj):
        return health_badge(obj.health, obj.get_health_display())

    @admin.display(description=_("author"), ordering="author__first_name")
    def author_name(self, obj):
        return person_name(obj.author)


# --- objectives and key results ---------------------------------------------------------------


class KeyResultInline(admin.TabularInline):
    model = KeyResult
    fields = [
        "order",
        "title",
        "owner",
        "unit",
        "start_value",
        "target_value",
        "current_value",
        "direction",
        "weight",
        "is_operating_metric",
    ]
    readonly_fields = ["current_value"]
    extra = 0


@admin.register(Objective)
class ObjectiveAdmin(SimpleHistoryAdmin):
    list_display = ["code", "title", "cycle", "owner", "team", "order"]
    list_filter = ["cycle", "team"]
    list_select_related = ["cycle", "owner", "team"]
    search_fields = ["code", "title"]
    ordering = ["cycle", "order", "code"]
    inlines = [KeyResultInline]
    autocomplete_fields = ["parent"]


class ReadingInline(admin.TabularInline):
    model = KeyResultReading
    form = WeekStartForm
    fields = ["week_start", "value", "note", "recorded_by"]
    readonly_fields = ["recorded_by"]
    extra = 1
    ordering = ["-week_start"]


@admin.register(KeyResult)
class KeyResultAdmin(SimpleHistoryAdmin):
    list_display = ["title", "objective", "current_value", "target_value", "unit", "progress", "is_operating_metric"]
    list_filter = ["objective__cycle", "objective", "is_operating_metric", "direction"]
    list_select_related = ["objective"]
    search_fields = ["title", "objective__title"]
    readonly_fields = ["current_value"]
    inlines = [ReadingInline]

    actions = ["carry_over"]

    def save_formset(self, request, form, formset, change):
        for reading in formset.save(commit=False):
            reading.recorded_by = request.user
            reading.full_clean()
            reading.save()
        for deleted in formset.deleted_objects:
            deleted.delete()
        services.key_result_refresh_current(key_result=form.instance)

    @admin.action(description=_("Carry over to another cycle…"), permissions=["change"])
    def carry_over(self, request, queryset):
        return carry_over_view(self, request, queryset, services.key_result_carry_over, "key_result")

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return progress_bar(obj.progress())


@admin.register(KeyResultReading)
class KeyResultReadingAdmin(SimpleHistoryAdmin):
    form = WeekStartForm
    list_display = ["key_result", "week_label", "value", "note", "recorded_by"]
    list_filter = ["key_result__objective", "key_result", "week_start"]
    list_select_related = ["key_result", "recorded_by"]
    ordering = ["-week_start"]
    fields = ["key_result", "week_start", "value", "note"]

    def save_model(self, request, obj, form, change):
        obj.recorded_by = request.user
        super().save_model(request, obj, form, change)
        services.key_result_refresh_current(key_result=obj.key_result)

    @admin.display(description=_("week"), ordering="week_start")
    def week_label(self, obj):
        return Week.of(obj.week_start).label()


# --- incidents and reference data ---------------------------------------------------------------


@admin.register(Incident)
class IncidentAdmin(RowRulesMixin, SimpleHistoryAdmin):
    list_display = ["detected_at", "grade", "responsibility_share", "title", "project", "postmortem_done"]
    list_filter = ["grade", "postmortem_done", "team"]
    list_select_related = ["project"]
    search_fields = ["title", "description", "impact", "handling"]
    date_hierarchy = "detected_at"
    readonly_fields = ["reported_by"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not Incident.objects.may_rate(request.user):  # directors grade incidents and share responsibility
            fields += services.INCIDENT_RATING_FIELDS
        return fields

    def save_model(self, request, obj, form, change):
        services.incident_save(incident=obj, user=request.user)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "lead"]
    search_fields = ["name"]


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["name", "start", "end"]
