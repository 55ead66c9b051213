"""Reads for a use case: lists that carry what their readers need in a fixed number of queries."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Window
from django.db.models.functions import JSONArray

from .models import Milestone, ProgressUpdate, Project
from .querysets import UPCOMING


def next_milestones() -> QuerySet[Milestone]:
    """Each project's next milestone: ``projects.models.next_milestone`` for today, in SQL."""
    if connection.vendor == "postgresql":
        # One sorted pass over the open milestones instead of a subquery per milestone row.
        return Milestone.objects.open().in_upcoming_order().order_by("project_id", *UPCOMING).distinct("project_id")
    first = Milestone.objects.open().filter(project=OuterRef("project")).in_upcoming_order().values("pk")[:1]
    return Milestone.objects.filter(pk=Subquery(first))


def project_list(*, user) -> QuerySet[Project]:
    """Projects the user may see, with owner, team, objective, latest update and next milestone.

    Three queries whatever the number of projects and the length of their history: the page, its
    count, and the next milestones of the page's projects (the latest update is a join on the
    pointer the services keep).
    """
    return (
        Project.objects.visible_to(user)
        .select_related("objective", "owner", "team", "latest_update", "latest_update__author")
        .prefetch_related(Prefetch("milestones", queryset=next_milestones(), to_attr="next_milestone_list"))
    )


# A page of the projects list as plain rows (the same page as ``project_list``, without model
# instances), in one query: the projects with owner, team and objective by joins, and for each row
# of the page its latest update and next milestone as JSON arrays by subqueries, which PostgreSQL
# evaluates after the sort and limit (only for the rows of the page, by their indexes: the page never
# reads the history of updates), and the number of projects in every row (``COUNT(*) OVER ()``), so
# the page needs no count query (``pagination.CountedPaginator``).
PROJECT_ROW_FIELDS = (
    "id", "objective_id", "objective__code", "name", "description", "owner_id", "owner__first_name",
    "owner__last_name", "owner__username", "team_id", "team__name", "status", "health", "percent",
    "start_date", "qa_date", "launch_date", "qa_date_baseline", "launch_date_baseline", "is_key_work",
    "order", "created_at", "version",
)  # fmt: skip
# The arrays' values, in order (dates and times as the database writes them in JSON, numbers as numbers).
UPDATE_ARRAY = (
    "id", "week_start", "percent", "health", "summary", "next_steps", "risks", "updated_at", "author_id",
    "author__first_name", "author__last_name", "author__username",
)  # fmt: skip
MILESTONE_ARRAY = ("id", "title", "due_date", "status", "percent")


def project_rows(*, user) -> QuerySet:
    """The projects ``user`` may see as dicts of ``PROJECT_ROW_FIELDS`` with ``latest_update_values`` and
    ``next_milestone_values`` (lists of ``UPDATE_ARRAY``, ``MILESTONE_ARRAY``, or None) and ``total``,
    to filter, order and page."""
    return _project_rows().visible_to(user)


@cache  # built once per process (building it costs more than reading a page); each use is a clone
def _project_rows() -> QuerySet:
    update = ProgressUpdate.objects.filter(pk=OuterRef("latest_update_id")).order_by()
    milestone = Milestone.objects.open().filter(project=OuterRef("pk")).in_upcoming_order()[:1]
    return Project.objects.annotate(
        latest_update_values=Subquery(update.values(array=JSONArray(*UPDATE_ARRAY))),
        next_milestone_values=Subquery(milestone.values(array=JSONArray(*MILESTONE_ARRAY))),
        total=Window(Count("*")),
    ).values(*PROJECT_ROW_FIELDS, "latest_update_values", "next_milestone_values", "total")
