"""The week's state as it stood at its report's moment, read in a fixed number of queries.

Everything the builder needs is loaded here, each model through ``projects.history.rows_as_of``, so
a change made after the report's cutoff never shows in that week: a project moved to the next
cycle still sits under its old objective in the old weeks, a milestone finished later is still open,
a key result's target is the one known then. Foreign keys are resolved by id through small maps
(rows taken from history carry ids, not loaded objects).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Avg, Case, Count, Q, Value, When
from django.utils import timezone

from projects.history import rows_as_of
from projects.models import (
    Cycle,
    Incident,
    KeyResult,
    KeyResultReading,
    Milestone,
    Objective,
    PlannedDateChange,
    ProgressUpdate,
    Project,
    Team,
)
from projects.names import person_name
from projects.weeks import Week

from ..models import DirectorNote
from .cutoff import report_cutoff

TREND_WEEKS = 12
MILESTONE_FIELDS = ("id", "project_id", "title", "order", "status", "percent", "due_date", "completed_on")
UPDATE_FIELDS = ("id", "project_id", "week_start", "author_id", "summary", "next_steps", "risks")


@dataclass(frozen=True)
class Span:
    """The week's dates and moments, computed once."""

    week: Week
    moment: datetime  # the state shown is the state at this moment
    period_start: datetime  # events after this (the previous report's cutoff) and up to ``moment``
    year_start: datetime  # the start of the first report period of the week's year
    day: date  # the local day of ``moment``: milestones due before it are overdue
    mondays: tuple[date, ...]  # the trend window, oldest first, ending with this week
    codes: tuple[str, ...]

    @classmethod
    def of(cls, week: Week, moment: datetime) -> Span:
        mondays = tuple(week.monday - timedelta(weeks=i) for i in range(TREND_WEEKS - 1, -1, -1))
        return cls(
            week=week,
            moment=moment,
            period_start=report_cutoff(week.previous()),
            year_start=report_cutoff(Week(week.year, 1, week.numbering).previous()),
            day=timezone.localdate(moment),
            mondays=mondays,
            codes=tuple(Week.of(m, week.numbering).code for m in mondays),
        )

    @property
    def monday(self) -> date:
        return self.mondays[-1]

    @property
    def previous_monday(self) -> date:
        return self.mondays[-2]

    def contains(self, day: date) -> bool:
        return self.monday <= day <= self.monday + timedelta(days=6)


@dataclass
class WeekState:
    cycle: Cycle | None
    objectives: list[Objective]
    key_results: list[KeyResult]
    readings: dict[int, dict[date, Decimal]]
    projects: list[Project]
    names: dict[int, str]  # people's names (owners and authors) by user id
    teams: dict[int, Team]
    trends: dict[int, dict[date, tuple[Decimal, str]]]
    updates: dict[tuple[int, date], Any]  # light rows of UPDATE_FIELDS, this week's and last week's
    milestones: dict[int, list]  # light rows of MILESTONE_FIELDS
    date_changes: dict[int, dict[str, int]]
    incidents: list[Incident]  # of the report periods of the year up to this one
    note: DirectorNote | None
    chart: dict[tuple[int, date], Decimal] = field(default_factory=dict)


def pick_cycle(week: Week) -> Cycle | None:
    """The OKR cycle of the week: the one holding its Friday, else any overlapping it."""
    cycles = list(Cycle.objects.filter(start__lte=week.sunday, end__gte=week.monday).order_by("-start"))
    holding_friday = [c for c in cycles if c.contains(week.friday)]
    return (holding_friday or cycles or [None])[0]


