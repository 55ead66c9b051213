"""The week's rollup as plain data: ONE builder for the page, the frozen snapshot, the digest, the API
and the Markdown export.

The rollup of a week shows the state at its report's moment (``cutoff.report_cutoff``: Friday 17:00
by default), rebuilt from history (``state``), so a past week reads as it was that Friday and a
change made later never rewrites it. A week whose report is still ahead shows the state now.

``build_rollup(week, filters=None)`` returns a dict of JSON types only (str, int, float, bool, None,
list, dict), so it can be stored as-is in ``RollupSnapshot.data`` and rendered the same way later.
Conventions: dates are ISO strings ("2023-12-29"), datetimes aware ISO strings; percents and point
changes are floats rounded to 2 places; measured values (key results, responsibility shares) are
exact decimal strings without trailing zeros ("99.997", "1.5"). Choice fields are stored as their
codes (health "on_track", status "in_progress", grade "C"); callers translate them with the model's
choices (``Health(code).label``) or the ``rollup_tags`` template filters. Trend series hold
``TREND_WEEKS`` points, oldest first, ``None`` where nothing was reported.

Keys (added keys may appear later; these stay). ``types.py`` declares them as TypedDicts (the
builder's return types, the API's schema, checked against real output in the tests):

- ``version`` (int), ``compiled_at`` (ISO datetime), ``as_of`` (ISO datetime: the moment whose state
  is shown), ``cutoff`` (ISO datetime: the report's moment), ``period_start`` (ISO datetime: events
  after it belong to this report), ``frozen`` (False here; ``read.read_week`` sets it)
- ``week``: code "2023-W53", numbering "jan1"|"iso", year, number, label_zh "2023年第53周",
  label_en "2023-W53", other_numbering, other_code (the same week in the other numbering),
  monday, friday, sunday, previous_code, next_code, is_current (bool)
- ``cycle``: {id, name, start, end} or None when no OKR cycle covers the week
- ``key_work``: {highlights (director's text), projects: [project summary, see below]}
- ``metrics``: operating-metric key results: [{id, title, objective_code, unit, direction, value,
  previous, change (decimal strings or None), target, on_target (bool|None), progress (float),
  trend: [{week, value (float|None)}]}]
- ``incident_counts``: {week: {A, B, C, D, AB, CD, total (decimal strings, shares summed)},
  ytd: {same keys}, week_incidents (int), ytd_incidents (int), year_start (ISO date of the first
  report period's start)}
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
  launch: {same}, slipped (bool), dates_moved_this_week (int: QA/launch moves recorded in the report's
  period; absent from older snapshots), trend: [{week, value}]}
- ``incidents``: the incidents of the report's period (detected and recorded after the previous
  report's cutoff, up to this one), by time: [{id, detected_at, resolved_at, grade, title,
  description, impact, handling, follow_up, share (decimal string), project, team, postmortem_done}]
- ``other_work``, ``reflections``, ``next_week``: the director's text for the week ("" when none)
- ``next_steps``: [{project_id, project, owner, text}] from this week's updates
- ``filters``: the filters applied {team, owner, objective, health, changes_only};
  ``filter_options``: {teams: [{id, name}], owners: [{id, name}], objectives: [code], health: [code]}
- ``stats``: {projects, stale, changed, incidents} (after filters)
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.utils import timezone

from projects.models import (
    Health,
    KeyResult,
    Project,
    milestone_is_open_on,
    milestone_is_overdue_on,
    next_milestone,
)
from projects.weeks import ISO, JAN1, Week

from .cutoff import report_cutoff
from .filters import RollupFilters, apply_filters
from .state import Span, WeekState, load
from .types import (
    ChartPoint,
    DateSlip,
    GradeCounts,
    IncidentCounts,
    IncidentLine,
    KeyResultLine,
    MilestoneItem,
    MilestoneLists,
    ProjectLine,
    Rollup,
    UpdateText,
    WeekInfo,
)
from .values import dec, iso, pct

VERSION = 2
GRADES = ("A", "B", "C", "D")


def _week_data(week: Week) -> WeekInfo:
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
        "is_current": week.is_current,
    }


def _key_result_row(kr: KeyResult, state: WeekState, span: Span, objective_code: str) -> KeyResultLine:
    """A key result with this week's and last week's readings and a bounded trend."""
    series = state.readings.get(kr.pk, {})
    value = series.get(span.monday)
    if value is None:
        earlier = [series[w] for w in span.mondays if w in series]
        value = earlier[-1] if earlier else None
    previous = series.get(span.previous_monday)
    return {
        "id": kr.pk,
        "title": kr.title,
        "objective_code": objective_code,
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
        "trend": [
            {"week": code, "value": pct(series.get(w))} for w, code in zip(span.mondays, span.codes, strict=True)
        ],
    }


def _slip(current: date | None, baseline: date | None, times: int) -> DateSlip:
    days = (current - baseline).days if current and baseline else 0
    return {
        "date": iso(current),
        "baseline": iso(baseline),
        "days": days,
        "times": times,
        "slipped": days > 0 or (times > 0 and current is None),
    }


def _milestone_row(milestone, project: ProjectLine) -> MilestoneItem:
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


def _build_project(project: Project, state: WeekState, span: Span, objective_code: str) -> ProjectLine:
    trend = state.trends.get(project.pk, {})
    this_update = state.updates.get((project.pk, span.monday))
    last_update = state.updates.get((project.pk, span.previous_monday))
    milestones = state.milestones.get(project.pk, [])
    changes = state.date_changes.get(project.pk, {})
    earlier = [trend[w] for w in span.mondays[:-1] if w in trend]
    previous_percent, previous_health = earlier[-1] if earlier else (None, None)
    percent, health = project.percent, project.health  # as they stood at the moment
    change = pct(percent - previous_percent) if previous_percent is not None else None
    completed_this_week = [m for m in milestones if m.completed_on and span.contains(m.completed_on)]
    upcoming = next_milestone(milestones, span.day)
    qa = _slip(project.qa_date, project.qa_date_baseline, changes.get("qa", 0))
    launch = _slip(project.launch_date, project.launch_date_baseline, changes.get("launch", 0))
    summary_changed = this_update is not None and (last_update is None or this_update.summary != last_update.summary)
    changed = bool(
        (change not in (None, 0.0))
        or (previous_health is not None and previous_health != health)
        or changes.get("this_week", 0)
        or completed_this_week
        or summary_changed
    )
    team = state.teams.get(project.team_id)
    return {
        "id": project.pk,
        "name": project.name,
        "objective_code": objective_code,
        "owner_id": project.owner_id,
        "owner": state.names.get(project.owner_id, ""),
        "team_id": project.team_id,
        "team": team.name if team else "",
        "status": project.status,
        "health": health,
        "previous_health": previous_health,
        "percent": pct(percent),
        "previous_percent": pct(previous_percent),
        "change_points": change,
        "is_key_work": project.is_key_work,
        "is_stale": project.is_stale(has_update=this_update is not None),
        "done_earlier": project.status == Project.Status.DONE and this_update is None,
        "changed": changed,
        "update": _update_data(this_update, state),
        "planned": last_update.next_steps if last_update else "",
        "next_milestone": {"title": upcoming.title, "due_date": iso(upcoming.due_date)} if upcoming else None,
        "milestones": [
            {
                "id": m.id,
                "title": m.title,
                "order": m.order,
                "status": m.status,
                "percent": pct(m.percent),
                "due_date": iso(m.due_date),
                "completed_on": iso(m.completed_on),
                "is_overdue": milestone_is_overdue_on(m, span.day),
            }
            for m in milestones
        ],
        "qa": qa,
        "launch": launch,
        "slipped": qa["slipped"] or launch["slipped"],
        "dates_moved_this_week": changes.get("this_week", 0),
        "trend": [
            {"week": code, "value": pct(trend[w][0]) if w in trend else None}
            for w, code in zip(span.mondays, span.codes, strict=True)
        ],
    }


def _update_data(update, state: WeekState) -> UpdateText | None:
    if update is None:
        return None
    return {
        "summary": update.summary,
        "next_steps": update.next_steps,
        "risks": update.risks,
        "author": state.names.get(update.author_id, ""),
    }


def _milestone_lists(rows: list[ProjectLine], state: WeekState, span: Span) -> MilestoneLists:
    """Milestones completed this week, due next week and overdue at the moment, across the objective."""
    next_week = span.week.next()
    completed, due_next, overdue = [], [], []
    for row in rows:
        for m in state.milestones.get(row["id"], []):
            if m.completed_on and span.contains(m.completed_on) and m.completed_on <= span.day:
                completed.append(_milestone_row(m, row))
            elif milestone_is_open_on(m, span.day) and m.due_date:
                if next_week.contains(m.due_date):
                    due_next.append(_milestone_row(m, row))
                elif milestone_is_overdue_on(m, span.day):
                    overdue.append(_milestone_row(m, row))
    return {
        "completed": sorted(completed, key=lambda i: i["completed_on"] or ""),
        "due_next_week": sorted(due_next, key=lambda i: i["due_date"] or ""),
        "overdue": sorted(overdue, key=lambda i: i["due_date"] or ""),
    }


def _objective_chart(state: WeekState, span: Span, objective_id: int) -> list[ChartPoint]:
    """Mean reported percent of the objective's projects, every week of the cycle up to this one."""
    if state.cycle is None:
        return []
    numbering = span.week.numbering
    week = Week.of(state.cycle.start, numbering)
    last = min(span.monday, Week.of(state.cycle.end, numbering).monday)
    points = []
    while week.monday <= last:
        points.append({"week": week.code, "percent": pct(state.chart.get((objective_id, week.monday)))})
        week = week.next()
    return points


