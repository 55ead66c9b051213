"""Apply a parsed weekly report to the database, through the planning services.

``report_apply`` writes only what differs from what is stored, so importing the same report twice
changes nothing (no row, no field, no history entry). With ``dry_run`` it computes the same list of
changes inside a transaction that is rolled back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import services
from projects.history import recorded_at
from projects.models import Cycle, Incident, KeyResult, KeyResultReading, Milestone, Objective, ProgressUpdate, Project
from reports.models import DirectorNote
from reports.rollup.cutoff import report_cutoff

from . import phrases
from .parser import ParsedIncident, ParsedMetric, ParsedMilestone, ParsedProject, ParsedReport

# Lines the importer did not understand are kept under this line in the week's other work (其他).
UNPARSED_HEADING = "〔导入时未识别的行，原样保留〕"
DEFAULT_METRICS_OBJECTIVE = "O3"
LOWER_IS_BETTER_UNITS = ("次", "分钟")


@dataclass
class Change:
    """One row created or updated, with the fields that changed (old, new)."""

    action: str  # "create" or "update"
    kind: str
    label: str
    line: int | None = None
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def __str__(self) -> str:
        where = _("line %(line)s: ") % {"line": self.line} if self.line else ""
        verb = _("create") if self.action == "create" else _("update")
        text = f"{where}{verb} {self.kind} “{self.label}”"
        if self.action == "update" and self.fields:
            text += ": " + "; ".join(
                f"{name} {_short(old)} → {_short(new)}" for name, (old, new) in self.fields.items()
            )
        return text


@dataclass
class ImportResult:
    week_code: str
    report_date: date
    changes: list[Change]
    unparsed: list[tuple[int, str]]
    warnings: list[str]
    dry_run: bool


def _short(value: Any) -> str:
    text = "—" if value in (None, "") else str(value)
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= 60 else text[:57] + "…"


def _assign(obj, values: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Set the values that differ on ``obj``; return them as {field: (old, new)}."""
    diffs = {}
    for name, new in values.items():
        old = getattr(obj, name)
        if old != new:
            diffs[name] = (old, new)
            setattr(obj, name, new)
    return diffs


class NoOwnerError(ValueError):
    """A project must be created but no owner was given."""


