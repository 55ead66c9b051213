"""Reminders and alerts are rendered once per language and shape and filled in per recipient: each owner
reads exactly what the templates, rendered in full for them, say."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.test.signals import template_rendered
from django.utils import translation
from django.utils.html import escape

from projects.models import Health, Project
from projects.weeks import Week
from reports import merge
from reports.mail import messages, recipients
from reports.mail.compose import render_parts, render_parts_merged
from tests import factories

pytestmark = pytest.mark.django_db

AWKWARD = 'O\'Brien & <Sons> "Core"'  # what escaping, quoting and CSS inlining could each get wrong


class _Events(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self.events.append(("end", tag))

    def handle_data(self, data):
        if self.events and self.events[-1][0] == "data":
            self.events[-1] = ("data", self.events[-1][1] + data)
        else:
            self.events.append(("data", data))

    def handle_comment(self, data):
        self.events.append(("comment", data))


def html_events(html: str) -> list[tuple]:
    """The HTML as a reader's parser sees it: tags, attributes and text, whatever the entity spelling."""
    parser = _Events()
    parser.feed(html)
    parser.close()
    return parser.events


def assert_same_message(template: str, context: dict, language: str) -> None:
    merged = render_parts_merged(template=template, context=context, language=language)
    full = render_parts(template=template, context=context, language=language)
    assert merged[0] == full[0]  # subject
    assert merged[1] == full[1]  # text
    assert html_events(merged[2]) == html_events(full[2])


def reminder(user, projects):
    rows = recipients.projects_to_update(Project.objects.filter(pk__in=[p.pk for p in projects]))
    return recipients.OwnerReminder(user=user, projects=[row for _owner, row in rows])


@pytest.fixture
def owners_projects():
    owner = factories.owner(username="obrien", first_name="Sean", last_name=AWKWARD)
    chinese = factories.owner(username="chenjing", first_name="静", last_name="陈")
    objective = factories.ObjectiveFactory(code="O2")
    projects = [
        factories.ProjectFactory(objective=objective, owner=owner, name=AWKWARD, percent=Decimal("45.5")),
        factories.ProjectFactory(objective=objective, owner=owner, name="POS收单系统建设", percent=Decimal(0)),
        factories.ProjectFactory(
            objective=objective, owner=owner, name="Done soon", percent=Decimal(100), health=Health.AT_RISK
        ),
    ]
    return owner, chinese, projects


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_merged_reminder_reads_like_one_rendered_in_full(owners_projects, language):
    owner, chinese, projects = owners_projects
    week = Week.parse("2023-W53")
    for user, theirs in ((owner, projects), (chinese, projects[1:2]), (owner, projects[:2])):
        with translation.override(language):
            context = messages.update_reminder_context(reminder(user, theirs), week)
        for unsubscribe in ("https://okr.example.com/unsubscribe/a&b/", None):
            assert_same_message("update_reminder", {**context, "unsubscribe_url": unsubscribe}, language)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_merged_milestone_alert_reads_like_one_rendered_in_full(owners_projects, language):
    owner, _chinese, projects = owners_projects
    day = date(2023, 12, 28)
    late = factories.MilestoneFactory(project=projects[0], title=AWKWARD, due_date=date(2023, 12, 27))
    later = factories.MilestoneFactory(project=projects[0], title="Review", due_date=date(2023, 12, 20))
    soon = factories.MilestoneFactory(project=projects[1], title="Go live <1>", due_date=date(2023, 12, 29))
    for overdue, due_soon in (([late, later], [soon]), ([late], []), ([], [soon])):
        with translation.override(language):
            context = messages.milestone_alert_context(
                recipients.OwnerAlert(user=owner, overdue=overdue, due_soon=due_soon), day
            )
        assert_same_message("milestone_alert", {**context, "unsubscribe_url": None}, language)
    with translation.override("en"):
        one_day = messages.milestone_alert_context(recipients.OwnerAlert(user=owner, overdue=[late]), day)
    assert one_day["overdue"][0]["late"] == "due 2023-12-27, 1 day late"  # the plural follows the days


def test_owners_with_the_same_shape_share_one_rendering(owners_projects):
    owner, chinese, projects = owners_projects
    week = Week.parse("2023-W53")
    merge.clear()
    rendered = []

    def count(sender, template, **kwargs):
        if template.name.startswith("emails/update_reminder/"):
            rendered.append(template.name)

    template_rendered.connect(count)
    try:
        for user, project in [(owner, projects[0]), (chinese, projects[1]), (owner, projects[2])] * 5:
            with translation.override("en"):
                context = messages.update_reminder_context(reminder(user, [project]), week)
            parts = render_parts_merged(template="update_reminder", context=context, language="en")
            assert project.name in parts[1] and escape(project.name) in parts[2]
    finally:
        template_rendered.disconnect(count)
    assert sorted(rendered) == [f"emails/update_reminder/{name}" for name in ("body.html", "body.txt", "subject.txt")]


def test_a_template_that_filters_a_merged_value_is_refused(settings, tmp_path):
    folder = tmp_path / "emails" / "filtered"
    folder.mkdir(parents=True)
    (folder / "subject.txt").write_text("{{ name|truncatechars:6 }}")
    (folder / "body.txt").write_text("{{ name }}")
    (folder / "body.html").write_text("<p>{{ name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    merge.clear()
    with pytest.raises(ValueError, match="filtered"):
        render_parts_merged(template="filtered", context={"name": "Lin Wei"}, language="en")
