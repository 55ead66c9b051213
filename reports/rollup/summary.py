"""What changed this week: the short list a director reads first, computed from a rollup dict.

``what_changed(rollup)`` reads only the rollup's documented keys, so the page, the digest and the
Markdown download compute it the same way from a live rollup or a frozen snapshot (older snapshots
without ``dates_moved_this_week`` count no slip as new this week). It never touches the database.

Each list holds small dicts ready to render: ``{project_id, project, owner, objective_code, ...}``.

- ``slips``: projects whose QA or launch date moved this week and now stand later than first planned;
- ``health_worse``: health worse than last week's (on track → at risk → off track);
- ``not_updated``: active projects without an update this week;
- ``milestones_due``: milestones due next week and those overdue, across objectives;
- ``incidents``: the report period's incidents, with the week's and the year's counts.
"""

from __future__ import annotations

from typing import Any, TypedDict

HEALTH_RANK = {"on_track": 0, "at_risk": 1, "off_track": 2}


class WhatChanged(TypedDict):
    slips: list[dict[str, Any]]
    health_worse: list[dict[str, Any]]
    not_updated: list[dict[str, Any]]
    milestones_due: list[dict[str, Any]]
    milestones_overdue: list[dict[str, Any]]
    milestones_count: int
    incidents: list[dict[str, Any]]
    incident_counts: dict[str, Any]
    total: int


def _projects(rollup: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for o in rollup.get("objectives", []) for p in o.get("projects", [])]


def _line(project: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "project_id": project["id"],
        "project": project["name"],
        "owner": project.get("owner", ""),
        "objective_code": project.get("objective_code", ""),
        **extra,
    }


def is_worse(health: str | None, previous: str | None) -> bool:
    """True when ``health`` ranks below ``previous`` (unknown codes never count as worse)."""
    if health not in HEALTH_RANK or previous not in HEALTH_RANK:
        return False
    return HEALTH_RANK[health] > HEALTH_RANK[previous]


def _slip_of(project: dict[str, Any]) -> dict[str, Any] | None:
    if not project.get("dates_moved_this_week") or not project.get("slipped"):
        return None
    which = [key for key in ("qa", "launch") if project[key]["slipped"]]
    key = "launch" if "launch" in which else which[0]
    slip = project[key]
    return _line(
        project, which=key, date=slip["date"], baseline=slip["baseline"], days=slip["days"], times=slip["times"]
    )


def what_changed(rollup: dict[str, Any]) -> WhatChanged:
    """The week's changes from ``rollup`` (a ``build_rollup`` dict, live or frozen)."""
    projects = _projects(rollup)
    slips = [slip for slip in map(_slip_of, projects) if slip]
    worse = [
        _line(p, health=p["health"], previous_health=p["previous_health"])
        for p in projects
        if is_worse(p.get("health"), p.get("previous_health"))
    ]
    not_updated = [_line(p) for p in projects if p.get("is_stale")]
    due, overdue = [], []
    for objective in rollup.get("objectives", []):
        milestones = objective.get("milestones", {})
        due += [{**m, "objective_code": objective["code"]} for m in milestones.get("due_next_week", [])]
        overdue += [{**m, "objective_code": objective["code"]} for m in milestones.get("overdue", [])]
    incidents = list(rollup.get("incidents", []))
    return {
        "slips": slips,
        "health_worse": worse,
        "not_updated": not_updated,
        "milestones_due": due,
        "milestones_overdue": overdue,
        "milestones_count": len(due) + len(overdue),
        "incidents": incidents,
        "incident_counts": rollup.get("incident_counts") or {},
        "total": len(slips) + len(worse) + len(not_updated) + len(due) + len(overdue) + len(incidents),
    }


def at_risk_first(projects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Off track, then at risk, then the rest; the report's order within each (a stable sort)."""
    return sorted(projects, key=lambda p: -HEALTH_RANK.get(p.get("health"), 0))
