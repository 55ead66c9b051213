"""The generated Python client against a live server with the demo data, as an integrator uses it.

Run by scripts/api_clients.sh (OKR_URL, OKR_TOKEN of a project owner of the demo, the generated
``okrtracker_client`` on PYTHONPATH): log in with the token, list and filter projects, PUT this week's
update (201 then 200), create a milestone, read the rollup of the demo week as typed objects, and get
typed errors. Prints each step; any failed check stops it with a non-zero status.
"""

from __future__ import annotations

import datetime
import os
import sys

from okrtracker_client import AuthenticatedClient, Client
from okrtracker_client.api.me import me_retrieve
from okrtracker_client.api.milestones import milestones_create, milestones_list
from okrtracker_client.api.projects import projects_list, projects_updates_update
from okrtracker_client.api.rollups import rollups_retrieve
from okrtracker_client.models import (
    Error,
    FieldErrors,
    GradeEnum,
    HealthEnum,
    Me,
    Milestone,
    MilestoneRequest,
    MilestoneStatusEnum,
    PaginatedProjectList,
    ProgressUpdate,
    ProjectsListHealth,
    Rollup,
    RollupIncidentLine,
    RollupObjectiveLine,
    RollupProjectLine,
    WeekUpdateWriteRequest,
)

DEMO_WEEK = "2023-W53"


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit(f"FAILED: {message}")


def step(title: str) -> None:
    print(f"  - {title}", flush=True)