def _objective_progress(krs: list[KeyResultLine], rows: list[ProjectLine]) -> tuple[float, str]:
    # A key result counts once it has a reading and a target (a metric without a target measures
    # nothing toward the objective).
    weighted = [(kr["progress"], kr["weight"]) for kr in krs if kr["value"] is not None and kr["target"] is not None]
    active = [r["percent"] for r in rows if r["percent"] is not None]
    if weighted:
        total_weight = sum(w for _p, w in weighted)
        return sum(p * w for p, w in weighted) / total_weight, "key_results"
    if active:
        return sum(active) / len(active), "projects"
    return 0.0, "none"


def _incident_data(state: WeekState, span: Span) -> tuple[IncidentCounts, list[IncidentLine]]:
    this_week = [i for i in state.incidents if i.detected_at > span.period_start]

    def group(incidents) -> GradeCounts:
        values = {g: sum((i.responsibility_share for i in incidents if i.grade == g), Decimal(0)) for g in GRADES}
        return {
            **{g: dec(v) for g, v in values.items()},
            "AB": dec(values["A"] + values["B"]),
            "CD": dec(values["C"] + values["D"]),
            "total": dec(sum(values.values(), Decimal(0))),
        }

    counts = {
        "week": group(this_week),
        "ytd": group(state.incidents),
        "week_incidents": len(this_week),
        "ytd_incidents": len(state.incidents),
        "year_start": iso(timezone.localdate(span.year_start)),
    }
    projects = {p.pk: p.name for p in state.projects}
    rows = [
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
            "project": projects.get(i.project_id, ""),
            "team": state.teams[i.team_id].name if i.team_id in state.teams else "",
            "postmortem_done": i.postmortem_done,
        }
        for i in this_week
    ]
    return counts, rows


