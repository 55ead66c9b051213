"""Reads for a use case: lists that carry what their readers need in a fixed number of queries."""

from __future__ import annotations

from django.db import connection
from django.db.models import F, OuterRef, Prefetch, QuerySet, Subquery

from .models import Milestone, Project
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
        .annotate(last_update_week=F("latest_update__week_start"))
        .prefetch_related(Prefetch("milestones", queryset=next_milestones(), to_attr="next_milestone_list"))
    )
