"""Who may read and write through the API: the admin's rules, from projects.querysets."""

import pytest
from rest_framework.authtoken.models import Token

from projects.models import Milestone, Project

pytestmark = pytest.mark.django_db

LISTS = ["objectives", "key-results", "readings", "projects", "milestones", "updates", "incidents"]


@pytest.mark.parametrize("name", [*LISTS, "me"])
def test_anonymous_requests_get_401(anon, name):
    response = anon.get(f"/api/v1/{name}/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_cannot_write_an_update(anon, plan):
    response = anon.put(f"/api/v1/projects/{plan['pos'].pk}/updates/2023-W53/", {"summary": "x"})
    assert response.status_code == 401


def test_director_reads_everything_but_cannot_write_projects(as_director, plan):
    names = {p["name"] for p in as_director.get("/api/v1/projects/").json()["results"]}
    assert names == {"POS acquiring", "Merchant onboarding", "Active-active data centres"}
    pos = plan["pos"]
    assert as_director.patch(f"/api/v1/projects/{pos.pk}/", {"name": "Renamed"}).status_code == 403
    body = {"objective": plan["o1"].pk, "name": "Director's own"}
    assert as_director.post("/api/v1/projects/", body).status_code == 403
    assert as_director.put(f"/api/v1/projects/{pos.pk}/updates/2023-W53/", {"summary": "x"}).status_code == 403
    assert Project.objects.get(pk=pos.pk).name == "POS acquiring"
    assert not Project.objects.filter(name="Director's own").exists()


def test_owner_changes_own_project(as_owner, plan):
    pos = plan["pos"]
    response = as_owner.patch(f"/api/v1/projects/{pos.pk}/", {"qa_date": "2024-01-20"})
    assert response.status_code == 200, response.json()
    pos.refresh_from_db()
    assert str(pos.qa_date) == "2024-01-20"
    assert str(pos.qa_date_baseline) == "2024-01-20"  # through project_save: the first plan is the baseline


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_owner_gets_403_on_someone_elses_project(as_owner, plan, method):
    theirs = plan["theirs"]
    body = {"objective": plan["o1"].pk, "name": "Hijacked"}
    response = getattr(as_owner, method)(f"/api/v1/projects/{theirs.pk}/", body)
    assert response.status_code == 403
    assert Project.objects.filter(pk=theirs.pk, name="Active-active data centres").exists()


def test_owner_cannot_put_an_update_on_someone_elses_project(as_owner, plan, week_53):
    response = as_owner.put(f"/api/v1/projects/{plan['theirs'].pk}/updates/2023-W53/", {"summary": "Mine now"})
    assert response.status_code == 403
    assert not plan["theirs"].updates.exists()


def test_owner_cannot_give_a_project_to_someone_else(as_owner, plan, other_owner):
    body = {"objective": plan["o1"].pk, "name": "Gift", "owner": other_owner.pk}
    response = as_owner.post("/api/v1/projects/", body)
    assert response.status_code == 400
    assert "owner" in response.json()


def test_owner_creates_a_project_for_themselves(as_owner, owner, plan):
    response = as_owner.post("/api/v1/projects/", {"objective": plan["o1"].pk, "name": "Settlement reports"})
    assert response.status_code == 201, response.json()
    assert response.json()["owner"] == owner.pk
    assert Project.objects.get(name="Settlement reports").owner == owner


def test_milestones_only_on_own_projects(as_owner, plan):
    body = {"project": plan["theirs"].pk, "title": "Sneaky", "due_date": "2024-01-10"}
    assert as_owner.post("/api/v1/milestones/", body).status_code == 403
    assert not Milestone.objects.filter(title="Sneaky").exists()

    body["project"] = plan["pos"].pk
    assert as_owner.post("/api/v1/milestones/", body).status_code == 201


def test_owner_cannot_move_own_milestone_onto_someone_elses_project(as_owner, plan):
    milestone = plan["milestone"]
    response = as_owner.patch(f"/api/v1/milestones/{milestone.pk}/", {"project": plan["theirs"].pk})
    assert response.status_code == 403
    milestone.refresh_from_db()
    assert milestone.project == plan["pos"]


def test_other_owner_cannot_touch_my_milestone(as_other, plan):
    milestone = plan["milestone"]
    assert as_other.patch(f"/api/v1/milestones/{milestone.pk}/", {"percent": 90}).status_code == 403
    assert as_other.delete(f"/api/v1/milestones/{milestone.pk}/").status_code == 403
    assert Milestone.objects.filter(pk=milestone.pk, percent=0).exists()


def test_milestone_progress_moves_the_project(as_owner, plan):
    milestone = plan["milestone"]
    response = as_owner.patch(f"/api/v1/milestones/{milestone.pk}/", {"percent": 40, "status": "in_progress"})
    assert response.status_code == 200, response.json()
    assert float(as_owner.get(f"/api/v1/projects/{plan['pos'].pk}/").json()["percent"]) == 40.0


@pytest.mark.parametrize("path", ["projects/999999/", "milestones/999999/", "projects/999999/updates/2023-W53/"])
def test_unknown_rows_get_404(as_owner, path, week_53):
    assert as_owner.get(f"/api/v1/{path}").status_code == 404
    if "updates" in path:
        assert as_owner.put(f"/api/v1/{path}", {"summary": "x"}).status_code == 404


def test_huge_ids_are_404_not_500(as_owner, db):
    assert as_owner.get("/api/v1/projects/99999999999999999999999/").status_code == 404
    assert as_owner.get("/api/v1/projects/?owner=99999999999999999999999").status_code == 400


def test_session_writes_need_csrf(owner, plan, week_53):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.put(f"/api/v1/projects/{plan['pos'].pk}/updates/2023-W53/", {"summary": "x"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert client.get("/api/v1/projects/").status_code == 200


def test_token_create_use_and_revoke(owner, plan):
    from rest_framework.test import APIClient

    session = APIClient()
    session.force_login(owner)
    created = session.post("/api/v1/me/token/")
    assert created.status_code == 201
    key = created.json()["key"]
    assert session.get("/api/v1/me/token/").json()["exists"] is True
    assert "key" not in session.get("/api/v1/me/token/").json()  # shown once only

    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    me = script.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "owner"
    assert set(me.json()["projects"]) == {plan["pos"].pk, plan["mine"].pk}

    assert script.delete("/api/v1/me/token/").status_code == 204
    assert not Token.objects.filter(user=owner).exists()
    assert script.get("/api/v1/projects/").status_code == 401


def test_a_new_token_replaces_the_old_one(owner):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(owner)
    first = client.post("/api/v1/me/token/").json()["key"]
    second = client.post("/api/v1/me/token/").json()["key"]
    assert first != second
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert old.get("/api/v1/me/").status_code == 401


def test_methods_a_view_lacks_get_405_not_500(as_owner, plan, week_53):
    assert as_owner.generic("TRACE", "/api/v1/rollups/2023-W53/").status_code == 405
    assert as_owner.post("/api/v1/rollups/2023-W53/").status_code == 405
    assert as_owner.post("/api/v1/updates/").status_code == 405
    assert as_owner.delete("/api/v1/incidents/1/").status_code == 405


def test_options_on_the_weekly_update_describes_it(as_owner, plan, week_53):
    response = as_owner.options(f"/api/v1/projects/{plan['mine'].pk}/updates/2023-W53/")
    assert response.status_code == 200
    assert as_owner.options(f"/api/v1/projects/{plan['mine'].pk}/updates/0/").status_code == 200


def test_partial_update_answers_the_whole_project(as_owner, plan):
    response = as_owner.patch(f"/api/v1/projects/{plan['mine'].pk}/", {"description": "Onboarding flow."})
    assert response.status_code == 200
    body = response.json()
    assert body["team_name"] is None  # present even though the project has no team
    assert {"latest_update", "next_milestone", "objective_code", "owner_name"} <= set(body)


def test_unmatched_api_urls_answer_json_404(as_owner, client, db):
    response = as_owner.get("/api/v1/projects/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}
    assert client.get("/no-such-page/").status_code == 404  # pages keep Django's own 404
    assert "json" not in client.get("/no-such-page/")["Content-Type"]
