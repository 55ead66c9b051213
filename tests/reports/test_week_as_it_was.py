"""A week reads as it was at its report (Friday 17:00): later changes never rewrite it.

Each test enters a department during week 53 of 2023 (Mon 2023-12-25 .. Sun 2023-12-31, report on
Friday the 29th at 17:00) with the clock travelled there, then changes things afterwards.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from projects import services
from projects.history import recorded_at
from projects.models import Health, Incident, Milestone, PlannedDateChange, Project
from projects.weeks import Week
from reports.freeze import rollup_freeze
from reports.rollup import Source, build_rollup, read_week
from tests import factories

from .rollup_data import department

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
W53 = Week(2023, 53, "jan1")
W01 = Week(2024, 1, "jan1")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def project_line(data, name):
    return next(p for o in data["objectives"] for p in o["projects"] if p["name"] == name)


def comparable(data: dict) -> dict:
    """The rollup without the moment it was compiled and read (and so whether its week is this week)."""
    kept = {k: v for k, v in data.items() if k not in ("compiled_at", "frozen", "frozen_at", "compiled_on_time")}
    kept["week"] = {k: v for k, v in data["week"].items() if k != "is_current"}
    return kept


def change_everything_after_the_report(parts) -> None:
    """A project, its milestones, a key result, a slip and an incident, all changed after Friday 17:00."""
    pos: Project = parts["pos"]
    pos.refresh_from_db()
    pos.name = "POS acquiring (renamed)"
    pos.status = Project.Status.DONE
    pos.is_key_work = False
    pos.launch_date = date(2024, 2, 20)
    services.project_save(project=pos)
    for milestone in pos.milestones.all():
        milestone.status, milestone.percent = Milestone.Status.DONE, Decimal(100)
        milestone.completed_on = date(2024, 1, 2)
        services.milestone_save(milestone=milestone)
    services.milestone_save(milestone=Milestone(project=pos, title="Added later", due_date=date(2023, 12, 1)))
    payin = parts["o3"].key_results.get(title="Pay-in success rate")
    payin.target_value, payin.title = Decimal("99.999"), "Pay-in (renamed)"
    payin.save()
    services.key_result_record_reading(key_result=payin, week_start=W53.monday, value=Decimal("99.5"))
    incident = Incident.objects.get(title="Callback timeouts")
    incident.grade = "B"
    services.incident_save(incident=incident)
    factories.ProjectFactory(objective=parts["o1"], name="Started in January", owner=parts["owner"])


def test_changes_after_the_report_never_change_the_week():
    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
    with time_machine.travel(at(2023, 12, 30, 10), tick=False):
        before = build_rollup(W53)
        change_everything_after_the_report(parts)
        after = build_rollup(W53)
    assert comparable(after) == comparable(before)
    pos = project_line(after, "POS acquiring")
    assert pos["status"] == "in_progress" and pos["is_key_work"]
    assert pos["launch"]["date"] == "2024-01-20"  # the slip known by then, not February's
    assert [m["status"] for m in pos["milestones"]] == ["done", "not_started", "not_started"]
    assert "Added later" not in [m["title"] for m in pos["milestones"]]
    payin = after["metrics"][0]
    assert (payin["title"], payin["target"], payin["value"]) == ("Pay-in success rate", "99.99", "99.985")
    assert [i["grade"] for i in after["incidents"]] == ["C", "D"]
    assert "Started in January" not in [p["name"] for o in after["objectives"] for p in o["projects"]]


def test_a_snapshot_frozen_at_the_report_equals_the_week_rebuilt_later():
    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
    with time_machine.travel(at(2023, 12, 29, 17, 0, 5), tick=False):
        snapshot = rollup_freeze(week=W53)
    with time_machine.travel(at(2024, 3, 1, 9), tick=False):
        change_everything_after_the_report(parts)
        rebuilt = read_week(W53, source=Source.LIVE)
        frozen = read_week(W53)
    assert frozen["frozen"] and frozen["compiled_on_time"]
    assert comparable(rebuilt) == comparable(snapshot.data) == comparable(frozen)


def test_a_snapshot_compiled_late_says_so_and_still_shows_the_friday():
    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
    with time_machine.travel(at(2024, 1, 3, 9), tick=False):
        parts["pos"].refresh_from_db()
        parts["pos"].name = "Renamed in January"
        services.project_save(project=parts["pos"])
        rollup_freeze(week=W53)
    frozen = read_week(W53)
    assert frozen["frozen"] and not frozen["compiled_on_time"]
    assert frozen["as_of"] == "2023-12-29T17:00:00+08:00"
    assert "POS acquiring" in [p["name"] for p in frozen["key_work"]["projects"]]


def test_the_current_week_shows_the_state_now_until_its_report():
    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
        parts["pos"].refresh_from_db()
        parts["pos"].name = "Renamed on Friday afternoon"
        services.project_save(project=parts["pos"])
        data = build_rollup(W53)
    assert data["week"]["is_current"] and data["as_of"] == "2023-12-29T15:00:00+08:00"
    assert project_line(data, "Renamed on Friday afternoon")


# --- across cycles ---------------------------------------------------------------------------


@pytest.fixture
def two_cycles():
    """POS runs through 2023 into 2024: carried over on 2024-01-01, reported on in 2024-W01."""
    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
    with time_machine.travel(at(2024, 1, 1, 9), tick=False):
        cycle = factories.CycleFactory(name="2024", start=date(2024, 1, 1), end=date(2024, 12, 31))
        o2 = factories.ObjectiveFactory(cycle=cycle, code="O2", title="System upgrades 2024", order=2)
        o3 = factories.ObjectiveFactory(cycle=cycle, code="O3", title="Stability 2024", order=3)
        pos = Project.objects.get(pk=parts["pos"].pk)
        services.project_carry_over(project=pos, objective=o2)
        payin = parts["o3"].key_results.get(title="Pay-in success rate")
        services.key_result_carry_over(key_result=payin, objective=o3)
    with time_machine.travel(at(2024, 1, 5, 11), tick=False):
        services.key_result_record_reading(key_result=payin, week_start=W01.monday, value=Decimal("99.991"))
        pos.launch_date = date(2024, 2, 1)
        services.project_save(project=pos)
        review = pos.milestones.get(title="Design review")
        review.status, review.completed_on = Milestone.Status.DONE, date(2024, 1, 3)
        services.milestone_save(milestone=review)
        services.progress_update_write(
            project=pos,
            week_start=W01.monday,
            values={"percent": Decimal(70), "health": Health.ON_TRACK, "summary": "Shifted 5% of traffic."},
            author=parts["owner"],
        )
    return parts


def test_the_first_week_of_a_cycle_continues_the_last_of_the_previous(two_cycles):
    with time_machine.travel(at(2024, 1, 8, 9), tick=False):
        data = build_rollup(W01)
    assert data["cycle"]["name"] == "2024"
    pos = project_line(data, "POS acquiring")
    assert pos["objective_code"] == "O2"
    # Two of its three milestones are done now (the percent is theirs): 62 % → 66.67 %.
    assert (pos["previous_percent"], pos["percent"], pos["change_points"]) == (62.0, 66.67, 4.67)
    assert pos["previous_health"] == "at_risk" and pos["health"] == "on_track"
    assert pos["planned"] == "Shift 5% of traffic."  # 2023-W53's next steps
    assert pos["launch"] == {"date": "2024-02-01", "baseline": "2023-12-30", "days": 33, "times": 2, "slipped": True}
    completed = [m["title"] for o in data["objectives"] for m in o["milestones"]["completed"]]
    assert completed == ["Design review"]  # Trial transactions finished in 2023, not again this week
    payin = data["metrics"][0]
    assert (payin["previous"], payin["value"], payin["change"]) == ("99.985", "99.991", "0.006")
    # 2023's last week still shows POS where it was then, under 2023's O2.
    w53 = build_rollup(W53)
    assert project_line(w53, "POS acquiring")["objective_code"] == "O2"
    assert w53["cycle"]["name"] != "2024" and w53["metrics"][0]["value"] == "99.985"


def test_carry_over_refuses_the_same_cycle_and_a_cycle_not_started(two_cycles):
    from django.core.exceptions import ValidationError

    pos = Project.objects.get(name="POS acquiring")
    with pytest.raises(ValidationError, match="another cycle"):
        services.project_carry_over(project=pos, objective=pos.objective)
    later = factories.CycleFactory(name="2099", start=date(2099, 1, 1), end=date(2099, 12, 31))
    objective = factories.ObjectiveFactory(cycle=later, code="O2")
    with pytest.raises(ValidationError, match="when that cycle starts"):
        services.project_carry_over(project=pos, objective=objective)


def test_aliases_find_a_renamed_project(two_cycles):
    pos = Project.objects.get(name="POS acquiring")
    pos.aliases.create(name="POS收单")
    assert list(Project.objects.named("POS收单")) == [pos]
    assert list(Project.objects.named(" POS acquiring ")) == [pos]


def test_admin_carries_projects_over_to_a_chosen_cycle(two_cycles, admin_client):
    quiet = Project.objects.get(name="Merchant onboarding")
    cycle_2024 = quiet.objective.cycle.__class__.objects.get(name="2024")
    factories.ObjectiveFactory(cycle=cycle_2024, code="O1", title="Serve 2024", order=1)
    url = "/admin/projects/project/"
    page = admin_client.post(url, {"action": "carry_over", "_selected_action": [quiet.pk]})
    assert page.status_code == 200 and "Carry over to cycle" in page.content.decode()
    admin_client.post(
        url, {"action": "carry_over", "_selected_action": [quiet.pk], "apply": "1", "cycle": cycle_2024.pk}
    )
    quiet.refresh_from_db()
    assert quiet.objective.cycle == cycle_2024 and quiet.objective.code == "O1"
    assert quiet.updates.count() == 1  # its history came along


# --- the period of incidents -------------------------------------------------------------------


def test_each_incident_belongs_to_exactly_one_report():
    with recorded_at(at(2023, 12, 1, 9)):
        cycle = factories.CycleFactory()
        factories.ObjectiveFactory(cycle=cycle, code="O1")
    times = {
        "Sunday before": at(2023, 12, 24, 9),  # after week 52's report: week 53
        "Friday before the report": at(2023, 12, 29, 16, 59),
        "Friday after the report": at(2023, 12, 29, 17, 1),  # next report: 2024-W01
        "Previous Friday after its report": at(2023, 12, 22, 18),  # week 53 too
        "Previous Friday before its report": at(2023, 12, 22, 16),  # week 52
    }
    for title, detected in times.items():
        with recorded_at(detected):
            factories.IncidentFactory(title=title, detected_at=detected, grade="C", responsibility_share=Decimal(1))
    with time_machine.travel(at(2024, 2, 1), tick=False):
        w52, w53, w01 = (build_rollup(w) for w in (W53.previous(), W53, W01))
    titles = {code: [i["title"] for i in d["incidents"]] for code, d in (("52", w52), ("53", w53), ("01", w01))}
    assert titles["52"] == ["Previous Friday before its report"]
    assert titles["53"] == ["Previous Friday after its report", "Sunday before", "Friday before the report"]
    assert titles["01"] == ["Friday after the report"]
    assert w53["incident_counts"]["week"]["CD"] == "3" and w53["incident_counts"]["ytd"]["CD"] == "4"
    assert w01["incident_counts"]["ytd"]["CD"] == "1"  # a new year of reports


def test_an_incident_entered_after_its_report_joins_its_week_when_rebuilt():
    with recorded_at(at(2023, 12, 1, 9)):
        factories.ObjectiveFactory(cycle=factories.CycleFactory(), code="O1")
    with recorded_at(at(2023, 12, 30, 9)):  # entered Saturday, for Thursday
        factories.IncidentFactory(title="Entered late", detected_at=at(2023, 12, 28, 9), grade="D")
    with time_machine.travel(at(2024, 2, 1), tick=False):
        assert [i["title"] for i in build_rollup(W53)["incidents"]] == ["Entered late"]
        assert build_rollup(W01)["incidents"] == []


# --- one way to read a week, one parser for week codes -------------------------------------------


def test_export_command_and_download_read_the_same_week(client, director, tmp_path):
    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
    with time_machine.travel(at(2023, 12, 29, 17, 1), tick=False):
        rollup_freeze(week=W53)
    with time_machine.travel(at(2023, 12, 29, 16), tick=False):  # a late edit of the week, before the cutoff
        services.progress_update_write(
            project=parts["quiet"],
            week_start=W53.monday,
            values={"summary": "Written after the freeze"},
            author=parts["owner"],
        )
    client.force_login(director)
    download = client.get("/rollup/2023-W53/report.md").content.decode()
    path = tmp_path / "w53.md"
    call_command("export_weekly_report", "--week", "2023-W53", "--output", str(path))
    assert path.read_text(encoding="utf-8") == download  # both read the frozen snapshot
    assert "Written after the freeze" not in download
    call_command("export_weekly_report", "--week", "2023-W53", "--live", "--output", str(path))
    assert "Written after the freeze" in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8") == client.get("/rollup/2023-W53/report.md?live=1").content.decode()


BAD_CODES = ["0001-W01", "9999-W01", "2023-W54", "2023-W00", "20x3-W01"]


@pytest.mark.parametrize("code", BAD_CODES)
def test_a_bad_week_is_404_on_pages_and_400_in_the_api(client, director, code):
    client.force_login(director)
    for url in (f"/rollup/{code}/", f"/rollup/{code}/projects.csv", f"/rollup/{code}/report.md"):
        assert client.get(url).status_code == 404, url
    api = [f"/api/v1/rollups/{code}/", f"/api/v1/updates/?week={code}"]
    for url in api:
        response = client.get(url)
        assert response.status_code in (400, 404), url  # 404 where the URL pattern itself refuses it
        assert response.status_code != 500
    assert client.get(f"/api/v1/rollups/{code}/").status_code == 400


@pytest.mark.parametrize("text", ["2023-02-30", "0001-01-01", "9999-12-31", "2023-W54", "next week"])
def test_goto_with_a_bad_date_or_week_explains_instead_of_failing(client, director, text):
    client.force_login(director)
    response = client.get("/rollup/", {"goto": text})
    assert response.status_code == 200
    assert "Write a week like 2023-W53" in response.content.decode()


def test_goto_with_a_date_opens_its_week(client, director):
    client.force_login(director)
    assert client.get("/rollup/", {"goto": "2023-12-29"})["Location"] == "/rollup/2023-W53/"


@pytest.mark.parametrize("command", ["export_weekly_report", "freeze_rollup", "send_digest", "send_reminders"])
@pytest.mark.parametrize("code", ["0001-W01", "2023-W54", "last week"])
def test_commands_refuse_bad_weeks_clearly(command, code):
    from django.core.management import CommandError

    with pytest.raises(CommandError) as error:
        call_command(command, "--week", code)
    assert "week" in str(error.value).lower() or "Weeks from" in str(error.value)


# --- one definition per rule ---------------------------------------------------------------------


def test_stale_means_the_same_in_the_admin_the_rollup_and_the_reminders(admin_client):
    from reports.mail.recipients import owners_missing_updates

    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
        done = factories.ProjectFactory(
            objective=parts["o1"], name="Finished", owner=parts["owner"], status=Project.Status.DONE
        )
        data = build_rollup(W53)
        stale_in_rollup = {p["name"] for o in data["objectives"] for p in o["projects"] if p["is_stale"]}
        reminded = {p.name for r in owners_missing_updates(W53) for p in r.projects}
        listed = admin_client.get("/admin/projects/project/", {"updated": "no"}).context["cl"].result_list
    assert stale_in_rollup == reminded == {p.name for p in listed} == {"Merchant onboarding"}
    assert done.name not in stale_in_rollup


def test_next_milestone_is_the_same_in_the_api_and_the_rollup(client, director):
    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
        quiet = parts["quiet"]
        factories.MilestoneFactory(project=quiet, title="Undated, first by number", order=1, due_date=None)
        factories.MilestoneFactory(project=quiet, title="Undated, second", order=2, due_date=None)
        rollup = project_line(build_rollup(W53), "Merchant onboarding")["next_milestone"]
        client.force_login(director)
        api = client.get(f"/api/v1/projects/{quiet.pk}/").json()["next_milestone"]
    assert rollup["title"] == api["title"] == "Undated, first by number"


def test_overdue_means_due_before_the_day_and_still_open():
    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
        pos = parts["pos"]
        factories.MilestoneFactory(project=pos, title="Due today", due_date=date(2023, 12, 29))
        data = build_rollup(W53)
    overdue = [m["title"] for m in data["objectives"][1]["milestones"]["overdue"]]
    assert overdue == ["Design review"]  # due 12-20, open; "Due today" is not late yet
    line = {m["title"]: m["is_overdue"] for m in project_line(data, "POS acquiring")["milestones"]}
    assert line == {"Trial transactions": False, "Design review": True, "Traffic shift": False, "Due today": False}


def test_planned_date_changes_are_dated_when_recorded_for_a_past_week():
    with time_machine.travel(at(2023, 12, 29, 15), tick=False):
        parts = department()
    with recorded_at(at(2023, 12, 29, 16)):
        pos = Project.objects.get(pk=parts["pos"].pk)
        pos.launch_date = date(2024, 1, 25)
        services.project_save(project=pos)
    change = PlannedDateChange.objects.filter(project=pos).order_by("-changed_at").first()
    assert change.changed_at == at(2023, 12, 29, 16)
    assert project_line(build_rollup(W53), "POS acquiring")["launch"]["times"] == 2
