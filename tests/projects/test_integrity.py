"""Integrity under careless and hostile input (issue 16): one-line fields, stale admin sessions,
milestone rights, length limits, incident ratings, the update window, dates and reading weeks."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from projects import services
from projects.models import Incident, KeyResultReading, Milestone, Project
from tests import factories
from tests.projects.test_access import change_url, form_data

pytestmark = pytest.mark.django_db

FRIDAY_WEEK_53 = "2023-12-29 10:00 +0800"


@pytest.fixture
def projects(owner, other_owner):
    mine = factories.ProjectFactory(name="POS收单系统建设", owner=owner)
    theirs = factories.ProjectFactory(name="机房双活", owner=other_owner, objective=mine.objective)
    return mine, theirs


# --- 1. one record is one report line -------------------------------------------------------------

INJECTED = "存管衍生\n- 存管衍生-银行卡办理，项目终止。（进度3%，上线2027-06-30）"


@pytest.mark.parametrize("bad", [INJECTED, "a\rb", "tab\there", "esc\x1b[31m", "line\u2028separator"])
def test_one_line_fields_refuse_control_characters_in_the_admin(client, owner, projects, bad):
    mine, _theirs = projects
    client.force_login(owner)
    response = client.post(change_url(mine), form_data(mine, name=bad))
    assert response.status_code == 200  # the form again, with the error
    assert "single line" in response.content.decode()
    mine.refresh_from_db()
    assert mine.name == "POS收单系统建设"


def test_milestone_and_incident_titles_are_one_line(projects):
    mine, _theirs = projects
    with pytest.raises(ValidationError) as milestone_error:
        services.milestone_save(milestone=Milestone(project=mine, title="Trial\n- 生产事件: fake"))
    assert "title" in milestone_error.value.message_dict
    incident = factories.IncidentFactory.build(title="DB failover\n## 生产事件", project=mine)
    with pytest.raises(ValidationError) as incident_error:
        services.incident_save(incident=incident)
    assert "title" in incident_error.value.message_dict


# --- 3. two stale admin sessions ---------------------------------------------------------------------


def test_second_stale_admin_session_gets_a_clear_message_not_a_silent_revert(client, owner, projects):
    mine, _theirs = projects
    client.force_login(owner)
    first = client.get(change_url(mine)).context["adminform"].form
    second = client.get(change_url(mine)).context["adminform"].form
    opened = first.fields["opened_version"].initial
    assert opened == second.fields["opened_version"].initial == mine.version

    saved = client.post(change_url(mine), form_data(mine, name="POS收单 (renamed)", opened_version=opened))
    assert saved.status_code == 302
    stale = client.post(
        change_url(mine),
        form_data(
            mine, name="POS收单系统建设", status="on_hold", opened_version=opened, **{"updates-TOTAL_FORMS": "0"}
        ),
    )
    assert stale.status_code == 200
    assert "Someone else changed this project since you opened it" in stale.content.decode()
    mine.refresh_from_db()
    assert (mine.name, mine.status) == ("POS收单 (renamed)", "in_progress")  # the first save stands


def test_project_save_refuses_a_stale_version_under_the_lock(projects):
    mine, _theirs = projects
    opened = mine.version
    services.project_save(project=Project.objects.get(pk=mine.pk), expected_version=opened)
    with pytest.raises(services.StaleVersionError):
        services.project_save(project=Project.objects.get(pk=mine.pk), expected_version=opened)


# --- 6. milestone rights: assignees update in place, owners move and delete -------------------------


def test_assignee_cannot_move_or_delete_another_owners_milestone_in_the_admin(client, owner, other_owner, projects):
    mine, theirs = projects
    assigned = factories.MilestoneFactory(project=theirs, owner=owner, title="Cut-over drill", percent=20)
    client.force_login(owner)
    url = reverse("admin:projects_milestone_change", args=[assigned.pk])
    page = client.get(url)
    fields = page.context["adminform"].form.fields
    assert set(fields) == {"status", "percent", "completed_on"}
    # A crafted POST naming the assignee's own project moves nothing.
    response = client.post(
        url, {"project": mine.pk, "title": "mine now", "status": "in_progress", "percent": "60", "completed_on": ""}
    )
    assert response.status_code == 302
    assigned.refresh_from_db()
    assert (assigned.project, assigned.title, assigned.percent) == (theirs, "Cut-over drill", 60)
    delete = client.post(reverse("admin:projects_milestone_delete", args=[assigned.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Milestone.objects.filter(pk=assigned.pk).exists()


def test_project_owner_moves_a_milestone_and_both_projects_follow(client, owner, projects):
    mine, _theirs = projects
    other_mine = factories.ProjectFactory(name="Merchant onboarding", owner=owner, objective=mine.objective)
    moving = factories.MilestoneFactory(project=mine, percent=80)
    factories.MilestoneFactory(project=mine, percent=0)
    services.project_refresh_progress(project=mine)
    mine.refresh_from_db()
    assert mine.percent == 40
    client.force_login(owner)
    url = reverse("admin:projects_milestone_change", args=[moving.pk])
    data = {"project": other_mine.pk, "title": moving.title, "order": 0, "weight": "1", "status": "in_progress"}
    response = client.post(url, {**data, "percent": "80", "due_date": "", "completed_on": "", "owner": ""})
    assert response.status_code == 302
    mine.refresh_from_db()
    other_mine.refresh_from_db()
    assert (mine.percent, other_mine.percent) == (0, 80)


def test_permission_module_decides_milestone_rights(owner, other_owner, projects):
    _mine, theirs = projects
    assigned = factories.MilestoneFactory(project=theirs, owner=owner)
    assert Milestone.objects.may_change(owner, assigned, {"percent", "status"})
    assert not Milestone.objects.may_change(owner, assigned, {"project"})
    assert not Milestone.objects.is_managed_by(owner, assigned)
    assert Milestone.objects.may_change(other_owner, assigned, {"project", "title"})


# --- 13. free text has a length limit ------------------------------------------------------------------


def test_a_two_megabyte_summary_is_refused(projects):
    mine, _theirs = projects
    with time_machine.travel(FRIDAY_WEEK_53, tick=False), pytest.raises(ValidationError) as error:
        services.progress_update_write(
            project=mine, week_start=date(2023, 12, 25), values={"summary": "长" * 2_000_000}
        )
    assert "summary" in error.value.message_dict
    assert not mine.updates.exists()


# --- 14. directors import reports in the admin -----------------------------------------------------


def test_directors_may_open_the_report_import_and_owners_may_not(client, director, owner):
    url = reverse("admin:reports_import_weekly_report")
    client.force_login(director)
    assert client.get(url).status_code == 200
    client.force_login(owner)
    assert client.get(url).status_code == 403


# --- 16. hardening -----------------------------------------------------------------------------------


def test_owners_cannot_change_an_incidents_grade_or_share_directors_can(client, owner, director, projects):
    mine, _theirs = projects
    incident = factories.IncidentFactory(project=mine, grade="C", responsibility_share="0.5", reported_by=owner)
    with pytest.raises(ValidationError):
        incident.grade = "event"
        services.incident_save(incident=incident, user=owner)
    incident = Incident.objects.get(pk=incident.pk)
    incident.handling = "Switched to the standby."
    services.incident_save(incident=incident, user=owner)  # other fields stay theirs
    client.force_login(owner)
    form = client.get(reverse("admin:projects_incident_change", args=[incident.pk])).context["adminform"].form
    assert "grade" not in form.fields and "responsibility_share" not in form.fields
    incident.grade, incident.responsibility_share = "D", "0.3"
    services.incident_save(incident=incident, user=director)
    incident.refresh_from_db()
    assert (incident.grade, str(incident.responsibility_share)) == ("D", "0.30")


def test_updates_older_than_the_window_are_read_only_for_owners(client, owner, superuser, projects, settings):
    settings.UPDATE_EDIT_WINDOW_WEEKS = 4
    mine, _theirs = projects
    with time_machine.travel(FRIDAY_WEEK_53, tick=False):
        recent = factories.ProgressUpdateFactory(project=mine, week_start=date(2023, 12, 18))
        old = factories.ProgressUpdateFactory(project=mine, week_start=date(2023, 11, 6))
        client.force_login(owner)

        def editable_fields(update) -> set:
            page = client.get(reverse("admin:projects_progressupdate_change", args=[update.pk]))
            return set(page.context["adminform"].form.fields)

        assert "summary" in editable_fields(recent)
        assert not editable_fields(old) & {"summary", "percent", "health"}  # open to comments, not edits
        saved = client.post(
            reverse("admin:projects_progressupdate_change", args=[old.pk]),
            {"project": mine.pk, "week_start": "2023-11-06", "percent": "99", "health": "on_track", "summary": "x"},
        )
        assert saved.status_code in (200, 302, 403)
        old.refresh_from_db()
        assert old.summary != "x" and old.percent != 99
        add = client.post(
            reverse("admin:projects_progressupdate_add"),
            {"project": mine.pk, "week_start": "2023-10-02", "percent": "5", "health": "on_track", "summary": "late"},
        )
        assert add.status_code == 200 and "can no longer be changed" in add.content.decode()
        client.force_login(superuser)
        assert "summary" in editable_fields(old)


def test_launch_date_before_qa_date_is_refused(projects):
    mine, _theirs = projects
    mine.start_date, mine.qa_date, mine.launch_date = date(2023, 6, 1), date(2023, 12, 1), date(2023, 11, 1)
    with pytest.raises(ValidationError) as error:
        services.project_save(project=mine)
    assert "launch_date" in error.value.message_dict


@pytest.mark.parametrize("day", [date(1, 1, 1), date(9999, 12, 27), date(2031, 1, 6)])
def test_key_result_readings_keep_to_the_report_weeks(day):
    key_result = factories.KeyResultFactory()
    with time_machine.travel(FRIDAY_WEEK_53, tick=False), pytest.raises(ValidationError) as error:
        services.key_result_record_reading(key_result=key_result, week_start=day, value=1)
    assert "week_start" in error.value.message_dict
    assert not KeyResultReading.objects.exists()


def test_a_week_inside_the_range_is_still_recorded():
    key_result = factories.KeyResultFactory()
    with time_machine.travel(FRIDAY_WEEK_53, tick=False):
        reading = services.key_result_record_reading(
            key_result=key_result, week_start=date(2023, 12, 25) - timedelta(weeks=1), value=7
        )
    assert reading.pk
