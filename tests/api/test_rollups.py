"""GET /api/v1/rollups/<week>/: the frozen snapshot where there is one, else the live rollup."""

import pytest
from django.utils import timezone

from projects.weeks import Week
from reports.models import RollupSnapshot
from reports.rollup import build_rollup

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("week_53")]

URL = "/api/v1/rollups/2023-W53/"


def project_names(data) -> set[str]:
    return {p["name"] for o in data["objectives"] for p in o["projects"]}


def test_live_rollup_when_nothing_is_frozen(as_director, as_owner, plan):
    as_owner.put(f"/api/v1/projects/{plan['pos'].pk}/updates/2023-W53/", {"summary": "Trial passed."})
    response = as_director.get(URL)
    assert response.status_code == 200
    data = response.json()
    assert data["frozen"] is False
    assert data["compiled_at"]
    assert data["week"]["code"] == "2023-W53"
    assert data["week"]["label_zh"] == "2023年第53周"
    assert "POS acquiring" in project_names(data)
    pos = next(p for o in data["objectives"] for p in o["projects"] if p["name"] == "POS acquiring")
    assert pos["update"]["summary"] == "Trial passed."


def test_frozen_snapshot_wins_and_later_edits_do_not_show(as_director, as_owner, plan, director):
    week = Week.parse("2023-W53")
    RollupSnapshot.objects.create(
        week_start=week.monday, data=build_rollup(week), compiled_at=timezone.now(), compiled_by=director
    )
    as_owner.patch(f"/api/v1/projects/{plan['pos'].pk}/", {"name": "POS acquiring (renamed)"})

    frozen = as_director.get(URL).json()
    assert frozen["frozen"] is True
    assert "POS acquiring" in project_names(frozen)
    assert "POS acquiring (renamed)" not in project_names(frozen)

    live = as_director.get(URL + "?live=1").json()
    assert live["frozen"] is False
    assert "POS acquiring (renamed)" in project_names(live)


def test_rollup_filters_and_errors(as_owner, anon, plan):
    only_o2 = as_owner.get(URL + "?objective=O2").json()
    assert project_names(only_o2) == {"POS acquiring"}
    assert anon.get(URL).status_code == 401
    bad = as_owner.get("/api/v1/rollups/2023-53/")
    assert bad.status_code == 400
    assert "week" in bad.json()
    assert as_owner.get("/api/v1/rollups/0001-W01/").status_code == 400