def build_rollup(week: Week, *, filters: RollupFilters | None = None) -> Rollup:
    """The week's rollup as plain data (see the module docstring); a constant number of queries."""
    now = timezone.now()
    cutoff = report_cutoff(week)
    live = cutoff > now  # the report is still ahead: show the state now
    span = Span.of(week, now if live else cutoff)
    state = load(span, live=live)
    codes = {o.pk: o.code for o in state.objectives}

    by_objective: dict[int, list[dict]] = defaultdict(list)
    for project in sorted(state.projects, key=lambda p: (p.order, p.name, p.pk)):
        by_objective[project.objective_id].append(_build_project(project, state, span, codes[project.objective_id]))
    kr_rows = {kr.pk: _key_result_row(kr, state, span, codes[kr.objective_id]) for kr in state.key_results}

    objective_rows = []
    for objective in state.objectives:
        rows = by_objective.get(objective.pk, [])
        krs = [kr_rows[kr.pk] for kr in state.key_results if kr.objective_id == objective.pk]
        progress, source = _objective_progress(krs, rows)
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
                "milestones": _milestone_lists(rows, state, span),
                "chart": _objective_chart(state, span, objective.pk),
            }
        )

    note = state.note
    next_steps = [
        {"project_id": r["id"], "project": r["name"], "owner": r["owner"], "text": r["update"]["next_steps"]}
        for o in objective_rows
        for r in o["projects"]
        if r["update"] and r["update"]["next_steps"].strip()
    ]
    all_rows = [r for o in objective_rows for r in o["projects"]]
    teams = {r["team_id"]: r["team"] for r in all_rows if r["team_id"]}
    owners = {r["owner_id"]: r["owner"] for r in all_rows if r["owner_id"] is not None}
    incident_counts, incidents = _incident_data(state, span)
    cycle = state.cycle
    data = {
        "version": VERSION,
        "compiled_at": iso(timezone.localtime(now)),
        "as_of": iso(timezone.localtime(span.moment)),
        "cutoff": iso(timezone.localtime(cutoff)),
        "period_start": iso(timezone.localtime(span.period_start)),
        "frozen": False,
        "week": _week_data(week),
        "cycle": {"id": cycle.pk, "name": cycle.name, "start": iso(cycle.start), "end": iso(cycle.end)}
        if cycle
        else None,
        "key_work": {
            "highlights": note.highlights if note else "",
            "projects": [r for r in all_rows if r["is_key_work"]],
        },
        "metrics": [kr_rows[kr.pk] for kr in state.key_results if kr.is_operating_metric],
        "incident_counts": incident_counts,
        "objectives": objective_rows,
        "incidents": incidents,
        "other_work": note.other_work if note else "",
        "reflections": note.reflections if note else "",
        "next_week": note.next_week if note else "",
        "next_steps": next_steps,
        "filter_options": {
            "teams": [{"id": k, "name": v} for k, v in sorted(teams.items(), key=lambda kv: kv[1])],
            "owners": [{"id": k, "name": v} for k, v in sorted(owners.items(), key=lambda kv: kv[1])],
            "objectives": [o.code for o in state.objectives],
            "health": list(Health.values),
        },
    }
    return apply_filters(data, filters or RollupFilters())
