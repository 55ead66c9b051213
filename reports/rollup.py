"""The week's rollup as plain data: ONE builder for the page, the frozen snapshot, the digest, the API
and the Markdown export.

``build_rollup(week, filters=None)`` returns a dict of JSON types only (str, int, float, bool, None,
list, dict), so it can be stored as-is in ``RollupSnapshot.data`` and rendered the same way later.
Conventions: dates are ISO strings ("2023-12-29"), datetimes aware ISO strings; percents and point
changes are floats rounded to 2 places; measured values (key results, responsibility shares) are
exact decimal strings without trailing zeros ("99.997", "1.5"). Choice fields are stored as their
codes (health "on_track", status "in_progress", grade "C"); callers translate them with the model's
choices (``Health(code).label``) or the ``rollup_tags`` template filters. Trend series hold
``TREND_WEEKS`` points, oldest first, ``None`` where nothing was reported.

Keys (added keys may appear later; these stay):

- ``version`` (int), ``compiled_at`` (ISO datetime), ``frozen`` (False here; a view sets it)
- ``week``: code "2023-W53", numbering "jan1"|"iso", year, number, label_zh "2023年第53周",
  label_en "2023-W53", other_numbering, other_code (the same week in the other numbering),
  monday, friday, sunday, previous_code, next_code, is_current (bool)
- ``cycle``: {id, name, start, end} or None when no OKR cycle covers the week
- ``key_work``: {highlights (director's text), projects: [project summary, see below]}
- ``metrics``: operating-metric key results: [{id, title, objective_code, unit, direction, value,
  previous, change (decimal strings or None), target, on_target (bool|None), progress (float),
  trend: [{week, value (float|None)}]}]
- ``incident_counts``: {week: {A, B, C, D, AB, CD, total (decimal strings, shares summed)},
  ytd: {same keys}, week_incidents (int), ytd_incidents (int), year_start (ISO date)}
- ``objectives``: in order: [{id, code, title, progress (float), progress_source ("key_results"|
  "projects"|"none"), key_results: [key result, as in metrics plus is_operating_metric],
  projects: [project], milestones: {completed: [...], due_next_week: [...], overdue: [...]}
  (each {id, title, project_id, project_name, due_date, completed_on, status, percent}),
  chart: [{week, percent (float|None)}] (mean percent of its projects' updates, every week of the
  cycle up to this one), project_count (before filters), stale_count}]
- project: {id, name, objective_code, owner_id, owner, team_id, team, status, health,
  previous_health, percent, previous_percent, change_points (float|None), is_key_work,
  is_stale (no update this week while active), done_earlier (done, nothing reported this week: the
  page lists these compactly), changed (bool, see ``changes only``),
  update: {summary, next_steps, risks, author} | None, planned (last week's next steps, str),
  next_milestone: {title, due_date} | None, milestones: [{id, title, order, status, percent,
  due_date, completed_on, is_overdue}],
  qa: {date, baseline, days (int, + is later), times (int reschedules), slipped (bool)},
  launch: {same}, slipped (bool), trend: [{week, value}]}
- ``incidents``: the week's incidents, by time: [{id, detected_at, resolved_at, grade, title,
  description, impact, handling, follow_up, share (decimal string), project, team, postmortem_done}]
- ``other_work``, ``reflections``, ``next_week``: the director's text for the week ("" when none)
- ``next_steps``: [{project_id, project, owner, text}] from this week's updates
- ``filters``: the filters applied {team, owner, objective, health, changes_only};
  ``filter_options``: {teams: [{id, name}], owners: [{id, name}], objectives: [code], health: [code]}
- ``stats``: {projects, stale, changed, incidents} (after filters)
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, Sum
from django.utils import timezone

from projects.models import (
    Cycle,
    Health,
    Incident,
    KeyResult,
    KeyResultReading,
    Milestone,
    Objective,
    PlannedDateChange,
    ProgressUpdate,
    Project,
)
from projects.names import person_name
from projects.weeks import ISO, JAN1, Week

from .models import DirectorNote

VERSION = 1
TREND_WEEKS = 12
GRADES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class RollupFilters:
    """What the director narrowed the project lists to; empty fields do not filter."""

    team: int | None = None
    owner: int | None = None
    objective: str | None = None
    health: str | None = None
    changes_only: bool = False

    @classmethod
    def from_query(cls, params) -> RollupFilters:
        """Read GET parameters (team, owner, objective, health, changes); bad values are ignored."""

        def as_int(name: str) -> int | None:
            value = (params.get(name) or "").strip()
            return int(value) if value.isdigit() else None

        health = params.get("health") or None
        return cls(
            team=as_int("team"),
            owner=as_int("owner"),
            objective=(params.get("objective") or "").strip() or None,
            health=health if health in Health.values else None,
            changes_only=params.get("changes") in ("1", "true", "on"),
        )

    @property
    def active(self) -> bool:
        return any((self.team, self.owner, self.objective, self.health, self.changes_only))


def dec(value: Decimal | None) -> str | None:
    """An exact decimal as a plain string without trailing zeros: 99.9970 -> "99.997", 1.50 -> "1.5"."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def pct(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _week_data(week: Week, today: date) -> dict[str, Any]:
    other = ISO if week.numbering == JAN1 else JAN1
    return {
        "code": week.code,
        "numbering": week.numbering,
        "year": week.year,
        "number": week.number,
        "label_zh": week.label_zh,
        "label_en": week.label_en,
        "other_numbering": other,
        "other_code": week.in_numbering(other).code,
        "monday": iso(week.monday),
        "friday": iso(week.friday),
        "sunday": iso(week.sunday),
        "previous_code": week.previous().code,
        "next_code": week.next().code,
        "is_current": week.contains(today),
    }


