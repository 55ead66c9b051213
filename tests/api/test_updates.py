"""Writing a week's update with PUT: idempotent, validated per field, in the request's language."""

from datetime import date

import pytest

from projects.models import ProgressUpdate

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("week_53")]

BODY = {"percent": 60, "health": "at_risk", "summary": "Trial transactions passed.", "next_steps": "Shift 5%."}


def url(project, week="2023-W53"):
    return f"/api/v1/projects/{project.pk}/updates/{week}/"


def test_put_creates_then_replaces_the_same_week(as_owner, owner, plan):
    project = plan["mine"]
    first = as_owner.put(url(project), BODY)
    assert first.status_code == 201, first.json()
    assert first.json()["week"] == "2023-W53"
    assert first.json()["week_start"] == "2023-12-25"
    assert first.json()["author"] == owner.pk

    again = as_owner.put(url(project), BODY)
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert ProgressUpdate.objects.filter(project=project).count() == 1

    replaced = as_owner.put(url(project), {"summary": "Only a summary this time."})
    assert replaced.status_code == 200
    update = ProgressUpdate.objects.get(project=project)
    assert (update.summary, update.next_steps) == ("Only a summary this time.", "")  # replaced, not merged

    project.refresh_from_db()
    assert (float(project.percent), project.health) == (60.0, "at_risk")  # the project follows its update


def test_the_project_list_shows_the_latest_update_and_next_milestone(as_owner, plan):
    as_owner.put(url(plan["pos"], "2023-W52"), {"summary": "Earlier week."})
    as_owner.put(url(plan["pos"]), BODY)
    row = as_owner.get(f"/api/v1/projects/{plan['pos'].pk}/").json()
    listed = next(p for p in as_owner.get("/api/v1/projects/").json()["results"] if p["id"] == plan["pos"].pk)
    for project in (row, listed):
        assert project["latest_update"]["week"] == "2023-W53"
        assert project["latest_update"]["summary"] == BODY["summary"]
        assert project["last_update_week"] == "2023-W53"
        assert project["next_milestone"]["title"] == "Trial transactions"
        assert project["next_milestone"]["due_date"] == "2024-01-05"


def test_with_milestones_the_update_records_their_percent(as_owner, plan):
    milestone = plan["milestone"]
    as_owner.patch(f"/api/v1/milestones/{milestone.pk}/", {"percent": 30})
    response = as_owner.put(url(plan["pos"]), {**BODY, "percent": 95})
    assert response.status_code == 201
    assert float(response.json()["percent"]) == 30.0


@pytest.mark.parametrize(
    ("week", "body", "field"),
    [
        ("2023-W53", {**BODY, "percent": 150}, "percent"),
        ("2023-W53", {**BODY, "health": "fine"}, "health"),
        ("2023-W53", {"percent": 10}, "summary"),
        ("2024-W02", BODY, "week"),  # a future week
        ("2023-W60", BODY, "week"),  # no such week
        ("last-week", BODY, "week"),
    ],
)
def test_bad_input_gets_400_with_a_message_for_the_field(as_owner, plan, week, body, field):
    response = as_owner.put(url(plan["mine"], week), body)
    assert response.status_code == 400
    errors = response.json()
    assert field in errors, errors
    assert errors[field][0]
    assert not ProgressUpdate.objects.exists()  # nothing half-saved


def test_future_week_message_is_clear(as_owner, plan):
    response = as_owner.put(url(plan["mine"], "2024-W02"), BODY)
    assert response.json() == {"week": ["You cannot report on a future week."]}


def test_messages_follow_the_requests_language(as_owner, plan):
    english = as_owner.put(url(plan["mine"]), {"percent": 10}, HTTP_ACCEPT_LANGUAGE="en")
    chinese = as_owner.put(url(plan["mine"]), {"percent": 10}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert english.json()["summary"] == ["This field is required."]
    assert chinese.json()["summary"] == ["该字段是必填项。"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"weight": -1}, "weight"),
        ({"percent": 150}, "percent"),
        ({"due_date": "2023-05-01"}, "due_date"),  # before the project's start (2023-06-01)
        ({"status": "finished"}, "status"),
    ],
)
def test_milestone_validation_is_per_field(as_owner, plan, body, field):
    data = {"project": plan["pos"].pk, "title": "Shift traffic", **body}
    response = as_owner.post("/api/v1/milestones/", data)
    assert response.status_code == 400
    assert field in response.json(), response.json()


def test_project_dates_before_start_are_refused(as_owner, plan):
    response = as_owner.patch(f"/api/v1/projects/{plan['mine'].pk}/", {"launch_date": "2023-01-01"})
    assert response.status_code == 400
    assert "launch_date" in response.json()
    plan["mine"].refresh_from_db()
    assert plan["mine"].launch_date is None


def test_malformed_json_is_400(as_owner, plan):
    response = as_owner.generic("PUT", url(plan["mine"]), "{not json", content_type="application/json")
    assert response.status_code == 400


def test_get_one_week(as_owner, as_director, plan):
    as_owner.put(url(plan["mine"]), BODY)
    assert as_director.get(url(plan["mine"])).json()["summary"] == BODY["summary"]
    assert as_director.get(url(plan["mine"], "2023-W50")).status_code == 404


def test_readings_are_recorded_by_directors_and_replaced_per_week(as_director, as_owner, db):
    from tests.factories import KeyResultFactory

    kr = KeyResultFactory(title="Pay-in success rate")
    body = {"key_result": kr.pk, "week": "2023-W53", "value": "99.997"}
    assert as_owner.post("/api/v1/readings/", body).status_code == 403
    assert as_director.post("/api/v1/readings/", body).status_code == 201
    assert as_director.post("/api/v1/readings/", {**body, "value": "99.998"}).status_code == 201
    assert kr.readings.get().week_start == date(2023, 12, 25)
    kr.refresh_from_db()
    assert str(kr.current_value) == "99.9980"
    bad = as_director.post("/api/v1/readings/", {**body, "week": "2023-53"})
    assert bad.status_code == 400
    assert "week" in bad.json()


def test_me_names_the_week_to_update_in_the_configured_numbering(as_owner, plan, settings):
    assert as_owner.get("/api/v1/me/").json()["current_week"] == "2023-W53"  # Friday 2023-12-29
    settings.WEEK_NUMBERING = "iso"
    assert as_owner.get("/api/v1/me/").json()["current_week"] == "2023-W52"
    assert as_owner.put(url(plan["pos"], "2023-W52"), BODY).status_code == 201  # the same Monday
