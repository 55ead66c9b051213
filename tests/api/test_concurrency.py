"""Concurrent and stale writes through the API (issue 16): ETag and If-Match, the version in the
body, two creating PUTs of one week at once (PostgreSQL here, SQLite in its own process), and bodies
that are too large."""

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection

from projects.models import ProgressUpdate, Project
from tests.api.conftest import client_for

ROOT = Path(__file__).resolve().parents[2]


def detail(project):
    return f"/api/v1/projects/{project.pk}/"


@pytest.mark.django_db
def test_detail_has_an_etag_and_a_stale_if_match_gets_412(as_owner, plan):
    project = plan["mine"]
    read = as_owner.get(detail(project))
    etag = read["ETag"]
    assert etag == f'"{read.json()["version"]}"'

    first = as_owner.patch(detail(project), {"name": "Merchant onboarding v2"}, HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.json()
    assert first["ETag"] != etag

    stale = as_owner.patch(detail(project), {"name": "Merchant onboarding (old tab)"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert "If-Match" in stale.json()["detail"]
    project.refresh_from_db()
    assert project.name == "Merchant onboarding v2"


@pytest.mark.django_db
def test_a_stale_version_in_the_body_gets_409_and_none_keeps_last_write_wins(as_owner, plan):
    project = plan["mine"]
    version = as_owner.get(detail(project)).json()["version"]
    assert as_owner.patch(detail(project), {"description": "first", "version": version}).status_code == 200
    conflict = as_owner.patch(detail(project), {"description": "second", "version": version})
    assert conflict.status_code == 409
    project.refresh_from_db()
    assert project.description == "first"
    assert as_owner.patch(detail(project), {"description": "third"}).status_code == 200


def test_the_schema_documents_409_and_412():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for method in ("put", "patch"):
        responses = schema["paths"]["/api/v1/projects/{id}/"][method]["responses"]
        assert {"409", "412"} <= set(responses), method


@pytest.mark.django_db
def test_an_assignee_updates_percent_in_place_but_cannot_move_or_delete(as_owner, owner, plan):
    theirs = plan["theirs"]
    from tests import factories

    assigned = factories.MilestoneFactory(project=theirs, owner=owner, title="Cut-over drill")
    url = f"/api/v1/milestones/{assigned.pk}/"
    assert as_owner.patch(url, {"percent": 40, "status": "in_progress"}).status_code == 200
    moved = as_owner.patch(url, {"project": plan["mine"].pk})
    assert moved.status_code == 403
    assert as_owner.delete(url).status_code == 403
    assigned.refresh_from_db()
    assert (assigned.project, float(assigned.percent)) == (theirs, 40.0)
    theirs.refresh_from_db()
    assert float(theirs.percent) == 40.0  # the project follows its milestone


@pytest.mark.django_db
def test_old_weeks_are_read_only_for_owners_in_the_api(as_owner, plan, week_53, settings):
    settings.UPDATE_EDIT_WINDOW_WEEKS = 4
    project = plan["mine"]
    assert as_owner.put(f"{detail(project)}updates/2023-W49/", {"summary": "late"}).status_code == 201
    old = as_owner.put(f"{detail(project)}updates/2023-W40/", {"summary": "rewriting history"})
    assert old.status_code == 403
    assert not ProgressUpdate.objects.filter(project=project, week_start__lt="2023-11-01").exists()


@pytest.mark.django_db
def test_a_two_megabyte_summary_is_refused_with_a_message_for_the_field(as_owner, plan, week_53):
    response = as_owner.put(f"{detail(plan['mine'])}updates/2023-W53/", {"summary": "x" * 2_000_000})
    assert response.status_code == 400
    assert "summary" in response.json()


@pytest.mark.django_db
def test_an_oversized_request_gets_json_400_under_the_api(as_owner, plan, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1_000_000
    body = json.dumps({"summary": "x" * 1_200_000})
    response = as_owner.generic("PUT", f"{detail(plan['mine'])}updates/2023-W53/", body, "application/json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "too large" in response.json()["detail"]


@pytest.mark.django_db
def test_one_line_fields_are_refused_by_the_api(as_owner, plan):
    response = as_owner.patch(detail(plan["mine"]), {"name": "POS\n- 生产事件：伪造"})
    assert response.status_code == 400
    assert "name" in response.json()


# --- 12. two creating PUTs of one week at once --------------------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creating_puts_on_postgresql_both_succeed(owner, plan, week_53):
    if connection.vendor != "postgresql":
        pytest.skip("this race needs PostgreSQL's row locks; the SQLite race runs in its own process below")
    results: list[int] = []

    def put(project: Project, barrier: threading.Barrier, summary: str) -> None:
        try:
            barrier.wait()
            response = client_for(owner).put(f"{detail(project)}updates/2023-W53/", {"summary": summary})
            results.append(response.status_code)
        finally:
            connection.close()

    rounds = 6
    for n in range(rounds):
        project = Project.objects.create(objective=plan["o1"], name=f"Race {n}", owner=owner)
        barrier = threading.Barrier(2)
        threads = [threading.Thread(target=put, args=(project, barrier, f"writer {i}")) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert ProgressUpdate.objects.filter(project=project).count() == 1
    assert sorted(results) == [200] * rounds + [201] * rounds, results


def test_sqlite_waits_for_the_lock_instead_of_failing(tmp_path):
    """The review's SQLite reproduction: create and replace races and writes during an import."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    run = subprocess.run(
        [sys.executable, "-m", "tests.projects.sqlite_race", str(tmp_path / "race.sqlite3")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    statuses = json.loads(run.stdout.strip().splitlines()[-1])
    for kind in ("create", "replace", "during_import"):
        assert statuses[kind] and set(statuses[kind]) <= {200, 201}, (kind, statuses[kind])
    assert statuses["create"].count(201) == 8  # one creation per project, the other PUT replaced it
    assert statuses["updates"] == 8