def _pick_cycle(week: Week) -> Cycle | None:
    cycles = list(Cycle.objects.filter(start__lte=week.sunday, end__gte=week.monday).order_by("-start"))
    holding_friday = [c for c in cycles if c.contains(week.friday)]
    return (holding_friday or cycles or [None])[0]


def _trend_weeks(week: Week) -> list[date]:
    return [week.monday - timedelta(weeks=i) for i in range(TREND_WEEKS - 1, -1, -1)]


@dataclass(frozen=True)
class _Span:
    """The week's dates computed once (Week's properties recompute on every access)."""

    monday: date
    sunday: date
    previous_monday: date
    mondays: tuple[date, ...]  # the trend window, oldest first, ending with this week
    codes: tuple[str, ...]  # their week codes
    is_current: bool
    overdue_day: date  # open milestones due on or before this day are overdue

    @classmethod
    def of(cls, week: Week, today: date) -> _Span:
        mondays = tuple(_trend_weeks(week))
        return cls(
            monday=week.monday,
            sunday=week.sunday,
            previous_monday=mondays[-2],
            mondays=mondays,
            codes=tuple(Week.of(m, week.numbering).code for m in mondays),
            is_current=week.monday <= today <= week.sunday or week.monday > today,
            overdue_day=min(today - timedelta(days=1), week.sunday),
        )

    def contains(self, day: date) -> bool:
        return self.monday <= day <= self.sunday


def _key_result_rows(key_results: list[KeyResult], week: Week, is_current: bool) -> dict[int, dict]:
    """Key results with this week's and last week's readings and a bounded trend (one query)."""
    weeks = _trend_weeks(week)
    readings: dict[int, dict[date, Decimal]] = defaultdict(dict)
    for kr_id, week_start, value in KeyResultReading.objects.filter(
        key_result__in=[kr.pk for kr in key_results], week_start__range=(weeks[0], weeks[-1])
    ).values_list("key_result_id", "week_start", "value"):
        readings[kr_id][week_start] = value
    previous_monday = weeks[-2]
    rows = {}
    for kr in key_results:
        series = readings.get(kr.pk, {})
        value = series.get(week.monday)
        if value is None:
            earlier = [series[w] for w in weeks if w in series]
            value = earlier[-1] if earlier else (kr.current_value if is_current else None)
        previous = series.get(previous_monday)
        rows[kr.pk] = {
            "id": kr.pk,
            "title": kr.title,
            "objective_code": kr.objective.code,
            "unit": kr.unit,
            "direction": kr.direction,
            "is_operating_metric": kr.is_operating_metric,
            "value": dec(value),
            "previous": dec(previous),
            "change": dec(value - previous) if value is not None and previous is not None else None,
            "start": dec(kr.start_value),
            "target": dec(kr.target_value),
            "on_target": kr.is_on_target(value) if value is not None else None,
            "progress": pct(kr.progress(value)) if value is not None else 0.0,
            "weight": float(kr.weight),
            "trend": [{"week": Week.of(w, week.numbering).code, "value": pct(series.get(w))} for w in weeks],
        }
    return rows


