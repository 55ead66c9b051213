"""Apply a parsed weekly report to the database, through the planning services.

``report_apply`` writes only what differs from what is stored, so importing the same report twice
changes nothing (no row, no field, no history entry). With ``dry_run`` it computes the same list of
changes inside a transaction that is rolled back.

Rules (see the README's "Weekly reports in and out"):

- A project's percent for the week: the percent the line writes; else the percent its numbered list
  implies; else 100 when a status word says done; else the percent reported before (never back to
  0), raised to the phase percent of its status word (``status.py``).
- A report older than a project's newest update writes that week's update only: it does not move
  today's plans, status or milestones.
- A week's numbered list is the project's milestone list: items are matched by name; open
  milestones the newest list no longer names are cancelled (superseded), not left overdue.
- Owners are matched by name (username, 刘洋 family-name-first, given names); an unknown name leaves
  the project without an owner and is listed in the summary.
- A new key result has no target; a below-grade event has no responsibility share unless written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects import services
from projects.history import recorded_at
from projects.models import (
    Cycle,
    Health,
    Incident,
    KeyResult,
    KeyResultReading,
    Milestone,
    Objective,
    ProgressUpdate,
    Project,
    ProjectAlias,
)
from projects.names import person_name
from reports.models import DirectorNote
from reports.rollup.cutoff import report_cutoff

from . import phrases
from .layout import layout_save
from .parser import ParsedIncident, ParsedMetric, ParsedMilestone, ParsedProject, ParsedReport
from .past import first_recorded_after, record_past_state

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
    unknown_owners: list[tuple[int, str]] = field(default_factory=list)


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


class UserNames:
    """Users by every name a report may use: username, 刘洋 (family name first), 洋刘, given name."""

    def __init__(self) -> None:
        self.by_name: dict[str, list] = {}
        for user in get_user_model().objects.filter(is_active=True).order_by("pk"):
            names = {
                user.get_username(),
                person_name(user),
                f"{user.first_name}{user.last_name}",
                f"{user.first_name} {user.last_name}".strip(),
                f"{user.last_name} {user.first_name}".strip(),
            }
            for name in names:
                key = phrases.normalise_name(name)
                if key:
                    self.by_name.setdefault(key, []).append(user)

    def find(self, name: str):
        """The one user of that name; None when nobody or several people have it."""
        found = self.by_name.get(phrases.normalise_name(name), [])
        unique = {user.pk: user for user in found}
        return next(iter(unique.values())) if len(unique) == 1 else None


class ProjectIndex:
    """Projects by name, per cycle, for matching report lines in constant time (a 3,000-line report
    used to compare every line with every project).

    Three keys, tried in this order: the exact name, the name without
    punctuation, the part before a comma or colon. Within a cycle the lowest id wins; other cycles
    are searched newest first.
    """

    def __init__(self, projects, aliases=()) -> None:
        self.by_cycle: dict[int, tuple[dict, dict, dict]] = {}
        self.cycle_start: dict[int, date] = {}
        for project in projects:
            self.add(project)
        self.aliases = {alias.name: alias.project for alias in aliases}

    def named(self, name: str) -> Project | None:
        """Called ``name`` now or before (an other name), newest cycle first: ``ProjectQuerySet.named``."""
        name = name.strip()
        hits = [names[0].get(name) for names in self.by_cycle.values()] + [self.aliases.get(name)]
        hits = [hit for hit in hits if hit is not None]
        return max(hits, key=lambda project: project.objective.cycle.start, default=None)

    def add(self, project: Project) -> None:
        cycle = project.objective.cycle
        self.cycle_start[cycle.pk] = cycle.start
        exact, plain, head = self.by_cycle.setdefault(cycle.pk, ({}, {}, {}))
        exact.setdefault(project.name, project)
        plain.setdefault(phrases.normalise_name(project.name), project)
        head.setdefault(phrases.normalise_name(phrases.split_name(project.name)[0]), project)

    def other_cycles(self, cycle_id: int) -> list[int]:
        others = [pk for pk in self.by_cycle if pk != cycle_id]
        return sorted(others, key=lambda pk: self.cycle_start[pk], reverse=True)

    def match(self, name: str, cycles: list[int]) -> Project | None:
        wanted = phrases.normalise_name(name)
        for position, key in enumerate((name, wanted, wanted)):
            for cycle_id in cycles:
                found = self.by_cycle.get(cycle_id, ({}, {}, {}))[position].get(key)
                if found is not None and found.objective.cycle_id == cycle_id:
                    return found
        return None


class _Applier:
    def __init__(self, report: ParsedReport, *, owner, user, metrics_objective: str, progress=None) -> None:
        self.report = report
        self.progress = progress
        self.week = report.week
        self.monday = report.week.monday
        self.owner = owner
        self.user = user
        self.metrics_objective = metrics_objective
        self.changes: list[Change] = []
        self.warnings: list[str] = list(report.warnings)
        self.unknown_owners: list[tuple[int, str]] = []
        self._projects: ProjectIndex | None = None
        self._users: UserNames | None = None
        # The report's moment: everything written is dated here (see report_apply).
        self.when = min(report_cutoff(report.week), timezone.now())

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

    # Metrics: operating data and readings stated under an objective.
    def find_key_result(self, cycle: Cycle, parsed: ParsedMetric) -> KeyResult | None:
        """This cycle's key result of that title (or keywords), else another cycle's: one series across years."""
        everything = list(KeyResult.objects.select_related("objective__cycle").order_by("-is_operating_metric", "pk"))
        wanted = [phrases.normalise_name(word) for word in parsed.keywords]
        for candidates in (
            [kr for kr in everything if kr.objective.cycle_id == cycle.pk],
            sorted(everything, key=lambda kr: kr.objective.cycle.start, reverse=True),
        ):
            exact = next((kr for kr in candidates if kr.title == parsed.title), None)
            found = exact or next(
                (kr for kr in candidates if wanted and any(w in phrases.normalise_name(kr.title) for w in wanted)), None
            )
            if found:
                return found
        return None

    def key_result_in_cycle(self, key_result: KeyResult, cycle: Cycle, parsed: ParsedMetric) -> None:
        """A metric of another cycle: carried over when this report is newer, else dated back to this week."""
        if key_result.objective.cycle_id == cycle.pk:
            if first_recorded_after(key_result, self.when):
                record_past_state(key_result, self.when, {}, user=self.user)
            return
        here = self.objective(cycle, key_result.objective.code)
        if key_result.objective.cycle.start < cycle.start:
            old = str(key_result.objective)
            services.key_result_carry_over(key_result=key_result, objective=here)
            self.record("update", key_result, parsed.line, {"objective": (old, str(here))})
        else:
            record_past_state(key_result, self.when, {"objective_id": here.pk}, user=self.user)

    def metric(self, cycle: Cycle, parsed: ParsedMetric, order: int) -> None:
        key_result = self.find_key_result(cycle, parsed)
        if key_result is not None:
            self.key_result_in_cycle(key_result, cycle, parsed)
        if key_result is None:
            direction = (
                KeyResult.Direction.AT_MOST if parsed.unit in LOWER_IS_BETTER_UNITS else KeyResult.Direction.AT_LEAST
            )
            operating = not parsed.objective
            key_result = KeyResult(
                objective=self.objective(cycle, parsed.objective or self.metrics_objective),
                title=parsed.title,
                unit=parsed.unit,
                start_value=parsed.value,
                target_value=None,  # nobody set one yet: no "below target" flag until someone does
                direction=direction if operating else KeyResult.Direction.INCREASE,
                is_operating_metric=operating,
                order=order,
            )
            key_result.full_clean()
            key_result.save()
            self.record("create", key_result, parsed.line)
        parsed.ref = key_result.pk
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
    def project_index(self) -> ProjectIndex:
        if self._projects is None:
            self._projects = ProjectIndex(
                Project.objects.select_related("objective__cycle").order_by("pk"),
                ProjectAlias.objects.select_related("project__objective__cycle").order_by("pk"),
            )
        return self._projects

    def find_project(self, name: str, cycle: Cycle) -> Project | None:
        """The project of that name or alias: this cycle's first, then the latest other cycle's."""
        index = self.project_index()
        found = index.match(name, [cycle.pk])
        if found is None:
            found = index.named(name)
        if found is None:
            found = index.match(name, index.other_cycles(cycle.pk))
        return found

    def find_owner(self, parsed: ParsedProject):
        if not parsed.owner_name:
            return self.owner
        if self._users is None:
            self._users = UserNames()
        user = self._users.find(parsed.owner_name)
        if user is None:
            self.unknown_owners.append((parsed.line, parsed.owner_name))
            self.warn(
                parsed.line,
                _("no user is called “%(name)s”: “%(project)s” is left without an owner.")
                % {"name": parsed.owner_name, "project": parsed.name},
            )
        return user

    def previous_percent(self, project: Project | None) -> Decimal | None:
        if project is None:
            return None
        earlier = (
            ProgressUpdate.objects.filter(project=project, week_start__lt=self.monday)
            .order_by("-week_start")
            .values_list("percent", flat=True)
            .first()
        )
        return earlier

    def week_percent(self, parsed: ParsedProject, previous: Decimal | None) -> Decimal:
        """The percent this week's line stands for (see the module docstring)."""
        if parsed.percent is not None:
            return parsed.percent
        if parsed.milestones:
            return parsed.implied_percent or Decimal(0)
        if parsed.status.done:
            return Decimal(100)
        candidates = [value for value in (previous, parsed.status.percent) if value is not None]
        return max(candidates) if candidates else Decimal(0)

    def project(self, objective: Objective, parsed: ParsedProject) -> None:
        project = self.find_project(parsed.name, objective.cycle)
        newest = (
            ProgressUpdate.objects.filter(project=project).order_by("-week_start").values_list("week_start", flat=True)
            if project
            else []
        )
        is_latest = project is None or not newest or newest[0] <= self.monday
        values: dict[str, Any] = {}
        if project is not None and project.objective.cycle_id != objective.cycle_id:
            self.project_in_cycle(project, objective, parsed, is_latest)
        if project is not None and not is_latest:
            self.past_project_state(project, objective, parsed)
        if is_latest and parsed.has_update:
            if parsed.qa_date:
                values["qa_date"] = parsed.qa_date
            if parsed.launch_date:
                values["launch_date"] = parsed.launch_date
            reading = parsed.status
            if reading.status:
                values["status"] = reading.status
            elif project is not None and project.status == Project.Status.PLANNED:
                values["status"] = Project.Status.IN_PROGRESS
        if is_latest:
            self.earlier_plans(project, parsed, values)
        if project is None:
            owner = self.find_owner(parsed)
            project = Project(objective=objective, name=parsed.name, owner=owner, description=parsed.group)
            first = {
                name.removeprefix("_first_"): values.pop(name) for name in list(values) if name.startswith("_first_")
            }
            _assign(project, {**values, **first})
            try:
                services.project_save(project=project, user=self.user)
                if first and _assign(project, {name: values[name] for name in first}):
                    services.project_save(project=project, user=self.user)
            except ValidationError as error:
                self.warn(parsed.line, error)
                return
            self.project_index().add(project)
            self.record("create", project, parsed.line)
        else:
            if parsed.owner_name and is_latest:
                owner = self.find_owner(parsed)
                if owner is not None:
                    values["owner"] = owner
            before = {name: getattr(project, name) for name in values}
            diffs = _assign(project, values)
            if diffs:
                try:
                    services.project_save(project=project, user=self.user)
                    self.record("update", project, parsed.line, diffs)
                except ValidationError as error:
                    _assign(project, before)
                    self.warn(parsed.line, error)
        parsed.ref = project.pk
        if is_latest:
            self.milestones(project, parsed)
        if parsed.has_update:
            self.update(project, parsed, is_latest)

    def project_in_cycle(self, project: Project, objective: Objective, parsed: ParsedProject, is_latest: bool) -> None:
        """A project of another cycle named here: carried over to this cycle when this report is newer."""
        if is_latest and project.objective.cycle.start < objective.cycle.start:
            old = str(project.objective)
            try:
                services.project_carry_over(project=project, objective=objective, user=self.user)
            except ValidationError as error:
                self.warn(parsed.line, error)
                return
            self.project_index().add(project)  # found in this cycle from now on
            self.record("update", project, parsed.line, {"objective": (old, str(objective))})

    def past_project_state(self, project: Project, objective: Objective, parsed: ParsedProject) -> None:
        """An older week's line: that week reads the project as the line says; today's row stays."""
        values: dict[str, Any] = {"objective_id": objective.pk}
        if parsed.has_update:
            values["percent"] = self.week_percent(parsed, self.previous_percent(project))
            values["health"] = parsed.status.health or Health.ON_TRACK
            if parsed.status.status:
                values["status"] = parsed.status.status
            if parsed.qa_date:
                values["qa_date"] = parsed.qa_date
            if parsed.launch_date:
                values["launch_date"] = parsed.launch_date
        if record_past_state(project, self.when, values, user=self.user):
            self.record("update", project, parsed.line, {"as of": ("", self.report.week.code)})

    def earlier_plans(self, project: Project | None, parsed: ParsedProject, values: dict[str, Any]) -> None:
        """ "预计1/10 → 1/17上线" on a project with no such date yet: plan 1/10 first, so the move is recorded."""
        earlier = {}
        for kind, old in parsed.moved_from.items():
            name = "qa_date" if kind == "qa" else "launch_date"
            if old and name in values and (project is None or getattr(project, name) is None):
                earlier[name] = old
        if not earlier:
            return
        if project is None:  # created with the earlier plan, then moved below
            values.update({f"_first_{name}": old for name, old in earlier.items()})
            return
        _assign(project, earlier)
        services.project_save(project=project, user=self.user)

    def milestones(self, project: Project, parsed: ParsedProject) -> None:
        existing = list(project.milestones.all())
        listed: set[int] = set()
        for item in parsed.milestones:
            milestone = self.milestone(project, item, existing, listed)
            if milestone is not None:
                listed.add(milestone.pk)
        if not parsed.milestones:
            return
        for milestone in existing:  # the week's list replaces the earlier one
            if milestone.pk in listed or milestone.status in (Milestone.Status.DONE, Milestone.Status.CANCELLED):
                continue
            milestone.status = Milestone.Status.CANCELLED
            services.milestone_save(milestone=milestone)
            self.record("update", milestone, parsed.line, {"status": ("open", Milestone.Status.CANCELLED)})
            self.warn(
                parsed.line,
                _("milestone “%(title)s” of “%(project)s” is no longer listed: marked cancelled.")
                % {"title": milestone.title, "project": project.name},
            )

    def milestone(
        self, project: Project, parsed: ParsedMilestone, existing: list[Milestone], listed: set[int]
    ) -> Milestone | None:
        wanted = phrases.normalise_name(parsed.title)
        milestone = next(
            (m for m in existing if m.pk not in listed and phrases.normalise_name(m.title) == wanted), None
        ) or next(
            (
                m
                for m in existing
                if m.pk not in listed
                and min(len(wanted), len(phrases.normalise_name(m.title))) >= 4
                and (wanted in phrases.normalise_name(m.title) or phrases.normalise_name(m.title) in wanted)
            ),
            None,
        )
        creating = milestone is None
        milestone = milestone or Milestone(project=project, title=parsed.title, order=parsed.number)
        values: dict[str, Any] = {"status": parsed.status}
        if parsed.status == Milestone.Status.DONE:
            values["percent"] = Decimal(100)
            values["completed_on"] = milestone.completed_on or self.report.report_date
        elif parsed.percent is not None:
            values["percent"] = parsed.percent
        elif parsed.phase_percent is not None and parsed.phase_percent > milestone.percent:
            values["percent"] = parsed.phase_percent
        if parsed.status != Milestone.Status.DONE and milestone.completed_on:
            values["completed_on"] = None
        if parsed.due_date:
            values["due_date"] = parsed.due_date
        before = {name: getattr(milestone, name) for name in values}
        diffs = _assign(milestone, values)
        if not creating and not diffs:
            return milestone
        try:
            services.milestone_save(milestone=milestone)
        except ValidationError as error:
            _assign(milestone, before)
            self.warn(parsed.line, error)
            return None if creating else milestone
        self.record("create" if creating else "update", milestone, parsed.line, None if creating else diffs)
        return milestone

    def update(self, project: Project, parsed: ParsedProject, is_latest: bool) -> None:
        update = ProgressUpdate.objects.filter(project=project, week_start=self.monday).first()
        creating = update is None
        percent = self.week_percent(parsed, self.previous_percent(project))
        health = parsed.status.health or Health.ON_TRACK
        update = update or ProgressUpdate(project=project, week_start=self.monday, author=self.user)
        diffs = _assign(update, {"summary": parsed.note, "percent": percent, "health": health})
        if not creating and not diffs:
            return
        try:
            if is_latest:
                services.progress_update_save(update=update)
            else:
                # An older week: its own list's percent, not today's milestones (which the service derives).
                update.full_clean()
                update.save()
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
        values: dict[str, Any] = {
            name: getattr(parsed, name)
            for name in ("description", "impact", "handling", "follow_up")
            if getattr(parsed, name)
        }
        # The export writes "title，description" when the description does not start with the title.
        if not creating and values.get("description") == f"{incident.title}，{incident.description}":
            del values["description"]
        values["grade"] = parsed.grade or Incident.Grade.EVENT
        if parsed.share is not None:
            values["responsibility_share"] = parsed.share
        elif creating:
            # Graded without a written share: the department's whole; an event: none unless written.
            values["responsibility_share"] = Decimal(1) if parsed.grade else None
        if parsed.postmortem_done:
            values["postmortem_done"] = True
        if parsed.resolved_time:
            resolved = datetime.combine(parsed.detected_on, parsed.resolved_time, tzinfo=tz)
            if resolved >= detected:
                values["resolved_at"] = resolved
        diffs = _assign(incident, values)
        parsed.ref = incident.pk
        if not creating and not diffs:
            return
        try:
            incident.full_clean()
        except ValidationError as error:
            self.warn(parsed.line, error)
            return
        incident.save()
        parsed.ref = incident.pk
        self.record("create" if creating else "update", incident, parsed.line, None if creating else diffs)

    # The director's text.
    def director_note(self) -> None:
        report = self.report
        values = {
            name: value
            for name, value in (
                ("highlights", report.highlights),
                ("other_work", report.other_work),
                ("reflections", report.reflections),
                ("next_week", report.next_week),
            )
            if value
        }
        note = DirectorNote.objects.filter(week_start=self.monday).first()
        creating = note is None
        if creating and not values:
            return
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
        total = sum(len(parsed.projects) for parsed in self.report.objectives)
        done = 0
        for parsed in self.report.objectives:
            for project in parsed.projects:
                self.project(objectives[parsed.code], project)
                done += 1
                if self.progress is not None and (done % 25 == 0 or done == total):
                    self.progress(done, total)
        for incident in self.report.incidents:
            self.incident(incident)
        self.director_note()
        layout_save(self.report)  # presentation only: not counted as a change of the week's data


def report_apply(
    report: ParsedReport,
    *,
    owner=None,
    user=None,
    dry_run: bool = False,
    metrics_objective: str = DEFAULT_METRICS_OBJECTIVE,
    progress=None,
) -> ImportResult:
    """Write ``report`` to the database (or, with ``dry_run``, only list what would change).

    All or nothing: an error leaves the database as it was. ``owner`` (optional) owns the projects
    the report creates without naming an owner; otherwise they have none until someone is named.
    ``progress(done, total)``, if given, is called as project lines are done.
    """
    applier = _Applier(report, owner=owner, user=user, metrics_objective=metrics_objective, progress=progress)
    # The report's facts are dated at its week's report moment, so that week's rollup shows them.
    with transaction.atomic(), recorded_at(applier.when):
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
        unknown_owners=applier.unknown_owners,
    )
