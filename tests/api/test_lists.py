"""Lists: filters, ordering, stable pages, throttling, and query counts that do not grow with data."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import UserRateThrottle

from projects.models import Health, Incident
from tests import factories

pytestmark = pytest.mark.django_db


def names(response):
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["results"]]


def test_filters(as_owner, owner, plan, week_53):
    as_owner.put(f"/api/v1/projects/{plan['mine'].pk}/updates/2023-W53/", {"summary": "Done", "health": "off_track"})
    get = as_owner.get
    assert names(get(f"/api/v1/projects/?objective={plan['o2'].pk}")) == ["POS acquiring"]
    assert names(get("/api/v1/projects/?objective_code=O2")) == ["POS acquiring"]
    assert names(get(f"/api/v1/projects/?team={plan['team'].pk}")) == ["POS acquiring"]
    assert set(names(get(f"/api/v1/projects/?owner={owner.pk}"))) == {"POS acquiring", "Merchant onboarding"}
    assert names(get("/api/v1/projects/?health=off_track")) == ["Merchant onboarding"]
    assert names(get("/api/v1/projects/?week=2023-W53")) == ["Merchant onboarding"]
    assert names(get("/api/v1/projects/?updated_since=2023-12-29T00:00:00%2B08:00")) == ["Merchant onboarding"]
    assert names(get("/api/v1/projects/?updated_since=2023-12-30T00:00:00%2B08:00")) == []
    assert len(names(get("/api/v1/projects/?status=in_progress&status=planned"))) == 3
    assert names(get("/api/v1/projects/?status=done")) == []
    updates = get("/api/v1/updates/?week=2023-W53&health=off_track").json()["results"]
    assert [u["project_name"] for u in updates] == ["Merchant onboarding"]
    assert get("/api/v1/updates/?week=2023-W52").json()["count"] == 0
    due = get("/api/v1/milestones/?week=2024-W01").json()["results"]
    assert [m["title"] for m in due] == ["Trial transactions"]


@pytest.mark.parametrize(
    "query",
    ["week=2023-W99", "week=soon", "week=50%25", "health=great", "owner=abc", "updated_since=yesterday", "status=x"],
)
def test_bad_filters_get_400_naming_the_filter(as_owner, plan, query):
    response = as_owner.get(f"/api/v1/projects/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_week_filter_message_names_the_bad_value(as_owner, plan):
    response = as_owner.get("/api/v1/incidents/?week=50%25")
    assert response.json() == {"week": ["“50%” is not a week; write it like 2023-W53."]}


def test_ordering(as_owner, plan):
    assert names(as_owner.get("/api/v1/projects/?ordering=name")) == [
        "Active-active data centres",
        "Merchant onboarding",
        "POS acquiring",
    ]
    assert names(as_owner.get("/api/v1/projects/?ordering=-name"))[0] == "POS acquiring"
    default = names(as_owner.get("/api/v1/projects/"))
    assert default[-1] == "POS acquiring"  # O1's projects before O2's


def test_pages_are_stable_when_the_sort_key_ties(as_owner, owner, plan):
    objective = plan["o1"]
    for i in range(12):
        factories.ProjectFactory(objective=objective, owner=owner, name=f"Tied {i:02d}", order=5)
    seen = []
    for page in (1, 2, 3):
        response = as_owner.get(f"/api/v1/projects/?ordering=health&page_size=5&page={page}")
        seen += [row["id"] for row in response.json()["results"]]
    assert len(seen) == len(set(seen)) == 15  # every project once, none repeated across pages
    again = []
    for page in (1, 2, 3):
        again += [
            r["id"]
            for r in as_owner.get(f"/api/v1/projects/?ordering=health&page_size=5&page={page}").json()["results"]
        ]
    assert again == seen
    assert as_owner.get("/api/v1/projects/?page=99").status_code == 404


def test_every_page_tells_the_count_and_links_to_its_neighbours(as_owner, owner, plan):
    for i in range(11):
        factories.ProjectFactory(objective=plan["o1"], owner=owner, name=f"Paged {i:02d}", health=Health.AT_RISK)
    total = as_owner.get("/api/v1/projects/").json()["count"]
    first = as_owner.get("/api/v1/projects/?page_size=5").json()
    last = as_owner.get("/api/v1/projects/?page_size=5&page=last").json()
    assert first["count"] == last["count"] == total > 11
    assert first["previous"] is None and "page=2" in first["next"]
    assert last["next"] is None and len(last["results"]) == (total % 5 or 5)
    filtered = as_owner.get("/api/v1/projects/?health=at_risk&page_size=4&page=3").json()
    assert filtered["count"] == 11 and len(filtered["results"]) == 3 and filtered["next"] is None
    for page in ("0", "x", str(total), "1513903853426178510740455948288"):
        assert as_owner.get(f"/api/v1/projects/?page_size=5&page={page}").status_code == 404
    assert as_owner.get("/api/v1/projects/?ordering=%F1%AB%95%B1P%00%C2%B3").json()["count"] == total
    assert as_owner.get("/api/v1/projects/?name=nothing-matches&objective=999").json() == {
        "count": 0, "next": None, "previous": None, "results": []
    }  # fmt: skip


def test_throttling_answers_429(as_owner, plan, monkeypatch):
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
    codes = [as_owner.get("/api/v1/me/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


# --- query counts -----------------------------------------------------------------------------


def make_data(n: int, owner, start: int) -> None:
    """n projects, each with two updates, two milestones and an incident; a key result per project."""
    team = factories.TeamFactory(name=f"Team {start}")
    objective = factories.ObjectiveFactory(code=f"O{start}", owner=owner, team=team)
    for i in range(n):
        project = factories.ProjectFactory(objective=objective, owner=owner, team=team, name=f"P{start}-{i}")
        for week in (date(2023, 12, 18), date(2023, 12, 25)):
            factories.ProgressUpdateFactory(project=project, week_start=week, health=Health.AT_RISK)
        for due in (date(2024, 1, 5), date(2024, 1, 12)):
            factories.MilestoneFactory(project=project, due_date=due + timedelta(days=i % 3))
        factories.IncidentFactory(project=project, team=team, grade=Incident.Grade.C)
        kr = factories.KeyResultFactory(objective=objective)
        factories.KeyResultReadingFactory(key_result=kr)


LIST_URLS = [
    "/api/v1/projects/",
    "/api/v1/projects/?ordering=-last_update_week&health=on_track",
    "/api/v1/milestones/",
    "/api/v1/updates/",
    "/api/v1/incidents/",
    "/api/v1/objectives/",
    "/api/v1/key-results/",
    "/api/v1/readings/",
]


@pytest.mark.parametrize("url", LIST_URLS)
def test_list_query_count_does_not_grow_with_data(as_owner, owner, url):
    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = as_owner.get(url)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    make_data(3, owner, start=1)
    small, rows_small = count()
    make_data(12, owner, start=2)
    large, rows_large = count()
    assert rows_large > rows_small
    assert large == small, f"{url}: {small} queries for {rows_small} rows but {large} for {rows_large}"


@pytest.mark.django_db
@pytest.mark.parametrize("moment", ["0154-09-11T23:45:34.454340-23:17", "0001-01-01T00:00:00+05:00"])
def test_odd_time_offsets_in_filters_never_reach_the_database_as_errors(client, director, moment):
    client.force_login(director)
    for url in ("/api/v1/incidents/", "/api/v1/projects/", "/api/v1/updates/"):
        key = "detected_since" if "incidents" in url else "updated_since"
        assert client.get(url, {key: moment}).status_code in (200, 400)


def test_list_rows_are_the_detail_rows(as_owner, owner):
    make_data(4, owner, start=1)
    rows = as_owner.get("/api/v1/projects/").json()["results"]
    assert rows and all(row["latest_update"]["week"] == "2023-W53" for row in rows)
    assert all(row["next_milestone"] is not None for row in rows)
    for row in rows:
        assert as_owner.get(f"/api/v1/projects/{row['id']}/").json() == row


def test_list_reads_the_same_rows_however_long_the_history(as_owner, owner):
    make_data(3, owner, start=1)
    project = factories.ProjectFactory(owner=owner, name="Long history")
    for weeks_back in range(60):
        factories.ProgressUpdateFactory(project=project, week_start=date(2023, 12, 25) - timedelta(weeks=weeks_back))
    with CaptureQueriesContext(connection) as queries:
        rows = as_owner.get("/api/v1/projects/").json()["results"]
    long = next(r for r in rows if r["name"] == "Long history")
    assert long["latest_update"]["week"] == "2023-W53" and long["last_update_week"] == "2023-W53"
    # One query reads the page: each row's latest update by the pointer the services keep, never by
    # searching the project's updates nor by joining all of them.
    [page] = [q["sql"] for q in queries.captured_queries if "projects_progressupdate" in q["sql"]]
    assert page.count('"projects_progressupdate"') == 1
    assert 'WHERE U0."id" = ("projects_project"."latest_update_id")' in page


def test_deleting_an_update_in_the_admin_points_the_project_at_the_one_before(client, superuser, owner):
    project = factories.ProjectFactory(owner=owner, name="Pointer")
    older = factories.ProgressUpdateFactory(project=project, week_start=date(2023, 12, 18), summary="Older")
    newer = factories.ProgressUpdateFactory(project=project, week_start=date(2023, 12, 25), summary="Newer")
    client.force_login(superuser)
    response = client.post(f"/admin/projects/progressupdate/{newer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.latest_update == older