def _slip(current: date | None, baseline: date | None, times: int) -> dict[str, Any]:
    days = (current - baseline).days if current and baseline else 0
    return {
        "date": iso(current),
        "baseline": iso(baseline),
        "days": days,
        "times": times,
        "slipped": days > 0 or (times > 0 and current is None),
    }


def _milestone_open_at(milestone, day: date) -> bool:
    """Whether the milestone was still open at the end of ``day`` (as far as the data tells)."""
    if milestone.status == Milestone.Status.CANCELLED:
        return False
    return milestone.completed_on is None or milestone.completed_on > day


def _milestone_row(milestone, project: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": milestone.id,
        "title": milestone.title,
        "project_id": project["id"],
        "project_name": project["name"],
        "due_date": iso(milestone.due_date),
        "completed_on": iso(milestone.completed_on),
        "status": milestone.status,
        "percent": pct(milestone.percent),
    }


def _build_project(
    project: Project,
    *,
    span: _Span,
    trend: dict[date, tuple[Decimal, str]],
    this_update: ProgressUpdate | None,
    last_update: ProgressUpdate | None,
    milestones: list,
    changes: dict[str, Any],
) -> dict[str, Any]:
    earlier = [trend[w] for w in span.mondays[:-1] if w in trend]
    before = earlier[-1] if earlier else None  # (percent, health) last reported before this week
    if span.is_current or (this_update is None and before is None):
        percent, health = project.percent, project.health
    elif this_update is not None:
        percent, health = this_update.percent, this_update.health
    else:
        percent, health = before
    previous_percent, previous_health = before if before else (None, None)
    change = pct(percent - previous_percent) if previous_percent is not None else None
    week_sunday = span.sunday

    open_milestones = [m for m in milestones if _milestone_open_at(m, week_sunday)]
    upcoming = sorted(open_milestones, key=lambda m: (m.due_date is None, m.due_date or date.max, m.order))
    completed_this_week = [m for m in milestones if m.completed_on and span.contains(m.completed_on)]
    qa = _slip(project.qa_date, project.qa_date_baseline, changes.get("qa", 0))
    launch = _slip(project.launch_date, project.launch_date_baseline, changes.get("launch", 0))
    is_stale = project.is_active and this_update is None
    summary_changed = this_update is not None and (last_update is None or this_update.summary != last_update.summary)
    changed = bool(
        (change not in (None, 0.0))
        or (previous_health is not None and previous_health != health)
        or changes.get("this_week", 0)
        or completed_this_week
        or summary_changed
    )
    return {
        "id": project.pk,
        "name": project.name,
        "objective_code": project.objective.code,
        "owner_id": project.owner_id,
        "owner": person_name(project.owner),
        "team_id": project.team_id,
        "team": project.team.name if project.team else "",
        "status": project.status,
        "health": health,
        "previous_health": previous_health,
        "percent": pct(percent),
        "previous_percent": pct(previous_percent),
        "change_points": change,
        "is_key_work": project.is_key_work,
        "is_stale": is_stale,
        "done_earlier": project.status == Project.Status.DONE and this_update is None,
        "changed": changed,
        "update": {
            "summary": this_update.summary,
            "next_steps": this_update.next_steps,
            "risks": this_update.risks,
            "author": person_name(this_update.author),
        }
        if this_update
        else None,
        "planned": last_update.next_steps if last_update else "",
        "next_milestone": {"title": upcoming[0].title, "due_date": iso(upcoming[0].due_date)} if upcoming else None,
        "milestones": [
            {
                "id": m.id,
                "title": m.title,
                "order": m.order,
                "status": m.status,
                "percent": pct(m.percent),
                "due_date": iso(m.due_date),
                "completed_on": iso(m.completed_on),
                "is_overdue": bool(
                    m.due_date and m.due_date <= span.overdue_day and _milestone_open_at(m, week_sunday)
                ),
            }
            for m in milestones
        ],
        "qa": qa,
        "launch": launch,
        "slipped": qa["slipped"] or launch["slipped"],
        "trend": [
            {"week": code, "value": pct(trend[w][0]) if w in trend else None}
            for w, code in zip(span.mondays, span.codes, strict=True)
        ],
        "_milestone_objects": milestones,  # removed before returning; used for objective lists
    }