def main() -> int:
    url, token = os.environ["OKR_URL"], os.environ["OKR_TOKEN"]

    step("an unknown token gets a typed 401")
    with AuthenticatedClient(base_url=url, token="not-a-token", prefix="Token") as stranger:
        answer = me_retrieve.sync_detailed(client=stranger)
        check(answer.status_code == 401 and isinstance(answer.parsed, Error), f"401 Error, got {answer}")
    with Client(base_url=url) as anonymous:
        check(me_retrieve.sync_detailed(client=anonymous).status_code == 401, "anonymous /me/ is 401")

    client = AuthenticatedClient(base_url=url, token=token, prefix="Token", raise_on_unexpected_status=True)
    with client:
        step("log in with the token: /me/")
        me = me_retrieve.sync(client=client)
        check(isinstance(me, Me) and me.projects, f"an owner with projects, got {me}")
        print(f"    {me.username} ({me.full_name}), projects {me.projects}, this week {me.current_week}")

        step("list projects, paginated and typed")
        first = projects_list.sync(client=client, page_size=5)
        check(isinstance(first, PaginatedProjectList), f"a page, got {first!r}")
        check(first.count > 5 and len(first.results) == 5 and first.next_, "more than one page")
        second = projects_list.sync(client=client, page_size=5, page=2)
        check({p.id for p in first.results}.isdisjoint(p.id for p in second.results), "page 2 is new projects")
        check(all(isinstance(p.health, HealthEnum) for p in first.results), "health is an enum")

        step("filter projects: mine, and at risk")
        mine = projects_list.sync(client=client, owner=me.id, page_size=100)
        check({p.id for p in mine.results} == set(me.projects), "owner filter = /me/'s projects")
        at_risk = projects_list.sync(client=client, health=ProjectsListHealth.AT_RISK, page_size=100)
        check(at_risk.count > 0, "the demo has projects at risk")
        check(all(p.health == HealthEnum.AT_RISK for p in at_risk.results), "health filter")
        bad = projects_list.sync_detailed(client=client, week="2023-53")
        check(bad.status_code == 400 and isinstance(bad.parsed, FieldErrors), f"typed 400, got {bad}")
        check("week" in bad.parsed.additional_properties, "the bad field is named")

        step("PUT this week's update: 201, then 200 with the same body")
        project = next(p for p in mine.results if p.id == me.projects[0])
        body = WeekUpdateWriteRequest(
            summary="Generated-client check: trial transactions passed.",
            percent=project.percent,
            health=HealthEnum.ON_TRACK,
            next_steps="Shift 5% of traffic.",
        )
        created = projects_updates_update.sync_detailed(project.id, me.current_week, client=client, body=body)
        check(created.status_code == 201 and isinstance(created.parsed, ProgressUpdate), f"201, got {created}")
        check(created.parsed.week == me.current_week and created.parsed.health == HealthEnum.ON_TRACK, "echoed")
        replaced = projects_updates_update.sync_detailed(project.id, me.current_week, client=client, body=body)
        check(replaced.status_code == 200 and replaced.parsed.id == created.parsed.id, f"200, got {replaced}")
        invalid = projects_updates_update.sync_detailed(
            project.id, me.current_week, client=client, body=WeekUpdateWriteRequest(summary="x", percent=140)
        )
        check(invalid.status_code == 400 and "percent" in invalid.parsed.additional_properties, "percent > 100")
        theirs = projects_list.sync(client=client, page_size=100)
        other = next(p for p in theirs.results if p.id not in me.projects)
        refused = projects_updates_update.sync_detailed(other.id, me.current_week, client=client, body=body)
        check(refused.status_code == 403 and isinstance(refused.parsed, Error), f"403, got {refused}")

        step("create a milestone")
        due = datetime.date.today() + datetime.timedelta(days=30)
        milestone = milestones_create.sync(
            client=client, body=MilestoneRequest(project=project.id, title="Generated-client milestone", due_date=due)
        )
        check(isinstance(milestone, Milestone) and milestone.due_date == due, f"a milestone, got {milestone}")
        check(isinstance(milestone.status, MilestoneStatusEnum), "status is an enum")
        listed = milestones_list.sync(client=client, project=project.id, page_size=100)
        check(milestone.id in {m.id for m in listed.results}, "the new milestone is listed")

        step(f"read the rollup of {DEMO_WEEK} as typed objects")
        rollup = rollups_retrieve.sync(DEMO_WEEK, client=client)
        check(isinstance(rollup, Rollup) and rollup.week.code == DEMO_WEEK, f"a rollup, got {rollup!r}")
        check(rollup.week.monday == datetime.date(2023, 12, 25), "the week's Monday is a date")
        check(all(isinstance(o, RollupObjectiveLine) for o in rollup.objectives), "objective lines")
        lines = [p for o in rollup.objectives for p in o.projects]
        check(lines and all(isinstance(p, RollupProjectLine) for p in lines), "project lines")
        pos = next(p for p in lines if p.name == "POS收单系统建设")
        check(pos.percent == 81.43 and pos.milestones and pos.launch.baseline is not None, f"POS line: {pos}")
        check(isinstance(pos.launch.date, datetime.date), "planned dates are dates")
        check(rollup.incidents and all(isinstance(i, RollupIncidentLine) for i in rollup.incidents), "incidents")
        incident = rollup.incidents[0]
        check(isinstance(incident.grade, GradeEnum) and incident.detected_at.tzinfo is not None, "typed incident")
        counts = rollup.incident_counts
        check(counts.ytd["CD"] == "1.5" and counts.week_incidents >= 1, f"CD 1.5 in the year, got {counts}")
        check(rollup.metrics and rollup.metrics[0].trend, "metrics with readings")
        check(isinstance(rollup.frozen, bool), "frozen state")
        print(
            f"    {rollup.week.label_en}: {len(rollup.objectives)} objectives, {len(lines)} project lines, "
            f"{len(rollup.incidents)} incidents (CD this year {counts.ytd['CD']}), "
            f"{len(rollup.metrics)} metrics, POS {pos.percent}%"
        )
        bad_week = rollups_retrieve.sync_detailed("2023-53", client=client)
        check(bad_week.status_code == 400 and isinstance(bad_week.parsed, FieldErrors), "bad week is 400")
    print("generated client: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
