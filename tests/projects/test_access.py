"""Who may change what: the querysets decide, the admin obeys, both ways."""

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from projects.models import Incident, Milestone, ProgressUpdate, Project
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def projects(owner, other_owner):
    mine = factories.ProjectFactory(name="POS收单系统建设", owner=owner)
    theirs = factories.ProjectFactory(name="机房双活", owner=other_owner, objective=mine.objective)
    return mine, theirs


@time_machine.travel("2023-12-29 10:00 +0800", tick=False)  # the updates' week is this week
def test_owner_edits_only_own_projects_milestones_and_updates(owner, projects):
    mine, theirs = projects
    factories.MilestoneFactory(project=mine)
    factories.MilestoneFactory(project=theirs)
    factories.ProgressUpdateFactory(project=mine)
    factories.ProgressUpdateFactory(project=theirs)
    assert list(Project.objects.editable_by(owner)) == [mine]
    assert {m.project for m in Milestone.objects.editable_by(owner)} == {mine}
    assert {u.project for u in ProgressUpdate.objects.editable_by(owner)} == {mine}
    assert Project.objects.visible_to(owner).count() == 2


def test_milestone_assigned_to_someone_else_is_theirs_too(owner, other_owner, projects):
    _mine, theirs = projects
    assigned = factories.MilestoneFactory(project=theirs, owner=owner)
    assert list(Milestone.objects.editable_by(owner)) == [assigned]


def test_director_reads_everything_and_edits_no_project(director, projects):
    assert Project.objects.visible_to(director).count() == 2
    assert not Project.objects.editable_by(director).exists()


def test_director_edits_every_incident_owner_only_their_own(director, owner, projects):
    mine, theirs = projects
    hit_mine = factories.IncidentFactory(project=mine)
    hit_theirs = factories.IncidentFactory(project=theirs)
    assert set(Incident.objects.editable_by(director)) == {hit_mine, hit_theirs}
    assert list(Incident.objects.editable_by(owner)) == [hit_mine]


def test_superuser_edits_everything_and_anonymous_nothing(superuser, projects):
    from django.contrib.auth.models import AnonymousUser

    assert Project.objects.editable_by(superuser).count() == 2
    assert not Project.objects.visible_to(AnonymousUser()).exists()


def test_inactive_user_sees_nothing(owner, projects):
    owner.is_active = False
    assert not Project.objects.visible_to(owner).exists()
    assert not Project.objects.editable_by(owner).exists()


# --- the admin obeys ---------------------------------------------------------------------------


def change_url(project):
    return reverse("admin:projects_project_change", args=[project.pk])


def form_data(project, **overrides):
    data = {
        "objective": project.objective_id,
        "name": project.name,
        "owner": project.owner_id,
        "status": project.status,
        "order": 0,
        "percent": "10",
        "health": "on_track",
        "start_date": "2023-06-01",
        "updates-TOTAL_FORMS": "1",
        "updates-INITIAL_FORMS": "0",
        "updates-0-percent": "35",
        "updates-0-health": "at_risk",
        "updates-0-summary": "Merchant inspection in QA.",
        "updates-0-next_steps": "",
        "updates-0-risks": "",
        "milestones-TOTAL_FORMS": "0",
        "milestones-INITIAL_FORMS": "0",
        "date_changes-TOTAL_FORMS": "0",
        "date_changes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def test_owner_sees_other_projects_read_only(client, owner, projects):
    _mine, theirs = projects
    client.force_login(owner)
    page = client.get(change_url(theirs))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


def test_crafted_post_to_another_owners_project_is_refused(client, owner, projects):
    _mine, theirs = projects
    client.force_login(owner)
    response = client.post(change_url(theirs), form_data(theirs, name="hijacked"))
    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.name == "机房双活"
    assert not theirs.updates.exists()


def test_owner_updates_own_project_and_this_weeks_note_in_one_form(client, owner, projects):
    mine, _theirs = projects
    client.force_login(owner)
    response = client.post(change_url(mine), form_data(mine))
    assert response.status_code == 302, response.context and response.context["errors"]
    update = mine.updates.get()
    assert update.author == owner
    assert update.week_start.isoweekday() == 1
    mine.refresh_from_db()
    assert (mine.percent, mine.health) == (35, "at_risk")


def test_director_cannot_post_project_changes(client, director, projects):
    mine, _theirs = projects
    client.force_login(director)
    assert client.post(change_url(mine), form_data(mine, name="x")).status_code == 403


def test_owner_cannot_delete_another_owners_milestone(client, owner, projects):
    _mine, theirs = projects
    milestone = factories.MilestoneFactory(project=theirs)
    client.force_login(owner)
    url = reverse("admin:projects_milestone_delete", args=[milestone.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Milestone.objects.filter(pk=milestone.pk).exists()


def test_owner_creates_projects_only_for_themselves(client, owner, other_owner, projects):
    mine, _theirs = projects
    client.force_login(owner)
    data = form_data(mine, name="新项目", owner=other_owner.pk)
    data["updates-TOTAL_FORMS"] = "0"
    response = client.post(reverse("admin:projects_project_add"), data)
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors
    assert not Project.objects.filter(name="新项目").exists()


def test_project_list_filters_mine_and_stale(client, owner, projects):
    mine, theirs = projects
    from projects.weeks import current_week_start

    factories.ProgressUpdateFactory(project=theirs, week_start=current_week_start())
    client.force_login(owner)
    url = reverse("admin:projects_project_changelist")
    assert list(client.get(url, {"mine": "yes"}).context["cl"].result_list) == [mine]
    assert list(client.get(url, {"updated": "no"}).context["cl"].result_list) == [mine]  # their own, by default
    assert list(client.get(url, {"updated": "yes", "mine": "all"}).context["cl"].result_list) == [theirs]


def test_project_list_query_count_does_not_grow(client, owner, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner)
    url = reverse("admin:projects_project_changelist")

    def count_queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    factories.ProjectFactory(owner=owner)
    small = count_queries()
    for _ in range(15):
        project = factories.ProjectFactory()
        factories.ProgressUpdateFactory(project=project, week_start=date(2023, 12, 18))
    assert count_queries() == small


def test_admin_history_answers_who_changed_this_figure(client, owner, projects):
    mine, _theirs = projects
    client.force_login(owner)
    assert (
        client.post(change_url(mine), form_data(mine, percent="42", **{"updates-TOTAL_FORMS": "0"})).status_code == 302
    )
    record = mine.history.latest()
    assert record.history_user == owner
    page = client.get(reverse("admin:projects_project_history", args=[mine.pk])).content.decode()
    start = page.index('id="change-history"')
    table = page[start : page.index("</table>", start)]
    assert f">{owner.username}</a>" in table
    text = " ".join(re.sub(r"<[^>]+>|&nbsp;", " ", table).split())
    assert "Progress %: 0.00 &rarr; 42.00" in text
