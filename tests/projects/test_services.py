"""The rules that writes follow: derived progress, planned-date baselines, change history."""

from datetime import date
from decimal import Decimal

import pytest

from projects import services
from projects.models import KeyResult, Milestone, PlannedDateChange
from tests import factories

pytestmark = pytest.mark.django_db


def test_percent_is_weighted_from_milestones_and_cancelled_ones_do_not_count():
    project = factories.ProjectFactory()
    factories.MilestoneFactory(project=project, weight=3, status=Milestone.Status.DONE)
    factories.MilestoneFactory(project=project, weight=1, percent=Decimal(80), status="in_progress")
    factories.MilestoneFactory(project=project, weight=5, status=Milestone.Status.CANCELLED)
    services.project_refresh_progress(project=project)
    project.refresh_from_db()
    assert project.percent == Decimal("95.00")  # (3*100 + 1*80) / 4


def test_update_records_the_milestones_percent_and_sets_health():
    project = factories.ProjectFactory(percent=Decimal(0))
    factories.MilestoneFactory(project=project, percent=Decimal(40), status="in_progress")
    update = factories.ProgressUpdateFactory.build(project=project, percent=Decimal(99), health="off_track")
    services.progress_update_save(update=update, author=project.owner)
    project.refresh_from_db()
    assert update.percent == Decimal(40)
    assert (project.percent, project.health) == (Decimal(40), "off_track")


def test_without_milestones_the_latest_update_sets_the_percent():
    project = factories.ProjectFactory()
    for week, percent in [(date(2023, 12, 18), 40), (date(2023, 12, 25), 55)]:
        update = factories.ProgressUpdateFactory.build(project=project, week_start=week, percent=Decimal(percent))
        services.progress_update_save(update=update)
    project.refresh_from_db()
    assert project.percent == Decimal(55)


def test_moving_a_launch_date_keeps_the_baseline_and_who_moved_it(owner):
    project = factories.ProjectFactory.build(
        owner=owner, objective=factories.ObjectiveFactory(), launch_date=date(2023, 12, 28)
    )
    services.project_save(project=project, user=owner)
    project.launch_date = date(2024, 1, 4)
    services.project_save(project=project, user=owner)
    project.launch_date = date(2024, 1, 11)
    services.project_save(project=project, user=owner)
    project.refresh_from_db()
    assert project.launch_date_baseline == date(2023, 12, 28)
    changes = list(PlannedDateChange.objects.filter(project=project).order_by("changed_at"))
    assert [(c.old_date, c.new_date, c.changed_by) for c in changes] == [
        (date(2023, 12, 28), date(2024, 1, 4), owner),
        (date(2024, 1, 4), date(2024, 1, 11), owner),
    ]
    assert changes[0].days_moved == 7


def test_every_change_is_in_the_history_with_old_and_new_values(owner):
    project = factories.ProjectFactory(owner=owner, percent=Decimal(10))
    project._history_user = owner
    project.percent = Decimal(25)
    services.project_save(project=project, user=owner)
    latest, previous = project.history.all()[:2]
    delta = latest.diff_against(previous)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("percent", Decimal(10), Decimal(25))]
    assert latest.history_user == owner


def test_readings_move_the_key_results_current_value_and_progress():
    kr = factories.KeyResultFactory(start_value=Decimal("99.950"), target_value=Decimal("99.990"))
    services.key_result_record_reading(key_result=kr, week_start=date(2023, 12, 18), value=Decimal("99.970"))
    kr.refresh_from_db()
    assert kr.current_value == Decimal("99.970")
    assert kr.progress() == Decimal("50.00")
    assert kr.is_on_target() is False
    services.key_result_record_reading(key_result=kr, week_start=date(2023, 12, 25), value=Decimal("99.997"))
    kr.refresh_from_db()
    assert (kr.current_value, kr.progress(), kr.is_on_target()) == (Decimal("99.997"), Decimal(100), True)
    assert kr.readings.count() == 2
    assert kr.history.count() >= 3  # created, then two moves of the current value


def test_at_most_key_results_are_met_below_the_target():
    kr = factories.KeyResultFactory(
        direction=KeyResult.Direction.AT_MOST, start_value=Decimal(3), target_value=Decimal(2)
    )
    assert kr.is_on_target(Decimal("1.5")) is True
    assert kr.progress(Decimal("2.5")) == Decimal("50.00")
