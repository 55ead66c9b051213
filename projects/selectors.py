"""Reads for a use case: lists that carry what their readers need in a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery, Window
from django.db.models.functions import JSONObject

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
# of the page its latest update and next milestone as JSON objects by subqueries, which PostgreSQL
# evaluates after the sort and limit (only for the rows of the page, by their indexes: the page never
# reads the history of updates), and the number of projects in every row (``COUNT(*) OVER ()``), so
# the page needs no count query (``pagination.CountedPaginator``).
PROJECT_ROW_FIELDS = (
    "id", "objective_id", "objective__code", "name", "description", "owner_id", "owner__first_name",
    "owner__last_name", "owner__username", "team_id", "team__name", "status", "health", "percent",
    "start_date", "qa_date", "launch_date", "qa_date_baseline", "launch_date_baseline", "is_key_work",
    "order", "created_at", "version",
)  # fmt: skip


def project_rows(projects: QuerySet[Project]) -> QuerySet:
    """``projects`` (``project_list``, filtered and ordered) as dicts of ``PROJECT_ROW_FIELDS`` with
    ``latest_update`` and ``next_milestone`` (dicts of JSON values, or None) and ``total``."""
    update = ProgressUpdate.objects.filter(pk=OuterRef("latest_update_id")).order_by()
    update = update.values(
        json=JSONObject(
            id="id", week_start="week_start", percent="percent", health="health", summary="summary",
            next_steps="next_steps", risks="risks", updated_at="updated_at", author_id="author_id",
            author_first_name="author__first_name", author_last_name="author__last_name",
            author_username="author__username",
        )
    )  # fmt: skip
    milestone = Milestone.objects.open().filter(project=OuterRef("pk")).in_upcoming_order()
    milestone = milestone.values(
        json=JSONObject(id="id", title="title", due_date="due_date", status="status", percent="percent")
    )[:1]
    return (
        projects.prefetch_related(None)
        .annotate(latest_update_row=Subquery(update), next_milestone_row=Subquery(milestone), total=Window(Count("*")))
        .values(*PROJECT_ROW_FIELDS, "latest_update_row", "next_milestone_row", "total")
    )