def _objective_chart(cycle: Cycle, objective_ids: list[int], week: Week) -> dict[int, list[dict]]:
    """Mean reported percent per objective and week over the cycle, in one aggregate query."""
    first = Week.of(cycle.start, week.numbering).monday
    last = min(week.monday, Week.of(cycle.end, week.numbering).monday)
    means: dict[tuple[int, date], Decimal] = {
        (row["project__objective_id"], row["week_start"]): row["mean"]
        for row in ProgressUpdate.objects.filter(project__objective__in=objective_ids, week_start__range=(first, last))
        .values("project__objective_id", "week_start")
        .annotate(mean=Avg("percent"))
        .order_by()
    }
    mondays = []
    day = first
    while day <= last:
        mondays.append(day)
        day += timedelta(weeks=1)
    return {
        oid: [{"week": Week.of(m, week.numbering).code, "percent": pct(means.get((oid, m)))} for m in mondays]
        for oid in objective_ids
    }


def _incident_counts(week: Week) -> dict[str, Any]:
    start, end = week.bounds()
    year_start_week = Week(week.year, 1, week.numbering)
    ytd_start, _unused = year_start_week.bounds()
    aggregates = {}
    for grade in GRADES:
        aggregates[f"week_{grade}"] = Sum("responsibility_share", filter=Q(grade=grade, detected_at__gte=start))
        aggregates[f"ytd_{grade}"] = Sum("responsibility_share", filter=Q(grade=grade))
    aggregates["week_n"] = Count("pk", filter=Q(detected_at__gte=start))
    aggregates["ytd_n"] = Count("pk")
    totals = Incident.objects.filter(detected_at__gte=ytd_start, detected_at__lt=end).aggregate(**aggregates)

    def group(prefix: str) -> dict[str, str]:
        values = {g: totals[f"{prefix}_{g}"] or Decimal(0) for g in GRADES}
        return {
            **{g: dec(v) for g, v in values.items()},
            "AB": dec(values["A"] + values["B"]),
            "CD": dec(values["C"] + values["D"]),
            "total": dec(sum(values.values(), Decimal(0))),
        }

    return {
        "week": group("week"),
        "ytd": group("ytd"),
        "week_incidents": totals["week_n"],
        "ytd_incidents": totals["ytd_n"],
        "year_start": iso(year_start_week.monday),
    }


def _incidents(week: Week) -> list[dict[str, Any]]:
    start, end = week.bounds()
    rows = Incident.objects.filter(detected_at__gte=start, detected_at__lt=end).select_related("project", "team")
    return [
        {
            "id": i.pk,
            "detected_at": iso(timezone.localtime(i.detected_at)),
            "resolved_at": iso(timezone.localtime(i.resolved_at)) if i.resolved_at else None,
            "grade": i.grade,
            "title": i.title,
            "description": i.description,
            "impact": i.impact,
            "handling": i.handling,
            "follow_up": i.follow_up,
            "share": dec(i.responsibility_share),
            "project": i.project.name if i.project else "",
            "team": i.team.name if i.team else "",
            "postmortem_done": i.postmortem_done,
        }
        for i in rows.order_by("detected_at", "pk")
    ]


