"""Query-string filters of the API lists, and ordering that always ends on a unique key."""

from __future__ import annotations

from datetime import UTC

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework.filters import OrderingFilter

from ..models import Health, Incident, KeyResult, KeyResultReading, Milestone, Objective, ProgressUpdate, Project
from ..weeks import Week

MAX_ID = 2**53  # ids beyond this are unknown rows, not a database error
# Weeks the API accepts (the views refuse other years too): 1970-W01 .. 2200-W53.
WEEK_PATTERN = r"^(19[7-9][0-9]|2[01][0-9]{2}|2200)-W(0[1-9]|[1-4][0-9]|5[0-3])$"


class MomentField(django_filters.fields.IsoDateTimeField):
    """An ISO-8601 time, handed to the database in UTC (PostgreSQL refuses offsets past ±15:59)."""

    def clean(self, value):
        moment = super().clean(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError(_("Enter a time between the years 1 and 9999."), code="invalid") from exc


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


class WeekField(forms.CharField):
    """A week written like 2023-W53, in the configured numbering."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            return Week.parse(value)
        except ValueError as exc:
            # As a parameter: django-filter %-formats messages, and this one echoes the input.
            raise forms.ValidationError("%(error)s", code="invalid_week", params={"error": str(exc)}) from exc


@extend_schema_field({"type": "string", "pattern": WEEK_PATTERN, "example": "2023-W53"})
class WeekFilter(django_filters.Filter):
    field_class = WeekField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A row id: an integer; one that cannot exist simply matches nothing."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


# Query parameters that are not filters: pages, ordering, the browsable API's format.
NOT_FILTERS = frozenset({"page", "page_size", "ordering", "format"})


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, skipped when the query string names no filter: it builds (and
    deep-copies) a FilterSet and its form for every request, which costs a list as much as its query."""

    def filter_queryset(self, request, queryset, view):
        if request.query_params.keys() <= NOT_FILTERS:
            return queryset
        return super().filter_queryset(request, queryset, view)


class StableOrderingFilter(OrderingFilter):
    """Ordering chosen by ``?ordering=``, always followed by the primary key, so pages are stable.

    A view's ``ordering_lookups`` names the lookup behind an ordering field that is not a column of its
    own (``last_update_week``: ``latest_update__week_start``), so the join is made only for that order.
    """

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or queryset.model._meta.ordering or [])
        if not any(field.lstrip("-") in ("pk", "id") for field in ordering):
            ordering.append("pk")
        lookups = getattr(view, "ordering_lookups", {})
        return [_translated(field, lookups) for field in ordering]


def _translated(field: str, lookups: dict[str, str]) -> str:
    name = field.removeprefix("-")
    return field[: len(field) - len(name)] + lookups.get(name, name)


class ProjectFilter(django_filters.FilterSet):
    objective = IdFilter(field_name="objective_id", help_text="Objective id.")
    objective_code = django_filters.CharFilter(field_name="objective__code", help_text="Objective code, e.g. O2.")
    team = IdFilter(field_name="team_id", help_text="Team id.")
    owner = IdFilter(field_name="owner_id", help_text="Owner's user id.")
    health = django_filters.ChoiceFilter(choices=Health.choices)
    status = django_filters.MultipleChoiceFilter(choices=Project.Status.choices)
    is_key_work = django_filters.BooleanFilter()
    updated_since = MomentFilter(
        method="filter_updated_since", help_text="Projects with an update saved at or after this time."
    )
    week = WeekFilter(method="filter_week", help_text="Projects with an update for this week (2023-W53).")

    class Meta:
        model = Project
        fields = ["objective", "objective_code", "team", "owner", "health", "status", "is_key_work"]

    def filter_updated_since(self, queryset, name, value):
        recent = ProgressUpdate.objects.filter(project=OuterRef("pk"), updated_at__gte=value)
        return queryset.filter(Exists(recent))

    def filter_week(self, queryset, name, week):
        return queryset.filter(Exists(ProgressUpdate.objects.filter(project=OuterRef("pk"), week_start=week.monday)))


class ProgressUpdateFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    objective = IdFilter(field_name="project__objective_id")
    team = IdFilter(field_name="project__team_id")
    owner = IdFilter(field_name="project__owner_id", help_text="The project owner's user id.")
    health = django_filters.ChoiceFilter(choices=Health.choices)
    week = WeekFilter(method="filter_week", help_text="Updates of this week (2023-W53).")
    updated_since = MomentFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = ProgressUpdate
        fields = ["project", "objective", "team", "owner", "health"]

    def filter_week(self, queryset, name, week):
        return queryset.filter(week_start=week.monday)


class MilestoneFilter(django_filters.FilterSet):
    project = IdFilter(field_name="project_id")
    objective = IdFilter(field_name="project__objective_id")
    team = IdFilter(field_name="project__team_id")
    owner = IdFilter(field_name="project__owner_id", help_text="The project owner's user id.")
    status = django_filters.MultipleChoiceFilter(choices=Milestone.Status.choices)
    due_after = django_filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = django_filters.DateFilter(field_name="due_date", lookup_expr="lte")
    week = WeekFilter(method="filter_week", help_text="Milestones due in this week (2023-W53).")

    class Meta:
        model = Milestone
        fields = ["project", "objective", "team", "owner", "status"]

    def filter_week(self, queryset, name, week):
        return queryset.filter(due_date__range=(week.monday, week.sunday))


class ObjectiveFilter(django_filters.FilterSet):
    cycle = IdFilter(field_name="cycle_id")
    team = IdFilter(field_name="team_id")
    owner = IdFilter(field_name="owner_id")
    code = django_filters.CharFilter()

    class Meta:
        model = Objective
        fields = ["cycle", "team", "owner", "code"]


class KeyResultFilter(django_filters.FilterSet):
    objective = IdFilter(field_name="objective_id")
    owner = IdFilter(field_name="owner_id")
    is_operating_metric = django_filters.BooleanFilter()

    class Meta:
        model = KeyResult
        fields = ["objective", "owner", "is_operating_metric"]


class ReadingFilter(django_filters.FilterSet):
    key_result = IdFilter(field_name="key_result_id")
    objective = IdFilter(field_name="key_result__objective_id")
    week = WeekFilter(method="filter_week", help_text="Readings of this week (2023-W53).")
    since = WeekFilter(method="filter_since", help_text="Readings of this week and later.")

    class Meta:
        model = KeyResultReading
        fields = ["key_result", "objective"]

    def filter_week(self, queryset, name, week):
        return queryset.filter(week_start=week.monday)

    def filter_since(self, queryset, name, week):
        return queryset.filter(week_start__gte=week.monday)


class IncidentFilter(django_filters.FilterSet):
    grade = django_filters.MultipleChoiceFilter(choices=Incident.Grade.choices)
    team = IdFilter(field_name="team_id")
    project = IdFilter(field_name="project_id")
    owner = IdFilter(field_name="project__owner_id", help_text="The affected project's owner's user id.")
    week = WeekFilter(method="filter_week", help_text="Incidents detected in this week (2023-W53).")
    detected_since = MomentFilter(field_name="detected_at", lookup_expr="gte")

    class Meta:
        model = Incident
        fields = ["grade", "team", "project", "owner"]

    def filter_week(self, queryset, name, week):
        return queryset.detected_between(*week.bounds())
