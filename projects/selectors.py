"""Reads for a use case: lists that carry what their readers need in a fixed number of queries."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from .models import Milestone, ProgressUpdate, Project


def latest_updates() -> QuerySet[ProgressUpdate]:
    """Each project's most recent weekly update (one row per project that has any)."""
    newest = ProgressUpdate.objects.filter(project=OuterRef("project")).order_by("-week_start").values("pk")[:1]
    return ProgressUpdate.objects.filter(pk=Subquery(newest)).select_related("author")


def next_milestones() -> QuerySet[Milestone]:
    """Each project's next milestone: ``projects.models.next_milestone`` for today, in SQL."""
    first = Milestone.objects.open().filter(project=OuterRef("project")).in_upcoming_order().values("pk")[:1]
    return Milestone.objects.filter(pk=Subquery(first))


def project_list(*, user) -> QuerySet[Project]:
    """Projects the user may see, with owner, team, objective, latest update and next milestone.

    Five queries whatever the number of projects: the page, its count, and three prefetches
    (``latest_update_list`` and ``next_milestone_list`` hold at most one row each).
    """
    last_week = ProgressUpdate.objects.filter(project=OuterRef("pk")).order_by("-week_start").values("week_start")[:1]
    return (
        Project.objects.visible_to(user)
        .select_related("objective", "owner", "team")
        .annotate(last_update_week=Subquery(last_week))
        .prefetch_related(
            Prefetch("updates", queryset=latest_updates(), to_attr="latest_update_list"),
            Prefetch("milestones", queryset=next_milestones(), to_attr="next_milestone_list"),
        )
    )
