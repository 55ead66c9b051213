"""What a director narrows a rollup to (team, owner, objective, health, changes only), live or frozen."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from projects.models import Health


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
