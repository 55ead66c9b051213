"""My week: an owner's weekly check-in on one page, saved at once; their list shows their projects."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from projects.models import Milestone, ProgressUpdate, Project
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/admin/projects/project/my-week/"
THURSDAY = datetime(2023, 12, 28, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
W52, W53 = date(2023, 12, 18), date(2023, 12, 25)


@pytest.fixture
def week():
    with time_machine.travel(THURSDAY, tick=False):
        yield


@pytest.fixture
def mine(week, owner, other_owner):
    done = factories.ProjectFactory(name="Already updated", owner=owner, percent=Decimal(40))
    factories.ProgressUpdateFactory(project=done, week_start=W53, percent=Decimal(40), summary="Done this week.")
    todo = factories.ProjectFactory(name="Needs an update", owner=owner, percent=Decimal("62.50"))
    factories.ProgressUpdateFactory(project=todo, week_start=W52, summary="Last week.", next_steps="Trial run.")
    staged = factories.ProjectFactory(name="With milestones", owner=owner)
    first = factories.MilestoneFactory(project=staged, title="Design", weight=Decimal(1), percent=Decimal(0))
    factories.MilestoneFactory(project=staged, title="Build", weight=Decimal(1), percent=Decimal(0))
    factories.ProjectFactory(name="Finished", owner=owner, status=Project.Status.DONE)
    factories.ProjectFactory(name="Someone else's", owner=other_owner)
    return {"done": done, "todo": todo, "staged": staged, "design": first}


def cards(html: str) -> list[str]:
    return [part.split('"', 1)[0] for part in html.split('data-project="')[1:]]


def test_cards_put_the_projects_to_update_first_with_last_weeks_plan(client, owner, mine):
    client.force_login(owner)
    html = client.get(URL).content.decode()
    assert cards(html) == ["Needs an update", "With milestones", "Already updated"]
    assert "Trial run." in html  # last week's plan beside the boxes
    assert 'value="62.5"' in html  # the percent as people write it
    assert 'name="p{}-percent"'.format(mine["staged"].pk) not in html  # with milestones it is theirs, not typed
    assert "2 projects need their update" in html


def test_save_all_writes_only_the_cards_that_changed(client, owner, mine):
    client.force_login(owner)
    todo, staged, done = mine["todo"], mine["staged"], mine["done"]
    data = {
        f"p{todo.pk}-percent": "70",
        f"p{todo.pk}-health": "at_risk",
        f"p{todo.pk}-summary": "Trial run passed.",
        f"p{todo.pk}-next_steps": "Shift traffic.",
        f"p{todo.pk}-risks": "Bank window.",
        f"p{staged.pk}-health": "on_track",
        f"p{staged.pk}-summary": "Design signed off.",
        f"p{staged.pk}-done": [str(mine["design"].pk)],
        # Left as it was: no new history row for it.
        f"p{done.pk}-percent": "40",
        f"p{done.pk}-health": "on_track",
        f"p{done.pk}-summary": "Done this week.",
    }
    response = client.post(URL, data, follow=True)
    assert "Saved 2 update(s) for 2023-W53." in response.content.decode()

    update = ProgressUpdate.objects.get(project=todo, week_start=W53)
    assert (update.percent, update.health, update.risks, update.author) == (
        Decimal(70),
        "at_risk",
        "Bank window.",
        owner,
    )
    todo.refresh_from_db()
    assert (todo.percent, todo.health) == (Decimal(70), "at_risk")
    mine["design"].refresh_from_db()
    assert mine["design"].status == Milestone.Status.DONE
    staged.refresh_from_db()
    assert staged.percent == Decimal(50)  # the milestones' weighted percent, recorded by the update too
    assert ProgressUpdate.objects.get(project=staged, week_start=W53).percent == Decimal(50)
    assert ProgressUpdate.objects.get(project=done, week_start=W53).history.count() == 1


def test_a_changed_card_without_what_happened_saves_nothing(client, owner, mine):
    client.force_login(owner)
    todo = mine["todo"]
    response = client.post(URL, {f"p{todo.pk}-percent": "90", f"p{todo.pk}-health": "on_track"})
    assert response.status_code == 200
    assert "Write what happened this week" in response.content.decode()
    assert not ProgressUpdate.objects.filter(project=todo, week_start=W53).exists()


def test_other_peoples_projects_cannot_be_written_here(client, owner, other_owner, mine):
    theirs = Project.objects.get(name="Someone else's")
    client.force_login(owner)
    client.post(URL, {f"p{theirs.pk}-health": "off_track", f"p{theirs.pk}-summary": "Hijack."})
    assert not ProgressUpdate.objects.filter(project=theirs).exists()


def test_owners_list_shows_their_projects_and_everyone_s_on_request(client, owner, mine, director):
    client.force_login(owner)
    html = client.get("/admin/projects/project/").content.decode()
    assert "Needs an update" in html and "Someone else&#x27;s" not in html
    assert "My week" in html  # the check-in is one click away
    html = client.get("/admin/projects/project/?mine=all").content.decode()
    assert "Someone else&#x27;s" in html
    client.force_login(director)
    html = client.get("/admin/projects/project/").content.decode()
    assert "Someone else&#x27;s" in html and "Needs an update" in html
    assert 'href="/admin/projects/project/my-week/"' not in html


def test_owners_see_only_what_they_may_use(client, owner, director, mine):
    client.force_login(owner)
    html = client.get("/admin/projects/project/").content.decode()
    assert "icon-no.svg" not in html  # no column of red crosses for projects that are not key work
    assert "Import weekly reports" not in client.get("/admin/reports/directornote/").content.decode()
    assert "Signed in as <strong>Olivia</strong>" in html  # people's names, not a first name alone
    client.force_login(director)
    assert "Import weekly reports" in client.get("/admin/reports/directornote/").content.decode()
