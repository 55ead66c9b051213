"""The rollup page's project articles are rendered once per shape and filled in: each reads exactly
like ``rollup_project.html`` rendered in full for that project, for a director and for an owner."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test.signals import template_rendered
from django.utils import translation

from projects import services
from projects.history import recorded_at
from projects.models import Health, Milestone, ProgressUpdate, Project
from projects.weeks import Week
from reports import merge
from reports.rollup import build_rollup
from reports.rollup.page import TEMPLATE, Articles
from reports.views import comment_threads
from tests import factories
from tests.reports.conftest import DEMO_FRIDAY_MORNING, DEMO_MONDAY, DEMO_WEEK

pytestmark = pytest.mark.django_db

AWKWARD = 'R&D <core> "gateway" O\'Brien'


@pytest.fixture
def varied_week(demo_week, owner, other_owner, director):
    """The demo week with a project of every kind the page shows differently."""
    with recorded_at(DEMO_FRIDAY_MORNING):
        odd = factories.ProjectFactory(
            objective=demo_week["pos"].objective, name=AWKWARD, owner=owner, is_key_work=True,
            status=Project.Status.ON_HOLD, health=Health.OFF_TRACK, percent=Decimal("12.5"),
        )  # fmt: skip
        factories.MilestoneFactory(project=odd, title="Design <review>", due_date=date(2023, 12, 1))
        factories.MilestoneFactory(
            project=odd, title="Kick-off", status=Milestone.Status.DONE, due_date=date(2023, 11, 1)
        )
        factories.MilestoneFactory(project=odd, title="Undated")
        update = factories.ProgressUpdateFactory(
            project=odd, week_start=DEMO_MONDAY, summary="Line one\nline <two> & more", risks="Vendor & <legal>"
        )
        factories.ProgressUpdateFactory(project=odd, week_start=date(2023, 12, 18), next_steps="Plan\nahead")
    with time_machine.travel(datetime(2023, 12, 29, 10, tzinfo=ZoneInfo("Asia/Shanghai"))):
        services.update_comment_post(update=update, author=director, text="Why <on hold>?\nTell me & soon")
        services.update_comment_post(update=update, author=owner, text="Waiting for legal")
        pos_update = ProgressUpdate.objects.get(project=demo_week["pos"], week_start=DEMO_MONDAY)
        services.update_comment_post(update=pos_update, author=director, acknowledge=True)
    return demo_week


def articles_for(user, rollup, *, may_acknowledge: bool) -> Articles:
    ids = [p["id"] for o in rollup["objectives"] for p in o["projects"]]
    return Articles(
        week_code=DEMO_WEEK,
        threads=comment_threads(Week.parse(DEMO_WEEK), ids),
        may_acknowledge=may_acknowledge,
        user_id=user.pk,
        csrf_token="token-5b1e",
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_article_reads_like_the_template_rendered_in_full(varied_week, owner, director, language):
    with translation.override(language):
        rollup = build_rollup(Week.parse(DEMO_WEEK))
        projects = [p for o in rollup["objectives"] for p in o["projects"]]
        assert len({(p["is_key_work"], p["is_stale"], p["status"], bool(p["update"])) for p in projects}) >= 4
        for reader, may_acknowledge in ((director, True), (owner, False)):
            articles = articles_for(reader, rollup, may_acknowledge=may_acknowledge)
            for p in projects:
                assert articles.render(p) == render_to_string(TEMPLATE, articles.context(p)), p["name"]
        odd = next(articles.render(p) for p in projects if p["name"] == AWKWARD)
    assert "R&amp;D &lt;core&gt;" in odd and "line &lt;two&gt; &amp; more" in odd and "<br>" in odd
    assert "Why &lt;on hold&gt;?<br>Tell me &amp; soon" in odd and 'value="token-5b1e"' in odd


def test_articles_of_the_same_shape_are_rendered_once(varied_week, director):
    rollup = build_rollup(Week.parse(DEMO_WEEK))
    projects = [p for o in rollup["objectives"] for p in o["projects"]]
    articles = articles_for(director, rollup, may_acknowledge=True)
    merge.clear()
    rendered = []

    def count(sender, template, **kwargs):
        if template.name == TEMPLATE:
            rendered.append(template.name)

    template_rendered.connect(count)
    try:
        first = [articles.render(p) for p in projects]
        again = [articles.render(p) for p in projects]
    finally:
        template_rendered.disconnect(count)
    shapes = {merge._shape(articles.context(p), []) for p in projects}
    assert first == again and len(rendered) == len(shapes) < len(projects) * 2
