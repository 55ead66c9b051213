"""Writes with rules attached. Admin, API, commands and tasks call these, never ``save()`` directly."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from . import history, querysets
from .models import (
    Cycle,
    Incident,
    KeyResult,
    KeyResultReading,
    Milestone,
    Objective,
    PlannedDateChange,
    ProgressUpdate,
    Project,
    UpdateComment,
)
from .signals import comment_posted


class StaleVersionError(Exception):
    """The row changed since the caller read it (optimistic concurrency): reload and redo the change."""

    def __init__(self, *, current: int):
        self.current = current
        super().__init__(
            _("Someone else changed this project since you opened it. Reload it and make your change again.")
        )


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
def project_save(*, project: Project, user=None, expected_version: int | None = None) -> Project:
    """Validate and save a project, keeping the baseline of its QA and launch dates.

    The first planned date is the baseline; every later move is recorded with who made it,
    so the rollup can show slips and count reschedules. With ``expected_version`` (what the editor
    read), a project changed meanwhile raises ``StaleVersionError`` instead of being overwritten.
    """
    project.full_clean()
    before = Project.objects.select_for_update().filter(pk=project.pk).first() if project.pk else None
    if before is not None:
        if expected_version is not None and expected_version != before.version:
            raise StaleVersionError(current=before.version)
        project.version = before.version + 1
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


def _check_carry_over(*, current: Objective, target: Objective) -> None:
    if target.cycle_id == current.cycle_id:
        raise ValidationError({"objective": _("Carry over moves to another cycle; this objective is in the same one.")})
    if target.cycle.start < current.cycle.start:
        raise ValidationError({"objective": _("Carry over moves forward, to a later cycle.")})
    if history.now().date() < target.cycle.start:
        # Until the new cycle starts, the old cycle's reports still show the work under it.
        raise ValidationError(
            {"objective": _("Carry over from %(start)s, when that cycle starts.") % {"start": target.cycle.start}}
        )


@transaction.atomic
def project_carry_over(*, project: Project, objective: Objective, user=None) -> Project:
    """Move a project under another cycle's objective: one project, one history.

    Its updates, milestones, baselines and slips stay with it, so the new cycle's weeks compare with
    the old cycle's last week; the old cycle's weeks still show it where it was then.
    """
    _check_carry_over(current=project.objective, target=objective)
    project.objective = objective
    return project_save(project=project, user=user)


@transaction.atomic
def key_result_carry_over(*, key_result: KeyResult, objective: Objective) -> KeyResult:
    """Move a key result (an operating metric, say) to another cycle's objective: one weekly series."""
    _check_carry_over(current=key_result.objective, target=objective)
    key_result.objective = objective
    key_result.full_clean()
    key_result.save()
    return key_result


def carry_over_target(*, objective: Objective, cycle: Cycle) -> Objective:
    """The objective of ``cycle`` with the same code (O2 of 2023 → O2 of 2024); ValidationError if none."""
    target = Objective.objects.filter(cycle=cycle, code=objective.code).select_related("cycle").first()
    if target is None:
        raise ValidationError(
            _("%(cycle)s has no objective %(code)s to carry over to.") % {"cycle": cycle, "code": objective.code}
        )
    return target


@transaction.atomic
def project_refresh_progress(*, project: Project) -> Project:
    """Make the project's percent and health follow its milestones and latest update."""
    before = (project.percent, project.health, project.latest_update_id)
    derived = milestone_percent(project=project)
    latest = ProgressUpdate.objects.filter(project=project).order_by("-week_start").first()
    if derived is not None:
        project.percent = derived
    elif latest is not None:
        project.percent = latest.percent
    if latest is not None:
        project.health = latest.health
    project.latest_update = latest
    if (project.percent, project.health, project.latest_update_id) != before:
        project.version = (Project.objects.filter(pk=project.pk).values_list("version", flat=True).first() or 0) + 1
        # save(), not update(): history records it
        project.save(update_fields=["percent", "health", "latest_update", "version"])
    return project


@transaction.atomic
def progress_update_delete(*, update: ProgressUpdate) -> None:
    project = update.project
    update.delete()
    project_refresh_progress(project=project)


@transaction.atomic
def milestone_save(*, milestone: Milestone) -> Milestone:
    """Validate and save a milestone; the percent of its project (and of the one it left) follows."""
    return milestones_save(project=milestone.project, milestones=[milestone])[0]


@transaction.atomic
def milestones_save(*, project: Project, milestones: list[Milestone], deleted: list[Milestone] = ()) -> list[Milestone]:
    """Save and delete several milestones of a project, then refresh its progress once.

    A milestone moved here from another project refreshes that project too.
    """
    moved_from = set()
    for milestone in milestones:
        if milestone.pk:
            before = Milestone.objects.filter(pk=milestone.pk).values_list("project_id", flat=True).first()
            if before and before != milestone.project_id:
                moved_from.add(before)
        milestone.full_clean()
        milestone.save()
    for milestone in deleted:
        if milestone.project_id != project.pk:
            moved_from.add(milestone.project_id)
        milestone.delete()
    project_refresh_progress(project=project)
    for other in Project.objects.filter(pk__in=moved_from - {project.pk}):
        project_refresh_progress(project=other)
    return milestones


