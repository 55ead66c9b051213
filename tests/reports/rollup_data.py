"""A small department for week 53 of 2023 (Mon 2023-12-25 .. Sun 2023-12-31), built with factories."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from projects.models import Health, Milestone, PlannedDateChange
from tests import factories

SHANGHAI = ZoneInfo("Asia/Shanghai")
W53 = date(2023, 12, 25)
W52 = date(2023, 12, 18)


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def department():
    """Three objectives, a metric, two incidents, the POS project with milestones, optional filler."""
    cycle = factories.CycleFactory()
    payments = factories.TeamFactory(name="Payments")
    o1 = factories.ObjectiveFactory(cycle=cycle, code="O1", title="Serve the business", order=1)
    o2 = factories.ObjectiveFactory(cycle=cycle, code="O2", title="System upgrades", order=2)
    o3 = factories.ObjectiveFactory(cycle=cycle, code="O3", title="Safe, stable, efficient", order=3)
    owner = factories.owner(username="lin", first_name="Lin", last_name="Wei")
    payin = factories.KeyResultFactory(
        objective=o3, title="Pay-in success rate", is_operating_metric=True, target_value=Decimal("99.99")
    )
    factories.KeyResultReadingFactory(key_result=payin, week_start=W52, value=Decimal("99.995"))
    factories.KeyResultReadingFactory(key_result=payin, week_start=W53, value=Decimal("99.985"))
    tagging = factories.KeyResultFactory(
        objective=o3,
        title="Assets tagged",
        start_value=Decimal(0),
        target_value=Decimal(100),
        direction="increase",
        unit="%",
    )
    factories.KeyResultReadingFactory(key_result=tagging, week_start=W53, value=Decimal("77.04"))

    pos = factories.ProjectFactory(
        objective=o2,
        name="POS acquiring",
        owner=owner,
        team=payments,
        is_key_work=True,
        percent=Decimal(62),
        health=Health.AT_RISK,
        launch_date=date(2024, 1, 20),
        launch_date_baseline=date(2023, 12, 30),
    )
    PlannedDateChange.objects.create(
        project=pos, kind="launch", old_date=date(2023, 12, 30), new_date=date(2024, 1, 20), changed_at=at(W53)
    )
    factories.ProgressUpdateFactory(
        project=pos, week_start=W52, percent=Decimal(55), summary="Terminal certification.", next_steps="Trial run."
    )
    factories.ProgressUpdateFactory(
        project=pos,
        week_start=W53,
        percent=Decimal(62),
        health=Health.AT_RISK,
        summary="Trial transactions passed.",
        next_steps="Shift 5% of traffic.",
        risks="Bank window",
    )
    factories.MilestoneFactory(
        project=pos, title="Trial transactions", status=Milestone.Status.DONE, completed_on=date(2023, 12, 27)
    )
    factories.MilestoneFactory(project=pos, title="Traffic shift", due_date=date(2024, 1, 3))
    factories.MilestoneFactory(project=pos, title="Design review", due_date=date(2023, 12, 20))

    quiet = factories.ProjectFactory(objective=o1, name="Merchant onboarding", owner=owner, percent=Decimal(30))
    factories.ProgressUpdateFactory(project=quiet, week_start=W52, percent=Decimal(30), summary="Waiting.")

    factories.IncidentFactory(
        title="Pay-out delays", grade="C", responsibility_share=Decimal("0.5"), detected_at=at(W53 + timedelta(1))
    )
    factories.IncidentFactory(title="Callback timeouts", grade="D", detected_at=at(W53 + timedelta(3)))
    factories.IncidentFactory(title="Older one", grade="B", detected_at=at(date(2023, 6, 5)))
    factories.DirectorNoteFactory(week_start=W53, highlights="Year-end support.", reflections="Plan earlier.")

    return {"o1": o1, "o2": o2, "o3": o3, "pos": pos, "quiet": quiet, "owner": owner, "team": payments}


def add_projects(parts: dict, count: int, weeks: int) -> None:
    """Filler projects, each with ``weeks`` of updates and two milestones, to grow the data."""
    objectives = (parts["o1"], parts["o2"], parts["o3"])
    for n in range(count):
        project = factories.ProjectFactory(objective=objectives[n % 3], owner=parts["owner"], team=parts["team"])
        for w in range(weeks):
            factories.ProgressUpdateFactory(project=project, week_start=W53 - timedelta(weeks=w), percent=n % 100)
        factories.MilestoneFactory(project=project, due_date=date(2024, 1, 2))
        factories.MilestoneFactory(project=project, due_date=date(2023, 12, 1))