class _Applier:
    def __init__(self, report: ParsedReport, *, owner, user, metrics_objective: str) -> None:
        self.report = report
        self.week = report.week
        self.monday = report.week.monday
        self.owner = owner
        self.user = user
        self.metrics_objective = metrics_objective
        self.changes: list[Change] = []
        self.warnings: list[str] = list(report.warnings)
        self._projects: list[Project] | None = None

    def record(self, action: str, obj, line: int | None = None, fields: dict | None = None) -> None:
        self.changes.append(Change(action, str(obj._meta.verbose_name), str(obj), line, fields or {}))

    def warn(self, line: int | None, error: ValidationError | str) -> None:
        message = "; ".join(error.messages) if isinstance(error, ValidationError) else error
        self.warnings.append(_("line %(line)s: %(message)s") % {"line": line, "message": message} if line else message)

    # Cycle and objectives.
    def cycle(self) -> Cycle:
        year = self.week.year
        cycle = Cycle.objects.filter(name=str(year)).first()
        cycle = (
            cycle or Cycle.objects.filter(start__lte=self.report.report_date, end__gte=self.report.report_date).first()
        )
        if cycle is None:
            cycle = Cycle(name=str(year), start=date(year, 1, 1), end=date(year, 12, 31))
            cycle.full_clean()
            cycle.save()
            self.record("create", cycle)
        return cycle

    def objective(self, cycle: Cycle, code: str, title: str = "", line: int | None = None) -> Objective:
        objective = Objective.objects.filter(cycle=cycle, code=code).first()
        if objective is None:
            number = int(code[1:]) if code[1:].isdigit() else 0
            objective = Objective(cycle=cycle, code=code, title=title or code, order=number)
            objective.full_clean()
            objective.save()
            self.record("create", objective, line)
        return objective

    # Operating metrics.
    def metric(self, cycle: Cycle, parsed: ParsedMetric, order: int) -> None:
        key_result = (
            KeyResult.objects.filter(objective__cycle=cycle, title=parsed.title)
            .order_by("-is_operating_metric")
            .first()
        )
        if key_result is None:
            direction = (
                KeyResult.Direction.AT_MOST if parsed.unit in LOWER_IS_BETTER_UNITS else KeyResult.Direction.AT_LEAST
            )
            key_result = KeyResult(
                objective=self.objective(cycle, self.metrics_objective),
                title=parsed.title,
                unit=parsed.unit,
                start_value=parsed.value,
                target_value=parsed.value,
                direction=direction,
                is_operating_metric=True,
                order=order,
            )
            key_result.full_clean()
            key_result.save()
            self.record("create", key_result, parsed.line)
            self.warn(
                parsed.line,
                _("“%(title)s” is new: its target was set to this reading; set the real target in the admin.")
                % {"title": parsed.title},
            )
        reading = KeyResultReading.objects.filter(key_result=key_result, week_start=self.monday).first()
        note = parsed.note[:300] or (reading.note if reading else "")
        if reading and reading.value == parsed.value and reading.note == note:
            return
        fields = {"value": (reading.value if reading else None, parsed.value)}
        if reading and reading.note != note:
            fields["note"] = (reading.note, note)
        new = services.key_result_record_reading(
            key_result=key_result, week_start=self.monday, value=parsed.value, user=self.user, note=note
        )
        self.record("update" if reading else "create", new, parsed.line, fields if reading else None)

    # Projects.
    def all_projects(self) -> list[Project]:
        if self._projects is None:
            self._projects = list(Project.objects.select_related("objective__cycle").order_by("pk"))
        return self._projects

    def find_project(self, name: str, cycle: Cycle, projects: list[Project] | None = None) -> Project | None:
        """The cycle's project of that name: exact, then without punctuation, then before a comma or colon."""
        if projects is None:
            projects = [p for p in self.all_projects() if p.objective.cycle_id == cycle.pk]
        wanted = phrases.normalise_name(name)
        for key in (
            lambda p: p.name == name,
            lambda p: phrases.normalise_name(p.name) == wanted,
            lambda p: phrases.normalise_name(phrases.split_name(p.name)[0]) == wanted,
        ):
            found = next((p for p in projects if key(p)), None)
            if found:
                return found
        return None

    def project(self, objective: Objective, parsed: ParsedProject) -> None:
        project = self.find_project(parsed.name, objective.cycle)
        newest = (
            ProgressUpdate.objects.filter(project=project).order_by("-week_start").values_list("week_start", flat=True)
            if project
            else []
        )
        is_latest = project is None or not newest or newest[0] <= self.monday
        values: dict[str, Any] = {}
        if is_latest and parsed.has_update:
            if parsed.qa_date:
                values["qa_date"] = parsed.qa_date
            if parsed.launch_date:
                values["launch_date"] = parsed.launch_date
            if any(word.startswith("结项") for word in parsed.status_words):
                values["status"] = Project.Status.DONE
        if project is None:
            if self.owner is None:
                raise NoOwnerError(_("A project must be created but there is no owner: pass --owner USERNAME."))
            project = Project(objective=objective, name=parsed.name, owner=self.owner, description=parsed.group)
            _assign(project, values)
            try:
                services.project_save(project=project, user=self.user)
            except ValidationError as error:
                self.warn(parsed.line, error)
                return
            self.all_projects().append(project)
            self.record("create", project, parsed.line)
            elsewhere = self.find_project(parsed.name, objective.cycle, projects=self.all_projects()[:-1])
            if elsewhere is not None:
                self.warn(
                    parsed.line,
                    _("“%(name)s” also exists in cycle %(cycle)s; this report's cycle got its own project.")
                    % {"name": parsed.name, "cycle": elsewhere.objective.cycle},
                )
        else:
            before = {name: getattr(project, name) for name in values}
            diffs = _assign(project, values)
            if diffs:
                try:
                    services.project_save(project=project, user=self.user)
                    self.record("update", project, parsed.line, diffs)
                except ValidationError as error:
                    _assign(project, before)
                    self.warn(parsed.line, error)
        for milestone in parsed.milestones:
            self.milestone(project, milestone, is_latest)
        if parsed.has_update:
            self.update(project, parsed)

    def milestone(self, project: Project, parsed: ParsedMilestone, is_latest: bool) -> None:
        wanted = phrases.normalise_name(parsed.title)
        milestone = next(
            (m for m in project.milestones.all() if phrases.normalise_name(m.title) == wanted),
            None,
        )
        if milestone is not None and not is_latest:
            return
        creating = milestone is None
        milestone = milestone or Milestone(project=project, title=parsed.title, order=parsed.number)
        values: dict[str, Any] = {"status": parsed.status}
        if parsed.status == Milestone.Status.DONE:
            values["percent"] = Decimal(100)
            values["completed_on"] = milestone.completed_on or self.report.report_date
        elif parsed.percent is not None:
            values["percent"] = parsed.percent
        if parsed.status != Milestone.Status.DONE and milestone.completed_on:
            values["completed_on"] = None
        if parsed.due_date:
            values["due_date"] = parsed.due_date
        before = {name: getattr(milestone, name) for name in values}
        diffs = _assign(milestone, values)
        if not creating and not diffs:
            return
        try:
            services.milestone_save(milestone=milestone)
        except ValidationError as error:
            _assign(milestone, before)
            self.warn(parsed.line, error)
            return
        self.record("create" if creating else "update", milestone, parsed.line, None if creating else diffs)

    def update(self, project: Project, parsed: ParsedProject) -> None:
        update = ProgressUpdate.objects.filter(project=project, week_start=self.monday).first()
        creating = update is None
        derived = services.milestone_percent(project=project)
        if derived is not None and update is not None:
            percent = update.percent  # fixed when first imported; later milestones do not rewrite history
        elif derived is not None:
            percent = derived
        elif parsed.percent is not None:
            percent = parsed.percent
        else:
            percent = update.percent if update else project.percent
        update = update or ProgressUpdate(
            project=project, week_start=self.monday, health=project.health, author=self.user or self.owner
        )
        diffs = _assign(update, {"summary": parsed.note, "percent": percent})
        if not creating and not diffs:
            return
        try:
            services.progress_update_save(update=update)
        except ValidationError as error:
            self.warn(parsed.line, error)
            return
        self.record("create" if creating else "update", update, parsed.line, None if creating else diffs)

    # Incidents.
    def incident(self, parsed: ParsedIncident) -> None:
        tz = timezone.get_current_timezone()
        detected = datetime.combine(parsed.detected_on, parsed.detected_time or time(0, 0), tzinfo=tz)
        # Reports give minutes: an incident recorded with seconds in the app is the same incident.
        incident = Incident.objects.filter(
            detected_at__gte=detected, detected_at__lt=detected + timedelta(minutes=1), title=parsed.title
        ).first()
        creating = incident is None
        incident = incident or Incident(detected_at=detected, title=parsed.title, reported_by=self.user)
        values = {
            name: getattr(parsed, name)
            for name in ("description", "impact", "handling", "follow_up")
            if getattr(parsed, name)
        }
        # The export writes "title，description" when the description does not start with the title.
        if not creating and values.get("description") == f"{incident.title}，{incident.description}":
            del values["description"]
        if parsed.grade:
            values["grade"] = parsed.grade
        if parsed.share is not None:
            values["responsibility_share"] = parsed.share
        if parsed.resolved_time:
            resolved = datetime.combine(parsed.detected_on, parsed.resolved_time, tzinfo=tz)
            if resolved >= detected:
                values["resolved_at"] = resolved
        diffs = _assign(incident, values)
        if not creating and not diffs:
            return
        try:
            incident.full_clean()
        except ValidationError as error:
            self.warn(parsed.line, error)
            return
        incident.save()
        self.record("create" if creating else "update", incident, parsed.line, None if creating else diffs)

    # The director's text.
    def director_note(self) -> None:
        report = self.report
        other = report.other_work
        if report.unparsed:
            kept = "\n".join(raw for _line, raw in report.unparsed)
            if UNPARSED_HEADING in other:  # re-importing an export: the kept lines continue its block
                other = other.rstrip() + "\n" + kept
            else:
                other = "\n\n".join(filter(None, [other, UNPARSED_HEADING + "\n" + kept]))
        values = {
            name: value
            for name, value in (
                ("highlights", report.highlights),
                ("other_work", other),
                ("reflections", report.reflections),
                ("next_week", report.next_week),
            )
            if value
        }
        note = DirectorNote.objects.filter(week_start=self.monday).first()
        creating = note is None
        note = note or DirectorNote(week_start=self.monday, author=self.user)
        diffs = _assign(note, values)
        if not creating and not diffs:
            return
        note.full_clean()
        note.save()
        self.record("create" if creating else "update", note, None, None if creating else diffs)

    def run(self) -> None:
        cycle = self.cycle()
        objectives = {o.code: self.objective(cycle, o.code, o.title, o.line) for o in self.report.objectives}
        for order, metric in enumerate(self.report.metrics):
            self.metric(cycle, metric, order)
        for parsed in self.report.objectives:
            for project in parsed.projects:
                self.project(objectives[parsed.code], project)
        for incident in self.report.incidents:
            self.incident(incident)
        self.director_note()


def report_apply(
    report: ParsedReport,
    *,
    owner=None,
    user=None,
    dry_run: bool = False,
    metrics_objective: str = DEFAULT_METRICS_OBJECTIVE,
) -> ImportResult:
    """Write ``report`` to the database (or, with ``dry_run``, only list what would change).

    All or nothing: an error leaves the database as it was. ``owner`` owns the projects the report
    creates; NoOwnerError is raised when one must be created and no owner was given.
    """
    applier = _Applier(report, owner=owner, user=user, metrics_objective=metrics_objective)
    # The report's facts are dated at its week's report moment, so that week's rollup shows them.
    with transaction.atomic(), recorded_at(min(report_cutoff(report.week), timezone.now())):
        applier.run()
        if dry_run:
            transaction.set_rollback(True)
    return ImportResult(
        week_code=report.week.code,
        report_date=report.report_date,
        changes=applier.changes,
        unparsed=list(report.unparsed),
        warnings=applier.warnings,
        dry_run=dry_run,
    )
