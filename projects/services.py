"""Writes with rules attached. Admin, API, commands and tasks call these, never ``save()`` directly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Sum

from .models import KeyResult, KeyResultReading, Milestone, PlannedDateChange, ProgressUpdate, Project

PLANNED_DATES = {
    PlannedDateChange.Kind.QA: ("qa_date", "qa_date_baseline"),
    PlannedDateChange.Kind.LAUNCH: ("launch_date", "launch_date_baseline"),
}


def milestone_percent(*, project: Project) -> Decimal | None:
    """Weighted percent of the project's milestones (cancelled ones do not count); None without any."""
    totals = (
        Milestone.objects.filter(project=project)
        .exclude(status=Milestone.Status.CANCELLED)
        .aggregate(total_weight=Sum("weight"), weighted=Sum(F("weight") * F("percent")))
    )
    if not totals["total_weight"]:
        return None
    return (totals["weighted"] / totals["total_weight"]).quantize(Decimal("0.01"))


@transaction.atomic
def project_save(*, project: Project, user=None) -> Project:
    """Validate and save a project, keeping the baseline of its QA and launch dates.

    The first planned date is the baseline; every later move is recorded with who made it,
    so the rollup can show slips and count reschedules.
    """
    project.full_clean()
    before = Project.objects.select_for_update().filter(pk=project.pk).first() if project.pk else None
    changes = []
    for kind, (field, baseline_field) in PLANNED_DATES.items():
        old, new = (getattr(before, field) if before else None), getattr(project, field)
        if getattr(project, baseline_field) is None and new is not None:
            setattr(project, baseline_field, new)
        if old is not None and old != new:
            changes.append(PlannedDateChange(kind=kind, old_date=old, new_date=new, changed_by=user))
    project.save()
    for change in changes:
        change.project = project
        change.save()
    return project


@transaction.atomic
def project_refresh_progress(*, project: Project) -> Project:
    """Make the project's percent and health follow its milestones and latest update."""
    before = (project.percent, project.health)
    derived = milestone_percent(project=project)
    latest = ProgressUpdate.objects.filter(project=project).order_by("-week_start").first()
    if derived is not None:
        project.percent = derived
    elif latest is not None:
        project.percent = latest.percent
    if latest is not None:
        project.health = latest.health
    if (project.percent, project.health) != before:
        project.save(update_fields=["percent", "health"])  # save(), not update(): history records it
    return project


@transaction.atomic
def milestone_save(*, milestone: Milestone) -> Milestone:
    milestone.full_clean()
    milestone.save()
    project_refresh_progress(project=milestone.project)
    return milestone


@transaction.atomic
def progress_update_save(*, update: ProgressUpdate, author=None) -> ProgressUpdate:
    """Save a weekly update; with milestones, its percent is the milestones' weighted percent."""
    if author is not None and update.author_id is None:
        update.author = author
    derived = milestone_percent(project=update.project)
    if derived is not None:
        update.percent = derived
    update.full_clean()
    update.save()
    project_refresh_progress(project=update.project)
    return update


@transaction.atomic
def key_result_record_reading(
    *, key_result: KeyResult, week_start: date, value: Decimal, user=None, note: str = ""
) -> KeyResultReading:
    """Record (or correct) a key result's reading for a week; the current value follows the latest."""
    reading = KeyResultReading.objects.filter(key_result=key_result, week_start=week_start).first()
    reading = reading or KeyResultReading(key_result=key_result, week_start=week_start)
    reading.value, reading.note, reading.recorded_by = value, note, user
    reading.full_clean()
    reading.save()
    key_result_refresh_current(key_result=key_result)
    return reading


def key_result_refresh_current(*, key_result: KeyResult) -> None:
    latest = key_result.readings.order_by("-week_start").values_list("value", flat=True).first()
    if latest != key_result.current_value:
        key_result.current_value = latest
        key_result.save(update_fields=["current_value"])
