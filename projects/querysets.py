"""Reusable filters, and the one place that decides who may see and change what.

Every reader and writer (admin, API, pages, tasks) asks ``visible_to(user)`` and
``editable_by(user)`` here, so the rules cannot drift apart:

- any signed-in, active user reads everything;
- superusers change everything;
- project owners change the projects they own, the milestones of those projects and those
  projects' weekly updates (of the last ``UPDATE_EDIT_WINDOW_WEEKS`` weeks; older ones are the
  record), and incidents they reported or that hit their projects, except their grade and
  responsibility share;
- a milestone's assignee updates its percent and status in place; only the project's owner moves
  it to another project or deletes it;
- directors change objectives, key results and readings (plain model permissions) and every
  incident, grade and share included (the ``manage_all_incidents`` permission);
- directors comment on and acknowledge every weekly update (``comment_on_all_updates``); owners
  reply on their own projects' updates (``may_comment``, ``may_acknowledge``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q


def _can_read(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.all() if _can_read(user) else self.none()

    def editable_by(self, user):
        """Default rule: whoever holds the model's change permission changes every row."""
        if not _can_read(user):
            return self.none()
        opts = self.model._meta
        return self.all() if user.has_perm(f"{opts.app_label}.change_{opts.model_name}") else self.none()

    def is_editable_by(self, user, obj) -> bool:
        return obj is not None and obj.pk is not None and self.editable_by(user).filter(pk=obj.pk).exists()


class OwnedQuerySet(VisibleQuerySet):
    """Rows that belong to whoever owns them: ``owner_lookups`` name the user fields."""

    owner_lookups: tuple[str, ...] = ()

    def editable_by(self, user):
        rows = super().editable_by(user)
        if not _can_read(user) or user.is_superuser:
            return rows
        owned = Q()
        for lookup in self.owner_lookups:
            owned |= Q(**{lookup: user})
        return rows.filter(owned)


class ProjectQuerySet(OwnedQuerySet):
    owner_lookups = ("owner",)

    def named(self, name: str):
        """Projects called ``name`` now or before (their other names)."""
        name = name.strip()
        return self.filter(Q(name=name) | Q(aliases__name=name)).distinct()

    def active(self):
        return self.filter(status__in=self.model.ACTIVE_STATUSES)

    def with_last_update(self):
        return self.annotate(last_update_week=F("latest_update__week_start"))

    def without_update_for(self, week_start: date):
        from .models import ProgressUpdate

        has_update = ProgressUpdate.objects.filter(project=OuterRef("pk"), week_start=week_start)
        return self.filter(~Exists(has_update))

    def stale_for(self, week_start: date):
        """Active projects without an update for the week: ``Project.is_stale`` in SQL."""
        return self.active().without_update_for(week_start)


UPCOMING = (F("due_date").asc(nulls_last=True), "order", "pk")  # the order of open milestones
# What a milestone's assignee (who does not own its project) may change: its progress, in place.
MILESTONE_ASSIGNEE_FIELDS = ("status", "percent", "completed_on")


class MilestoneQuerySet(OwnedQuerySet):
    owner_lookups = ("project__owner", "owner")

    def managed_by(self, user):
        """Milestones ``user`` may move to another project, delete, or change entirely: their project's."""
        rows = super(OwnedQuerySet, self).editable_by(user)
        if not _can_read(user) or user.is_superuser:
            return rows
        return rows.filter(project__owner=user)

    def is_managed_by(self, user, obj) -> bool:
        return obj is not None and obj.pk is not None and self.managed_by(user).filter(pk=obj.pk).exists()

    def may_change(self, user, obj, fields) -> bool:
        """Whether ``user`` may change these ``fields`` of the milestone (admin and API ask this)."""
        if self.is_managed_by(user, obj):
            return True
        return set(fields) <= set(MILESTONE_ASSIGNEE_FIELDS) and self.is_editable_by(user, obj)

    def open(self):
        """Not done and not cancelled: ``Milestone.is_open_on`` for today."""
        return self.exclude(status__in=[self.model.Status.DONE, self.model.Status.CANCELLED])

    def overdue_on(self, day: date):
        return self.open().filter(due_date__lt=day)

    def in_upcoming_order(self):
        """Earliest due first, undated last, then by number: ``milestone_upcoming_key``."""
        return self.order_by(*UPCOMING)


def update_weeks_open_from() -> date:
    """The oldest week (Monday) whose update owners may still write; older weeks are read-only."""
    from .weeks import current_week_start

    return current_week_start() - timedelta(weeks=settings.UPDATE_EDIT_WINDOW_WEEKS)


def update_week_is_open_to(user, week_start: date) -> bool:
    return bool(_can_read(user) and (user.is_superuser or week_start >= update_weeks_open_from()))


class ProgressUpdateQuerySet(OwnedQuerySet):
    owner_lookups = ("project__owner",)

    def editable_by(self, user):
        rows = super().editable_by(user)
        if not _can_read(user) or user.is_superuser:
            return rows
        return rows.filter(week_start__gte=update_weeks_open_from())


class UpdateCommentQuerySet(VisibleQuerySet):
    """Everyone who reads updates reads their comments; nobody edits one (a reply corrects it)."""

    def editable_by(self, user):
        return self.none()

    def for_week(self, week_start: date, project_ids=None):
        rows = self.filter(update__week_start=week_start).select_related("author", "update")
        return rows.filter(update__project_id__any=project_ids) if project_ids is not None else rows


def may_acknowledge(user) -> bool:
    """Directors (and superusers) comment on and acknowledge any project's weekly update."""
    return _can_read(user) and user.has_perm("projects.comment_on_all_updates")


def may_comment(user, update) -> bool:
    """Directors on any update; an owner replies on the updates of the projects they own."""
    if not _can_read(user) or update is None or update.pk is None:
        return False
    return may_acknowledge(user) or update.project.owner_id == user.pk


class IncidentQuerySet(OwnedQuerySet):
    owner_lookups = ("reported_by", "project__owner")

    def editable_by(self, user):
        if _can_read(user) and user.has_perm("projects.manage_all_incidents"):
            return self.all()
        return super().editable_by(user)

    @staticmethod
    def may_rate(user) -> bool:
        """Whether ``user`` sets an incident's grade and responsibility share: directors (and superusers)."""
        return bool(_can_read(user) and user.has_perm("projects.manage_all_incidents"))

    def detected_between(self, start, end):
        return self.filter(detected_at__gte=start, detected_at__lt=end)
