import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.weeks import Week
from reports.rollup import RollupFilters, build_rollup
from tests import factories

from .rollup_data import add_projects, department

pytestmark = pytest.mark.django_db
FRIDAY = datetime(2023, 12, 29, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
W53_MONDAY = datetime(2023, 12, 25).date()


@pytest.fixture
def on_friday():
    with time_machine.travel(FRIDAY, tick=False):
        yield


def week53():
    return Week.parse("2023-W53", "jan1")


def project(data, name):
    return next(p for o in data["objectives"] for p in o["projects"] if p["name"] == name)


def test_rollup_is_plain_json_in_report_order(on_friday):
    department()
    data = build_rollup(week53())
    assert json.loads(json.dumps(data)) == data
    assert [o["code"] for o in data["objectives"]] == ["O1", "O2", "O3"]
    assert data["week"]["label_zh"] == "2023年第53周"
    assert data["week"]["other_code"] == "2023-W52"  # ISO calls it week 52
    assert (data["week"]["monday"], data["week"]["friday"]) == ("2023-12-25", "2023-12-29")
    assert data["week"]["is_current"] is True


def test_project_line_shows_progress_plan_against_actual_and_slips(on_friday):
    department()
    pos = project(build_rollup(week53()), "POS acquiring")
    assert pos["percent"] == 62.0
    assert pos["change_points"] == 7.0
    assert pos["health"] == "at_risk" and pos["previous_health"] == "on_track"
    assert pos["planned"] == "Trial run."
    assert pos["update"]["summary"] == "Trial transactions passed."
    assert pos["owner"] == "Lin Wei"
    assert pos["next_milestone"] == {"title": "Design review", "due_date": "2023-12-20"}
    assert pos["launch"] == {"date": "2024-01-20", "baseline": "2023-12-30", "days": 21, "times": 1, "slipped": True}
    assert pos["slipped"] and pos["changed"] and not pos["is_stale"]
    assert [v["value"] for v in pos["trend"][-2:]] == [55.0, 62.0]


def test_stale_projects_and_milestone_lists(on_friday):
    department()
    data = build_rollup(week53())
    quiet = project(data, "Merchant onboarding")
    assert quiet["is_stale"] is True and quiet["changed"] is False
    o2 = data["objectives"][1]
    assert [m["title"] for m in o2["milestones"]["completed"]] == ["Trial transactions"]
    assert [m["title"] for m in o2["milestones"]["due_next_week"]] == ["Traffic shift"]
    assert [m["title"] for m in o2["milestones"]["overdue"]] == ["Design review"]
    assert data["objectives"][0]["stale_count"] == 1


def test_metrics_incidents_and_director_text(on_friday):
    department()
    data = build_rollup(week53())
    (payin,) = data["metrics"]
    assert (payin["value"], payin["previous"], payin["change"], payin["target"]) == (
        "99.985",
        "99.995",
        "-0.01",
        "99.99",
    )
    assert payin["on_target"] is False
    tagging = next(k for k in data["objectives"][2]["key_results"] if k["title"] == "Assets tagged")
    assert tagging["progress"] == 77.04
    counts = data["incident_counts"]
    assert counts["week"]["AB"] == "0" and counts["week"]["CD"] == "1.5"
    assert counts["ytd"]["AB"] == "1" and counts["ytd"]["CD"] == "1.5"
    assert [i["title"] for i in data["incidents"]] == ["Pay-out delays", "Callback timeouts"]
    assert data["incidents"][0]["share"] == "0.5"
    assert data["key_work"]["highlights"] == "Year-end support."
    assert [p["name"] for p in data["key_work"]["projects"]] == ["POS acquiring"]
    assert data["reflections"] == "Plan earlier."
    assert data["next_steps"][0]["text"] == "Shift 5% of traffic."


def test_past_week_reads_the_updates_of_that_week():
    with time_machine.travel(FRIDAY, tick=False):
        department()
    data = build_rollup(week53())  # today is long after week 53
    assert data["week"]["is_current"] is False
    assert project(data, "POS acquiring")["percent"] == 62.0
    assert project(data, "Merchant onboarding")["percent"] == 30.0


def test_filters_narrow_project_lists(on_friday):
    parts = department()
    changed = build_rollup(week53(), filters=RollupFilters(changes_only=True))
    assert [p["name"] for o in changed["objectives"] for p in o["projects"]] == ["POS acquiring"]
    by_health = build_rollup(week53(), filters=RollupFilters(health="on_track"))
    assert [p["name"] for o in by_health["objectives"] for p in o["projects"]] == ["Merchant onboarding"]
    assert by_health["key_work"]["projects"] == []
    by_team = build_rollup(week53(), filters=RollupFilters(team=parts["team"].pk))
    assert [p["name"] for o in by_team["objectives"] for p in o["projects"]] == ["POS acquiring"]
    only_o1 = build_rollup(week53(), filters=RollupFilters(objective="O1"))
    assert [o["code"] for o in only_o1["objectives"]] == ["O1"]


def test_filters_from_query_ignore_bad_values():
    filters = RollupFilters.from_query({"team": "x", "owner": "3", "health": "bogus", "changes": "1"})
    assert filters == RollupFilters(owner=3, changes_only=True)


def count_queries() -> int:
    with CaptureQueriesContext(connection) as ctx:
        build_rollup(week53())
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_projects_or_history(on_friday):
    parts = department()
    add_projects(parts, 2, 2)
    small = count_queries()
    add_projects(parts, 30, 20)
    factories.IncidentFactory(grade="A", detected_at=FRIDAY)
    large = count_queries()
    assert small == large <= 15


def test_a_metric_without_a_target_does_not_count_toward_its_objective(on_friday):
    parts = department()
    for kr in parts["o3"].key_results.all():
        kr.delete()
    untargeted = factories.KeyResultFactory(objective=parts["o3"], title="Tables tagged", target_value=None)
    factories.KeyResultReadingFactory(key_result=untargeted, week_start=W53_MONDAY, value=104)
    o3 = next(o for o in build_rollup(week53())["objectives"] if o["code"] == "O3")
    assert o3["key_results"][0]["on_target"] is None and o3["key_results"][0]["target"] is None
    assert o3["progress_source"] != "key_results"
