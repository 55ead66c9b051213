"""Bad input is refused beside the field, and nothing is half-saved."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.models import Milestone, ProgressUpdate
from projects.weeks import week_start
from tests import factories
from tests.projects.test_access import form_data

pytestmark = pytest.mark.django_db


def errors_of(response):
    """Field errors of the admin form and its inlines, as {field: [messages]}."""
    errors = dict(response.context["adminform"].form.errors)
    for formset in response.context["inline_admin_formsets"]:
        for form_errors in formset.formset.errors:
            errors.update(form_errors)
    return {field: list(messages) for field, messages in errors.items()}


@pytest.fixture
def project(owner):
    return factories.ProjectFactory(owner=owner, start_date=date(2023, 6, 1), percent=Decimal(20))


def test_percent_above_100_is_refused_beside_the_field(client, owner, project):
    client.force_login(owner)
    response = client.post(
        reverse("admin:projects_project_change", args=[project.pk]), form_data(project, **{"updates-0-percent": "150"})
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 100." in errors_of(response)["percent"]
    assert not project.updates.exists()


def test_due_date_before_project_start_is_refused_and_nothing_saved(client, owner, project):
    client.force_login(owner)
    data = form_data(
        project,
        name="renamed",
        **{
            "milestones-TOTAL_FORMS": "1",
            "milestones-0-order": "1",
            "milestones-0-title": "Kickoff",
            "milestones-0-weight": "1",
            "milestones-0-due_date": "2023-05-01",
            "milestones-0-status": "not_started",
            "milestones-0-percent": "0",
        },
    )
    response = client.post(reverse("admin:projects_project_change", args=[project.pk]), data)
    assert response.status_code == 200
    assert any("before the project's start" in m for m in errors_of(response)["due_date"])
    project.refresh_from_db()
    assert project.name != "renamed"
    assert not project.updates.exists() and not project.milestones.exists()


def test_negative_weight_is_refused(client, owner, project):
    client.force_login(owner)
    data = {
        "project": project.pk,
        "title": "Go live",
        "order": 1,
        "weight": "-1",
        "status": "not_started",
        "percent": "0",
    }
    response = client.post(reverse("admin:projects_milestone_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["weight"] == ["Weight must be greater than zero."]
    assert not Milestone.objects.exists()


def test_update_for_a_future_week_is_refused(client, owner, project):
    client.force_login(owner)
    next_week = timezone.localdate() + timedelta(days=7)
    data = {"project": project.pk, "week_start": next_week.isoformat(), "percent": "30", "health": "on_track"}
    data["summary"] = "Planned."
    response = client.post(reverse("admin:projects_progressupdate_add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["week_start"] == ["You cannot report on a future week."]
    assert not ProgressUpdate.objects.exists()


@time_machine.travel("2023-12-29 10:00 +0800", tick=False)  # that week is this week, open to its owner
def test_update_for_any_day_is_stored_by_its_monday(client, owner, project):
    client.force_login(owner)
    data = {"project": project.pk, "week_start": "2023-12-29", "percent": "30", "health": "on_track"}
    data["summary"] = "QA passed."
    assert client.post(reverse("admin:projects_progressupdate_add"), data).status_code == 302
    assert project.updates.get().week_start == date(2023, 12, 25)


def test_qa_date_before_start_is_refused_beside_the_field(project):
    project.qa_date = date(2023, 1, 1)
    with pytest.raises(ValidationError) as error:
        services.project_save(project=project)
    assert "qa_date" in error.value.message_dict


@pytest.mark.parametrize(
    ("model_factory", "field", "value"),
    [
        (factories.ProjectFactory, "percent", Decimal(101)),
        (factories.MilestoneFactory, "weight", Decimal(0)),
        (factories.IncidentFactory, "responsibility_share", Decimal("1.5")),
    ],
)
def test_database_refuses_what_must_never_hold(model_factory, field, value):
    row = model_factory()
    setattr(row, field, value)
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_database_refuses_a_week_that_is_not_a_monday():
    project = factories.ProjectFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdate.objects.create(project=project, week_start=date(2023, 12, 27), summary="x")


def test_one_update_per_project_and_week():
    update = factories.ProgressUpdateFactory()
    duplicate = ProgressUpdate(project=update.project, week_start=update.week_start, summary="again")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "This project already has an update for this week." in str(error.value)


def test_week_start_helper_is_monday():
    assert week_start(date(2023, 12, 31)) == date(2023, 12, 25)