def load(span: Span, *, live: bool) -> WeekState:
    """Read the week's state (``live``: as it is now, for a week whose report is still ahead)."""
    when = None if live else span.moment
    cycle = pick_cycle(span.week)
    objectives = list(Objective.objects.filter(cycle=cycle)) if cycle else []
    objective_ids = {o.pk for o in objectives}
    key_results = _in_cycle(rows_as_of(KeyResult.objects.all(), when), KeyResult, cycle, objective_ids, when)
    objective_order = {o.pk: (o.order, o.code) for o in objectives}
    key_results.sort(key=lambda kr: (objective_order[kr.objective_id], kr.order, kr.pk))
    projects = [
        p
        for p in _in_cycle(rows_as_of(Project.objects.all(), when), Project, cycle, objective_ids, when)
        if p.status != Project.Status.CANCELLED
    ]
    project_ids = [p.pk for p in projects]

    window = {"week_start__range": (span.mondays[0], span.monday)}
    readings: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for row in rows_as_of(KeyResultReading.objects.filter(**window), when, **window):
        readings[row.key_result_id][row.week_start] = row.value
    # The trend window as light rows; whole updates (their texts) for this week and last week only.
    trends: dict[int, dict[date, tuple[Decimal, str]]] = defaultdict(dict)
    wanted = set(project_ids)
    trend_fields = ("id", "project_id", "week_start", "percent", "health")
    updates_in_window = ProgressUpdate.objects.filter(project__any=project_ids, **window)
    for row in rows_as_of(updates_in_window, when, fields=trend_fields, **window):
        if row.project_id in wanted:
            trends[row.project_id][row.week_start] = (row.percent, row.health)
    two_weeks = {"week_start__in": (span.previous_monday, span.monday)}
    this_and_last = ProgressUpdate.objects.filter(project__any=project_ids, **two_weeks)
    updates: dict[tuple[int, date], Any] = {
        (update.project_id, update.week_start): update
        for update in rows_as_of(this_and_last, when, fields=UPDATE_FIELDS, **two_weeks)
        if update.project_id in wanted
    }

    milestones: dict[int, list] = defaultdict(list)
    milestone_rows = rows_as_of(Milestone.objects.filter(project__any=project_ids), when, fields=MILESTONE_FIELDS)
    for milestone in milestone_rows:
        if milestone.project_id in wanted:
            milestones[milestone.project_id].append(milestone)
    for rows in milestones.values():
        rows.sort(key=lambda m: (m.order, m.id))

    incidents = _incidents(span, when)
    notes = rows_as_of(DirectorNote.objects.filter(week_start=span.monday), when, week_start=span.monday)
    user_ids = {p.owner_id for p in projects} | {u.author_id for u in updates.values() if u.author_id}
    return WeekState(
        cycle=cycle,
        objectives=objectives,
        key_results=key_results,
        readings=readings,
        projects=projects,
        names={pk: person_name(user) for pk, user in get_user_model().objects.in_bulk(user_ids).items()},
        teams=Team.objects.in_bulk(),
        trends=trends,
        updates=updates,
        milestones=milestones,
        date_changes=_date_changes(span, project_ids),
        incidents=incidents,
        note=notes[0] if notes else None,
        chart=_chart_means(span, cycle, projects),
    )


def _in_cycle(rows: list, model, cycle: Cycle | None, objective_ids: set[int], when: datetime | None) -> list:
    """The rows under the cycle's objectives at the moment, and those carried into it later.

    A project (or key result) carried over from an earlier cycle after the new cycle's first weeks
    were reported is shown under its new objective in those weeks too, so no week of the new cycle
    loses it.
    """
    kept = [row for row in rows if row.objective_id in objective_ids]
    if when is None or cycle is None:
        return kept
    strays = [row for row in rows if row.objective_id not in objective_ids]
    if not strays:
        return kept
    now_under = dict(model.objects.filter(objective__in=objective_ids).values_list("pk", "objective_id"))
    earlier = set(Objective.objects.filter(cycle__start__lt=cycle.start).values_list("pk", flat=True))
    for row in strays:
        if row.pk in now_under and row.objective_id in earlier:
            row.objective_id = now_under[row.pk]
            kept.append(row)
    return kept


def _date_changes(span: Span, project_ids: list[int]) -> dict[int, dict[str, int]]:
    """Reschedules known by the moment, per project and kind, and how many fell in this report's period."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        PlannedDateChange.objects.filter(project__any=project_ids, changed_at__lte=span.moment)
        .values("project_id", "kind")
        .annotate(n=Count("pk"), this_week=Count("pk", filter=Q(changed_at__gt=span.period_start)))
        .order_by()
    ):
        changes = counts[row["project_id"]]
        changes[row["kind"]] = row["n"]
        changes["this_week"] = changes.get("this_week", 0) + row["this_week"]
    return counts


def _incidents(span: Span, when: datetime | None) -> list[Incident]:
    """The incidents of the year's report periods up to this one, as known at the moment.

    An incident belongs to the report whose period holds its detection: one entered after that
    report was sent still joins that week when it is rebuilt (the frozen snapshot stays as sent),
    so none falls between two reports and none appears in two.
    """
    year = {"detected_at__gt": span.year_start, "detected_at__lte": span.moment}
    rows = rows_as_of(Incident.objects.filter(**year), when, keep_late=True, **year)
    return sorted(
        (i for i in rows if span.year_start < i.detected_at <= span.moment), key=lambda i: (i.detected_at, i.pk)
    )


def _chart_means(span: Span, cycle: Cycle | None, projects: list[Project]) -> dict[tuple[int, date], Decimal]:
    """Mean reported percent per objective and week over the cycle, by the projects it held at the moment."""
    members: dict[int, list[int]] = defaultdict(list)
    for project in projects:
        members[project.objective_id].append(project.pk)
    if cycle is None or not members:
        return {}
    first = Week.of(cycle.start, span.week.numbering).monday
    objective = Case(*(When(project_id__any=ids, then=Value(oid)) for oid, ids in members.items()))
    return {
        (row["objective"], row["week_start"]): row["mean"]
        for row in ProgressUpdate.objects.filter(
            project__any=[p.pk for p in projects], week_start__range=(first, span.monday)
        )
        .annotate(objective=objective)
        .values("objective", "week_start")
        .annotate(mean=Avg("percent"))
        .order_by()
    }