def build_rollup(week: Week, *, filters: RollupFilters | None = None) -> dict[str, Any]:
    """The week's rollup as plain data (see the module docstring); a constant number of queries."""
    today = timezone.localdate()
    span = _Span.of(week, today)
    cycle = _pick_cycle(week)
    objectives = list(Objective.objects.filter(cycle=cycle)) if cycle else []
    objective_ids = [o.pk for o in objectives]
    key_results = list(KeyResult.objects.filter(objective__in=objective_ids).select_related("objective"))
    kr_rows = _key_result_rows(key_results, week, span.is_current)

    projects = list(
        Project.objects.filter(objective__in=objective_ids)
        .exclude(status=Project.Status.CANCELLED)
        .select_related("objective", "owner", "team")
    )
    project_ids = [p.pk for p in projects]
    # The trend window as light tuples; full rows only for this week and last week.
    trends: dict[int, dict[date, tuple[Decimal, str]]] = defaultdict(dict)
    for project_id, week_start, percent, health in ProgressUpdate.objects.filter(
        project__in=project_ids, week_start__range=(span.mondays[0], span.monday)
    ).values_list("project_id", "week_start", "percent", "health"):
        trends[project_id][week_start] = (percent, health)
    full_updates: dict[tuple[int, date], ProgressUpdate] = {
        (u.project_id, u.week_start): u
        for u in ProgressUpdate.objects.filter(
            project__in=project_ids, week_start__in=(span.previous_monday, span.monday)
        ).select_related("author")
    }
    milestones: dict[int, list] = defaultdict(list)
    for milestone in (
        Milestone.objects.filter(project__in=project_ids)
        .order_by("project", "order", "pk")
        .values_list("id", "project_id", "title", "order", "status", "percent", "due_date", "completed_on", named=True)
    ):
        milestones[milestone.project_id].append(milestone)
    date_changes: dict[int, dict[str, int]] = defaultdict(dict)
    start, end = week.bounds()
    for row in (
        PlannedDateChange.objects.filter(project__in=project_ids, changed_at__lt=end)
        .values("project_id", "kind")
        .annotate(n=Count("pk"), this_week=Count("pk", filter=Q(changed_at__gte=start)))
        .order_by()
    ):
        changes = date_changes[row["project_id"]]
        changes[row["kind"]] = row["n"]
        changes["this_week"] = changes.get("this_week", 0) + row["this_week"]

    project_rows = [
        _build_project(
            p,
            span=span,
            trend=trends.get(p.pk, {}),
            this_update=full_updates.get((p.pk, span.monday)),
            last_update=full_updates.get((p.pk, span.previous_monday)),
            milestones=milestones.get(p.pk, []),
            changes=date_changes.get(p.pk, {}),
        )
        for p in projects
    ]
    by_objective: dict[int, list[dict]] = defaultdict(list)
    for project, row in zip(projects, project_rows, strict=True):
        by_objective[project.objective_id].append(row)

    charts = _objective_chart(cycle, objective_ids, week) if cycle else {}
    next_monday, next_sunday = week.next().monday, week.next().sunday
    objective_rows = []
    for objective in objectives:
        rows = by_objective.get(objective.pk, [])
        krs = [kr_rows[kr.pk] for kr in key_results if kr.objective_id == objective.pk]
        completed, due_next, overdue = [], [], []
        for row in rows:
            for m in row.pop("_milestone_objects"):
                item = _milestone_row(m, row)
                if m.completed_on and span.contains(m.completed_on):
                    completed.append(item)
                elif _milestone_open_at(m, span.sunday) and m.due_date:
                    if next_monday <= m.due_date <= next_sunday:
                        due_next.append(item)
                    elif m.due_date <= span.overdue_day:
                        overdue.append(item)
        weighted = [(kr["progress"], kr["weight"]) for kr in krs if kr["value"] is not None]
        active = [r["percent"] for r in rows if r["percent"] is not None]
        if weighted:
            total_weight = sum(w for _p, w in weighted)
            progress, source = sum(p * w for p, w in weighted) / total_weight, "key_results"
        elif active:
            progress, source = sum(active) / len(active), "projects"
        else:
            progress, source = 0.0, "none"
        objective_rows.append(
            {
                "id": objective.pk,
                "code": objective.code,
                "title": objective.title,
                "progress": round(progress, 2),
                "progress_source": source,
                "key_results": krs,
                "projects": rows,
                "project_count": len(rows),
                "stale_count": sum(1 for r in rows if r["is_stale"]),
                "milestones": {
                    "completed": sorted(completed, key=lambda i: i["completed_on"] or ""),
                    "due_next_week": sorted(due_next, key=lambda i: i["due_date"] or ""),
                    "overdue": sorted(overdue, key=lambda i: i["due_date"] or ""),
                },
                "chart": charts.get(objective.pk, []),
            }
        )

    note = DirectorNote.objects.filter(week_start=week.monday).first()
    next_steps = [
        {"project_id": r["id"], "project": r["name"], "owner": r["owner"], "text": r["update"]["next_steps"]}
        for o in objective_rows
        for r in o["projects"]
        if r["update"] and r["update"]["next_steps"].strip()
    ]
    teams = {p.team_id: p.team.name for p in projects if p.team_id}
    owners = {p.owner_id: person_name(p.owner) for p in projects}
    data = {
        "version": VERSION,
        "compiled_at": iso(timezone.localtime()),
        "frozen": False,
        "week": _week_data(week, today),
        "cycle": {"id": cycle.pk, "name": cycle.name, "start": iso(cycle.start), "end": iso(cycle.end)}
        if cycle
        else None,
        "key_work": {
            "highlights": note.highlights if note else "",
            "projects": [r for o in objective_rows for r in o["projects"] if r["is_key_work"]],
        },
        "metrics": [kr_rows[kr.pk] for kr in key_results if kr.is_operating_metric],
        "incident_counts": _incident_counts(week),
        "objectives": objective_rows,
        "incidents": _incidents(week),
        "other_work": note.other_work if note else "",
        "reflections": note.reflections if note else "",
        "next_week": note.next_week if note else "",
        "next_steps": next_steps,
        "filter_options": {
            "teams": [{"id": k, "name": v} for k, v in sorted(teams.items(), key=lambda kv: kv[1])],
            "owners": [{"id": k, "name": v} for k, v in sorted(owners.items(), key=lambda kv: kv[1])],
            "objectives": [o.code for o in objectives],
            "health": list(Health.values),
        },
    }
    return apply_filters(data, filters or RollupFilters())


