import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from projects.weeks import Week
from reports.models import DirectorNote, RollupSnapshot
from reports.rollup import build_rollup
from tests import factories

from .rollup_data import W53, add_projects, department

pytestmark = pytest.mark.django_db
FRIDAY = datetime(2023, 12, 29, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
URL = "/rollup/2023-W53/"


@pytest.fixture
def on_friday():
    with time_machine.travel(FRIDAY, tick=False):
        yield


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "next=/rollup/2023-W53/" in response["Location"]


def test_page_shows_the_week_in_report_order(director_client, on_friday):
    department()
    response = director_client.get(URL, HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2023年第53周" in html and "2023-W53" in html and "ISO 2023-W52" in html
    sections = ["Key work", "System operating data", "O1 Serve the business", "O2 System upgrades", "O3 Safe"]
    sections += ["Production incidents", "Reflections", "Next week"]
    positions = [html.index(s) for s in sections]
    assert positions == sorted(positions)
    assert "POS acquiring" in html and "62%" in html and "+7 pts" in html
    assert "Launch date slipped 21 days (1× rescheduled)" in html
    assert "no update this week" in html  # the quiet project is marked stale
    assert "misses target" in html  # pay-in success below its target
    assert "grade AB 0, grade CD 1.5" in html
    assert "Pay-out delays" in html and "<svg" in html
    assert 'href="/rollup/2023-W52/"' in html and 'href="/rollup/2024-W01/"' in html


def test_current_week_and_jump(director_client, on_friday):
    department()
    assert "2023-W53" in director_client.get("/rollup/").content.decode()
    response = director_client.get("/rollup/", {"goto": "2023-12-20"})
    assert response["Location"] == "/rollup/2023-W52/"
    assert director_client.get("/rollup/", {"goto": "2023-W40"})["Location"] == "/rollup/2023-W40/"
    assert (
        "Write a week like"
        in director_client.get("/rollup/", {"goto": "soon"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert director_client.get("/rollup/2023-W54/").status_code == 404


def test_chinese_page(director_client, on_friday):
    department()
    director_client.cookies["django_language"] = "zh-hans"
    response = director_client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in response.content.decode()


def test_filters_and_changes_only(director_client, on_friday):
    department()
    html = director_client.get(URL, {"changes": "1"}).content.decode()
    assert "POS acquiring" in html and "Merchant onboarding" not in html
    html = director_client.get(URL, {"health": "on_track"}).content.decode()
    assert "Merchant onboarding" in html and 'data-project="POS acquiring"' not in html


def test_frozen_snapshot_is_shown_until_live_is_asked(director_client, on_friday):
    parts = department()
    frozen_at = timezone.make_aware(datetime(2023, 12, 29, 18))
    RollupSnapshot.objects.create(week_start=W53, data=build_rollup(Week.parse("2023-W53")), compiled_at=frozen_at)
    pos = parts["pos"]
    pos.percent = Decimal("80.5")
    pos.save()
    frozen = director_client.get(URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Frozen: compiled on Friday 2023-12-29 18:00, as it was sent." in frozen
    assert "62%" in frozen and "80.5%" not in frozen
    live = director_client.get(URL, {"live": "1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "80.5%" in live and "Frozen:" not in live


def test_csv_of_project_lines(director_client, on_friday):
    department()
    response = director_client.get("/rollup/2023-W53/projects.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["project"] for r in rows] == ["Merchant onboarding", "POS acquiring"]
    pos = rows[1]
    assert (pos["objective"], pos["percent"], pos["change_points"], pos["launch_slip_days"]) == (
        "O2",
        "62.0",
        "7.0",
        "21",
    )
    assert pos["planned_last_week"] == "Trial run."


def test_page_query_count_is_constant(director_client, on_friday):
    parts = department()
    add_projects(parts, 2, 2)
    with CaptureQueriesContext(connection) as small:
        director_client.get(URL)
    add_projects(parts, 30, 20)
    factories.IncidentFactory(grade="A", detected_at=FRIDAY)
    with CaptureQueriesContext(connection) as large:
        assert director_client.get(URL).status_code == 200
    assert len(small) == len(large) <= 20


def test_admin_stores_the_note_under_monday(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:reports_directornote_add"),
        {"week_start": "2023-12-29", "highlights": "Year-end", "other_work": "", "reflections": "", "next_week": ""},
    )
    assert response.status_code == 302
    note = DirectorNote.objects.get()
    assert note.week_start == date(2023, 12, 25) and note.author == superuser
    listing = client.get(reverse("admin:reports_directornote_changelist")).content.decode()
    assert "2023年第53周 · 2023-W53" in listing


def test_admin_refuses_a_second_note_for_the_same_week(client, superuser):
    DirectorNote.objects.create(week_start=date(2023, 12, 25), highlights="First")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:reports_directornote_add"),
        {"week_start": "2023-12-27", "highlights": "Second", "other_work": "", "reflections": "", "next_week": ""},
    )
    assert response.status_code == 200  # the form comes back with the error
    assert DirectorNote.objects.get().highlights == "First"


def test_a_week_without_a_cycle_says_so(director_client):
    response = director_client.get("/rollup/2021-W10/")
    assert response.status_code == 200
    assert "No OKR cycle covers this week." in response.content.decode()


def test_a_frozen_page_is_served_from_what_was_rendered_until_its_comments_change(director, on_friday):
    from django.core.cache import cache
    from django.test import Client

    from reports.freeze import rollup_freeze

    cache.clear()
    parts = department()
    rollup_freeze(week=Week.parse("2023-W53"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(director)
    first = client.get(URL)
    with CaptureQueriesContext(connection) as served:
        again = client.get(URL)
    assert again.status_code == 200 and "POS acquiring" in again.content.decode()
    assert len(served) <= 6, [q["sql"] for q in served.captured_queries]  # no rollup, no rendering
    assert "stand-in" not in again.content.decode()
    token = again.content.decode().split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    posted = client.post(
        reverse("reports:update-comment", args=["2023-W53", parts["pos"].pk]),
        {"text": "Good progress", "csrfmiddlewaretoken": token},
    )
    assert posted.status_code == 302  # the token swapped into the cached page is accepted
    assert "Good progress" in client.get(URL).content.decode()  # a new comment renders the page again
    assert first.content != b""
