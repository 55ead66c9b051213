"""``manage.py load_demo``: the demo department loads once, reloads as a no-op, and matches the reports."""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import transaction

from projects.models import (
    Incident,
    KeyResult,
    Milestone,
    PlannedDateChange,
    ProgressUpdate,
    Project,
)
from projects.weeks import Week
from reports.models import DirectorNote

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK_38 = Week(2023, 38, "jan1").monday
WEEK_53 = Week(2023, 53, "jan1").monday


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every table the demo touches, history tables included."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in ("projects", "reports", "auth")
    }


@pytest.fixture(scope="module")
def demo_loaded(django_db_setup, django_db_blocker):
    """Load once for the module inside a transaction that is rolled back at the end (loading takes seconds)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_loaded, db):
    return demo_loaded


def test_second_run_changes_nothing(demo):
    first = row_counts()
    assert first["projects.Project"] >= 25
    assert first["projects.ProgressUpdate"] > 200

    output = load()

    assert row_counts() == first  # history tables too: nothing was saved again
    assert "0 rows created, 0 updated" in output


def test_output_shows_steps_and_logins(demo):
    assert "Progress updates:" in demo
    assert "Planned-date changes:" in demo
    for username, password in (("director", "director-demo-2023"), ("liuyang", "owner-demo-2023")):
        assert username in demo and password in demo


def test_week_53_matches_the_report(demo):
    from reports.rollup import build_rollup

    pos = Project.objects.get(name="POS收单系统建设")
    week_53 = build_rollup(Week(2023, 53, "jan1"))  # as it stood that Friday (the demo goes on into 2024)
    line = next(p for o in week_53["objectives"] for p in o["projects"] if p["name"] == pos.name)
    milestones = line["milestones"]
    assert len(milestones) == 7
    assert [m["status"] for m in milestones[:4]] == [Milestone.Status.DONE] * 4
    assert milestones[4]["title"] == "商户巡检" and milestones[4]["percent"] == 80
    # (4 × 100 + 80 + 50 + 40) / 7 milestones of equal weight
    assert line["percent"] == 81.43
    assert pos.updates.get(week_start=WEEK_53).percent == Decimal("81.43")
    assert pos.is_key_work
    # Milestones moved week by week: in week 38 nothing was done yet, so the percent was lower.
    assert pos.updates.get(week_start=WEEK_38).percent == Decimal("25.00")
    assert all("2023-09-11" <= m["completed_on"] <= "2023-12-31" for m in milestones[:4])
    assert all(m["completed_on"] is None for m in milestones[4:])

    pay_in = KeyResult.objects.get(title="入金有效成功率")
    readings = dict(pay_in.readings.values_list("week_start", "value"))
    weeks = [Week(2023, n, "jan1").monday for n in range(38, 54)] + [Week(2024, 1, "jan1").monday]
    assert sorted(readings) == weeks  # one series across the 2023 and 2024 cycles
    assert readings[WEEK_53] == Decimal("99.997")
    assert pay_in.is_operating_metric and pay_in.current_value == Decimal("99.998")  # 2024-W01, the latest
    assert KeyResult.objects.get(title="出金有效成功率").readings.get(week_start=WEEK_38).value == Decimal("99.965")

    assert Project.objects.get(name="风险数据指标").percent == 50


def test_incidents_of_both_weeks(demo):
    week_38 = Incident.objects.filter(detected_at__date__range=(date(2023, 9, 10), date(2023, 9, 15)))
    assert week_38.count() == 3
    sftp = Incident.objects.get(detected_at=datetime(2023, 12, 26, 9, 26, tzinfo=SHANGHAI))
    assert sftp.resolved_at == datetime(2023, 12, 26, 10, 20, tzinfo=SHANGHAI)
    rollback = Incident.objects.get(grade=Incident.Grade.C)
    assert rollback.responsibility_share == Decimal("0.5") and rollback.postmortem_done
    assert DirectorNote.objects.filter(week_start__in=[WEEK_38, WEEK_53]).count() == 2


def test_slipped_projects_have_date_changes_and_stale_ones_no_week_53_update(demo):
    refund = Project.objects.get(name="交易不成退代")
    assert refund.launch_date == date(2024, 1, 18)  # moved again in 2024-W01
    assert refund.launch_date_baseline == date(2023, 12, 20)
    first, second = refund.date_changes.filter(kind=PlannedDateChange.Kind.LAUNCH).order_by("changed_at")
    assert (first.old_date, first.new_date) == (date(2023, 12, 20), date(2024, 1, 4))
    assert Week.of(first.changed_at).code == "2023-W51" and Week.of(second.changed_at).code == "2024-W01"
    assert PlannedDateChange.objects.values("project").distinct().count() >= 5

    active = Project.objects.exclude(status=Project.Status.DONE)
    updated_53 = set(ProgressUpdate.objects.filter(week_start=WEEK_53).values_list("project", flat=True))
    stale = active.exclude(pk__in=updated_53)
    assert stale.exists() and active.filter(pk__in=updated_53).exists()
    assert active.filter(health="at_risk").exists()


@pytest.mark.parametrize(("username", "password"), [("director", "director-demo-2023"), ("zhaolei", "owner-demo-2023")])
def test_demo_users_log_into_the_admin(demo, client, username, password):
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/projects/project/").status_code == 200


def test_unmigrated_groups_give_a_clear_error_and_save_nothing(db):
    Group.objects.filter(name="Directors").delete()
    before = row_counts()

    with pytest.raises(CommandError, match="migrate"):
        load()

    assert row_counts() == before


def test_week_38_shows_the_department_as_it_was_that_friday(demo):
    from reports.rollup import build_rollup

    data = build_rollup(Week(2023, 38, "jan1"))
    projects = {p["name"]: p for o in data["objectives"] for p in o["projects"]}
    pos = projects["POS收单系统建设"]
    assert [m["status"] for m in pos["milestones"]][:4] != ["done"] * 4  # ticked in October-December
    assert all(m["completed_on"] is None or m["completed_on"] <= "2023-09-15" for m in pos["milestones"])
    assert pos["percent"] == 25.0 and pos["launch"]["times"] == 0  # its January slip came in week 49
    assert projects["家家盈平台"]["status"] == "in_progress"  # launched in week 44
    assert "年结保障" not in projects  # started in December
    assert all(not p["slipped"] or p["launch"]["times"] <= 1 for p in projects.values())
    slipped = {name for name, p in projects.items() if p["slipped"]}
    assert slipped == {"商户品质优化"}  # the only move made by 2023-09-15 (in week 38)
    health = next(kr for o in data["objectives"] for kr in o["key_results"] if kr["title"] == "健康分")
    assert health["value"] == "647"
    assert data["incidents"][0]["title"] == "批量刷数导致ES索引分片异常"  # Sunday 09-10


def test_week_1_of_2024_continues_the_2023_projects(demo):
    from reports.rollup import build_rollup

    data = build_rollup(Week(2024, 1, "jan1"))
    assert data["cycle"]["name"] == "2024"
    projects = {p["name"]: p for o in data["objectives"] for p in o["projects"]}
    pos = projects["POS收单系统建设"]
    assert (pos["previous_percent"], pos["percent"]) == (81.43, 85.71)
    assert pos["planned"] == "下周巡检上线。"  # 2023-W53's next steps
    refund = projects["交易不成退代"]
    assert refund["launch"]["times"] == 2 and refund["launch"]["baseline"] == "2023-12-20"
    assert "家家盈平台" not in projects  # done in 2023: not carried over
    cd = next(m for m in data["metrics"] if m["title"] == "CD级事故数")
    assert (cd["previous"], cd["value"]) == ("1.5", "0")  # one series; the yearly count restarts
