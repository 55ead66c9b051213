"""The rollup opens with what changed, in an order a director can act on, with numbers as reports write them."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects.models import Health
from projects.weeks import Week
from reports.rollup import build_rollup
from reports.rollup.summary import what_changed
from reports.templatetags.rollup_tags import format_percent, format_points, incident_duration, signed
from tests import factories

from .rollup_data import W52, W53, at, department

pytestmark = pytest.mark.django_db
FRIDAY = datetime(2023, 12, 29, 15, tzinfo=ZoneInfo("Asia/Shanghai"))
URL = "/rollup/2023-W53/"


@pytest.fixture
def on_friday():
    with time_machine.travel(FRIDAY, tick=False):
        yield


@pytest.fixture
def parts(on_friday):
    parts = department()
    # On track and updated, listed before POS in the report's order.
    steady = factories.ProjectFactory(objective=parts["o2"], name="A steady project", owner=parts["owner"])
    factories.ProgressUpdateFactory(project=steady, week_start=W52, percent=Decimal(10), summary="Start.")
    factories.ProgressUpdateFactory(project=steady, week_start=W53, percent=Decimal(20), summary="Going.")
    factories.IncidentFactory(
        title="Resolved quickly",
        grade="event",
        responsibility_share=Decimal("0.5"),
        detected_at=at(W53 + timedelta(2)),
        resolved_at=at(W53 + timedelta(2)) + timedelta(hours=3, minutes=20),
    )
    return parts


def test_what_changed_lists_slips_worse_health_stale_projects_milestones_and_incidents(parts):
    changed = what_changed(build_rollup(Week.parse("2023-W53")))

    assert [(s["project"], s["which"], s["days"]) for s in changed["slips"]] == [("POS acquiring", "launch", 21)]
    assert [(h["project"], h["previous_health"], h["health"]) for h in changed["health_worse"]] == [
        ("POS acquiring", Health.ON_TRACK, Health.AT_RISK)
    ]
    assert [n["project"] for n in changed["not_updated"]] == ["Merchant onboarding"]
    assert [m["title"] for m in changed["milestones_due"]] == ["Traffic shift"]
    assert [m["title"] for m in changed["milestones_overdue"]] == ["Design review"]
    assert [i["title"] for i in changed["incidents"]] == ["Pay-out delays", "Resolved quickly", "Callback timeouts"]


def test_an_older_snapshot_without_the_new_key_still_reads(parts):
    data = build_rollup(Week.parse("2023-W53"))
    for objective in data["objectives"]:
        for project in objective["projects"]:
            del project["dates_moved_this_week"]
    changed = what_changed(data)
    assert changed["slips"] == [] and [h["project"] for h in changed["health_worse"]] == ["POS acquiring"]


def test_page_opens_with_what_changed_and_puts_at_risk_first(client, director, parts):
    client.force_login(director)
    html = client.get(URL).content.decode()
    assert html.index('id="what-changed"') < html.index('id="key-work"')
    assert 'class="section-index' in html and 'href="#objective-O2"' in html
    summary = html[html.index('id="what-changed"') : html.index('id="key-work"')]
    assert "Slipped this week" in summary and "+21 days" in summary and "Merchant onboarding" in summary
    o2 = html[html.index('id="objective-O2"') : html.index('id="objective-O3"')]
    assert o2.index('data-project="POS acquiring"') < o2.index('data-project="A steady project"')  # at risk first
    o2 = client.get(URL + "?order=report").content.decode()
    o2 = o2[o2.index('id="objective-O2"') : o2.index('id="objective-O3"')]
    assert o2.index('data-project="A steady project"') < o2.index('data-project="POS acquiring"')  # the report's order
    assert f'href="/admin/projects/project/{parts["pos"].pk}/history/"' in html
    assert "<title>Weekly rollup · 2023-W53</title>" in html  # the English title says the week in English


def test_incident_table_has_resolved_time_duration_and_no_share_below_grade(client, director, parts):
    client.force_login(director)
    html = client.get(URL).content.decode()
    table = html[html.index('id="incidents"') :]
    assert "Resolved" in table and "Duration" in table and "3 h 20 min" in table
    row = table[table.index("Resolved quickly") : table.index("</tr>", table.index("Resolved quickly"))]
    assert 'data-label="Share"></td>' in row  # below incident level: no share
    assert "Year to date (since" in html


def test_numbers_as_the_reports_write_them():
    assert [format_percent(v) for v in (81.4286, 80.0, 0.04, 100, None, "62.5")] == [
        "81.4",
        "80",
        "0",
        "100",
        "",
        "62.5",
    ]
    assert [format_points(v) for v in (7.0, -2.5, 0.0, 0.04, None)] == ["+7", "-2.5", "", "", ""]
    assert signed(0.0) == "0" and signed(-0.5) == "-0.5" and signed("0.001") == "+0.001"
    assert incident_duration({"detected_at": "2023-12-26T09:00:00+08:00", "resolved_at": None}) == ""
    assert (
        incident_duration({"detected_at": "2023-12-26T09:00:00+08:00", "resolved_at": "2023-12-28T11:30:00+08:00"})
        == "2 d 2 h"
    )


def test_directors_admin_home_shows_the_week_at_a_glance(client, director, owner, parts):
    client.force_login(director)
    html = client.get("/admin/").content.decode()
    home = html[html.index('class="okr-home"') : html.index("</section>", html.index('class="okr-home"'))]
    assert "This week at a glance · 2023-W53" in home
    assert "<strong>2 / 3</strong>" in home  # POS and the steady project updated; Merchant onboarding not
    assert "Friday digest not sent yet" in home
    assert 'href="/admin/reports/directornote/import/"' in home and 'href="/rollup/2023-W53/"' in home
    client.force_login(owner)
    assert 'class="okr-home"' not in client.get("/admin/").content.decode()
