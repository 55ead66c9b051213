"""Who gets which email: the selectors behind reminders, milestone alerts and the digest.

Each returns plain lists loaded in a fixed number of queries, whatever the number of people.
Only active users with an email address are chosen, and each user's NotificationPreference
(absent = the defaults) is respected.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from projects.models import Milestone, Project
from projects.weeks import Week

from ..models import NotificationPreference
from ..workdays import add_working_days

DIRECTORS = "Directors"
ALERT_HORIZON_WORKING_DAYS = 3


@dataclass(frozen=True)
class ProjectToUpdate:
    """A project as a reminder names it (light: thousands are read at once)."""

    pk: int
    name: str
    objective_code: str
    percent: Decimal
    health: str


def projects_to_update(projects: QuerySet[Project]) -> list[tuple[int, ProjectToUpdate]]:
    """(owner id, project) for each of ``projects``, in the order reminders list them."""
    rows = projects.order_by("owner_id", "objective__order", "objective__code", "order", "name").values_list(
        "owner_id", "pk", "name", "objective__code", "percent", "health"
    )
    return [(owner_id, ProjectToUpdate(*row)) for owner_id, *row in rows]


@dataclass
class OwnerReminder:
    """One owner and the active projects that have no update for the week."""

    user: object
    projects: list[ProjectToUpdate] = field(default_factory=list)


@dataclass
class OwnerAlert:
    """One owner and their open milestones that are overdue or due soon."""

    user: object
    overdue: list[Milestone] = field(default_factory=list)
    due_soon: list[Milestone] = field(default_factory=list)


def _preference(user) -> NotificationPreference:
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def language_of(user) -> str:
    """The user's chosen language, else the site's."""
    if user is None:
        return settings.LANGUAGE_CODE
    return _preference(user).language or settings.LANGUAGE_CODE


def _reachable(user) -> bool:
    return bool(user and user.is_active and user.email)


def owners_missing_updates(week: Week, *, owner=None, owners=None) -> list[OwnerReminder]:
    """Owners with stale projects (``ProjectQuerySet.stale_for``) in ``week``, with those projects.

    ``owner`` (one user) or ``owners`` (user ids) narrow it to what their reminders say when sent.
    Two queries: the projects, then their owners.
    """
    projects = (
        Project.objects.stale_for(week.monday)
        .filter(owner__is_active=True)
        .exclude(owner__email="")
        .exclude(owner__notification_preference__update_reminders=False)
    )
    if owner is not None:
        projects = projects.filter(owner=owner)
    if owners is not None:
        projects = projects.filter(owner__any=list(owners))
    by_owner: dict[int, list[ProjectToUpdate]] = defaultdict(list)
    for owner_id, project in projects_to_update(projects):
        by_owner[owner_id].append(project)
    users = get_user_model().objects.select_related("notification_preference").in_bulk(list(by_owner))
    return [OwnerReminder(user=users[owner_id], projects=rows) for owner_id, rows in by_owner.items()]


def alert_horizon(day: date) -> date:
    """The last due date that counts as "due soon" on ``day``: three working days ahead."""
    return add_working_days(day, ALERT_HORIZON_WORKING_DAYS)


def owners_with_milestone_alerts(day: date, *, owner=None, owners=None) -> list[OwnerAlert]:
    """Owners (the milestone's, else the project's) of open milestones overdue or due within the horizon.

    ``owner`` (one user) or ``owners`` (user ids) narrow it.
    """
    milestones = (
        Milestone.objects.open()
        .filter(due_date__lte=alert_horizon(day), project__status__in=Project.ACTIVE_STATUSES)
        .select_related(
            "project",
            "owner",
            "owner__notification_preference",
            "project__owner",
            "project__owner__notification_preference",
        )
        .order_by("due_date", "project__name", "order", "pk")
    )
    if owner is not None:
        milestones = milestones.filter(Q(owner=owner) | Q(owner__isnull=True, project__owner=owner))
    if owners is not None:
        owners = list(owners)
        milestones = milestones.filter(Q(owner__in=owners) | Q(owner__isnull=True, project__owner__in=owners))
    by_owner: dict[int, OwnerAlert] = {}
    for milestone in milestones:
        user = milestone.owner or milestone.project.owner
        if not _reachable(user) or not _preference(user).milestone_alerts:
            continue
        alert = by_owner.setdefault(user.pk, OwnerAlert(user=user))
        (alert.overdue if milestone.due_date < day else alert.due_soon).append(milestone)
    return sorted(by_owner.values(), key=lambda alert: alert.user.pk)


def digest_recipients() -> list:
    """Directors (unless they opted out) and everyone who subscribed to the weekly digest."""
    directors = Q(groups__name=DIRECTORS) & ~Q(notification_preference__weekly_digest=False)
    subscribed = Q(notification_preference__weekly_digest=True)
    return list(
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .filter(directors | subscribed)
        .select_related("notification_preference")
        .distinct()
        .order_by("pk")
    )