@transaction.atomic
def milestone_delete(*, milestone: Milestone) -> None:
    milestones_save(project=milestone.project, milestones=[], deleted=[milestone])


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
def progress_update_write(
    *, project: Project, week_start: date, values: dict, author=None
) -> tuple[ProgressUpdate, bool]:
    """Create or replace the project's update for a week; (update, created). Idempotent.

    ``values`` holds summary and, optionally, percent, health, next_steps and risks; a missing percent
    or health keeps the project's current one, missing texts are empty.

    Race-safe: the project's row is locked first, so two writers of one week queue up and the second
    replaces the first's update instead of colliding with it.
    """
    project = Project.objects.select_for_update().get(pk=project.pk)
    update = ProgressUpdate.objects.select_for_update().filter(project=project, week_start=week_start).first()
    created = update is None
    update = update or ProgressUpdate(project=project, week_start=week_start)
    update.percent = values.get("percent", project.percent)
    update.health = values.get("health", project.health)
    update.summary = values["summary"]
    update.next_steps = values.get("next_steps", "")
    update.risks = values.get("risks", "")
    if author is not None:
        update.author = author
    progress_update_save(update=update, author=author)
    return update, created


INCIDENT_RATING_FIELDS = ("grade", "responsibility_share")


@transaction.atomic
def incident_save(*, incident: Incident, user=None) -> Incident:
    """Validate and save an incident; a new one records who reported it.

    Only directors (``IncidentQuerySet.may_rate``) set the grade and responsibility share; for
    anyone else those keep their stored (or, for a new incident, default) values or are refused.
    """
    if incident.pk is None and incident.reported_by_id is None and user is not None:
        incident.reported_by = user
    if user is not None and not Incident.objects.may_rate(user):
        before = Incident.objects.filter(pk=incident.pk).first() if incident.pk else Incident()
        changed = [f for f in INCIDENT_RATING_FIELDS if getattr(incident, f) != getattr(before, f)]
        if changed:
            message = _("Only directors set an incident's grade and responsibility share.")
            raise ValidationError(dict.fromkeys(changed, message))
    incident.full_clean()
    incident.save()
    return incident


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


def _comment_recipients(comment: UpdateComment) -> list:
    """Who hears of a comment: the owner for anyone else's; the earlier commenters for the owner's."""
    owner = comment.update.project.owner
    if comment.author_id != owner.pk:
        return [owner] if owner.is_active else []
    earlier = (
        UpdateComment.objects.filter(update=comment.update)
        .exclude(pk=comment.pk)
        .exclude(author=owner)
        .select_related("author")
    )
    people = {c.author_id: c.author for c in earlier if c.author is not None and c.author.is_active}
    return list(people.values())


@transaction.atomic
def update_comment_post(*, update: ProgressUpdate, author, text: str = "", acknowledge: bool = False) -> UpdateComment:
    """Comment on (or acknowledge) a weekly update; tells the people concerned after the commit.

    Raises ``PermissionDenied`` when ``author`` may not comment (or acknowledge) here, and
    ``ValidationError`` for an empty comment that acknowledges nothing.
    """
    if not querysets.may_comment(author, update) or (acknowledge and not querysets.may_acknowledge(author)):
        raise PermissionDenied(_("You may not comment on this update."))
    comment = UpdateComment(update=update, author=author, text=text.strip(), acknowledged=acknowledge)
    comment.full_clean()
    comment.save()
    recipients = _comment_recipients(comment)
    transaction.on_commit(lambda: comment_posted.send(sender=UpdateComment, comment=comment, recipients=recipients))
    return comment


@transaction.atomic
def owner_check_in(
    *, project: Project, week_start: date, values: dict, done_milestones: list[Milestone] = (), author=None
) -> ProgressUpdate:
    """One project's weekly check-in from *My week*: tick milestones done, then write the week's update.

    The milestones are saved first, so a project with milestones records their new weighted percent.
    Raises ``PermissionDenied`` when ``author`` may not change the project.
    """
    if author is not None and not Project.objects.is_editable_by(author, project):
        raise PermissionDenied(_("You may not update this project."))
    ticked = []
    for milestone in done_milestones:
        if milestone.project_id != project.pk:
            raise ValidationError(_("That milestone belongs to another project."))
        milestone.status = Milestone.Status.DONE
        ticked.append(milestone)
    if ticked:
        milestones_save(project=project, milestones=ticked)
    update, _created = progress_update_write(project=project, week_start=week_start, values=values, author=author)
    return update