def _keep(project: dict[str, Any], filters: RollupFilters) -> bool:
    return (
        (filters.team is None or project["team_id"] == filters.team)
        and (filters.owner is None or project["owner_id"] == filters.owner)
        and (filters.objective is None or project["objective_code"] == filters.objective)
        and (filters.health is None or project["health"] == filters.health)
        and (not filters.changes_only or project["changed"])
    )


def apply_filters(data: dict[str, Any], filters: RollupFilters) -> dict[str, Any]:
    """Narrow the project lists of a rollup (live or frozen) to the filters; returns a new dict."""
    data = dict(data)
    objectives = []
    for objective in data["objectives"]:
        objective = dict(objective)
        objective["projects"] = [p for p in objective["projects"] if _keep(p, filters)]
        objectives.append(objective)
    if filters.objective:
        objectives = [o for o in objectives if o["code"] == filters.objective]
    data["objectives"] = objectives
    kept = {p["id"] for o in objectives for p in o["projects"]}
    data["key_work"] = {
        **data["key_work"],
        "projects": [p for p in data["key_work"]["projects"] if p["id"] in kept],
    }
    data["next_steps"] = [s for s in data["next_steps"] if s["project_id"] in kept]
    data["filters"] = asdict(filters)
    projects = [p for o in objectives for p in o["projects"]]
    data["stats"] = {
        "projects": len(projects),
        "stale": sum(1 for p in projects if p["is_stale"]),
        "changed": sum(1 for p in projects if p["changed"]),
        "incidents": len(data["incidents"]),
    }
    return data
