"""Load the demo data set (``projects.demo_data``) idempotently, writing through the services.

Each row is found by its natural key and only written when it differs from the data, so a second run
changes nothing (no new rows, no new history). Projects replay weeks 38..53 in order: planned dates
move in the week they slipped (recorded as PlannedDateChange by ``project_save``), milestones take
that week's state, then the week's update is saved with ``progress_update_save``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction

from reports.models import DirectorNote, NotificationPreference

from . import demo_data as data
from .history import recorded_at
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
    Team,
)
from .services import (
    incident_save,
    key_result_carry_over,
    key_result_record_reading,
    milestone_save,
    progress_update_save,
    project_carry_over,
    project_save,
)
from .weeks import JAN1, Week

TZ = ZoneInfo("Asia/Shanghai")  # the reports' times are the department's local times
KIND_FIELDS = {"qa": "qa_date", "launch": "launch_date"}
CARRIED = ("持续推进：", "按计划跟进：", "本周继续：")
DEMO_CYCLES = (data.CYCLE[0], data.NEXT_CYCLE[0])


def monday(week: int) -> date:
    """The Monday of a demo week (54 is the week after 2023's last: 2024-W01)."""
    return Week(data.YEAR, 1, JAN1).monday + timedelta(weeks=week - 1)


def friday(week: int) -> date:
    return monday(week) + timedelta(days=4)


def at(day: date, hour: int) -> datetime:
    """An aware datetime on ``day`` at ``hour`` o'clock, local time."""
    return datetime.combine(day, time(hour), tzinfo=TZ)


def sync(obj: Any, **values: Any) -> bool:
    """Set ``values`` on ``obj``; True when any of them differed."""
    changed = False
    for name, value in values.items():
        current = getattr(obj, f"{name}_id") if isinstance(value, models.Model) else getattr(obj, name)
        if current != (value.pk if isinstance(value, models.Model) else value):
            setattr(obj, name, value)
            changed = True
    return changed


def stepwise(path: dict[int, Any], week: int, default: Any) -> Any:
    """The value of the latest entry at or before ``week``."""
    keys = [w for w in path if w <= week]
    return path[max(keys)] if keys else default


def interpolate(path: dict[int, int], week: int) -> Decimal:
    """Percent at ``week`` on the straight lines between the given weeks, rounded to whole points."""
    weeks = sorted(path)
    if week <= weeks[0]:
        return Decimal(path[weeks[0]])
    if week >= weeks[-1]:
        return Decimal(path[weeks[-1]])
    after = next(w for w in weeks if w >= week)
    before = max(w for w in weeks if w <= week)
    if after == before:
        return Decimal(path[week])
    value = path[before] + (path[after] - path[before]) * (week - before) / (after - before)
    return Decimal(round(value))


class DemoDataError(Exception):
    """The database is not ready for the demo data (e.g. migrations not applied)."""


class DemoLoader:
    """Loads the demo data; ``say`` receives one progress line per step."""

    def __init__(self, say: Callable[[str], None]) -> None:
        self.say = say
        self.counts: Counter[str] = Counter()
        self.users: dict[str, Any] = {}
        self.teams: dict[str, Team] = {}
        self.objectives: dict[str, Objective] = {}
        self.projects: dict[str, Project] = {}
        self.key_results: dict[str, KeyResult] = {}
        self.milestones: dict[str, dict[str, Milestone]] = {}

    def count(self, model: str, created: bool, changed: bool = False) -> None:
        self.counts[f"{model}|{'created' if created else 'updated' if changed else 'unchanged'}"] += 1

    def step(self, label: str, model: str) -> None:
        done = {k.split("|", 1)[1]: v for k, v in self.counts.items() if k.startswith(f"{model}|")}
        parts = ", ".join(f"{n} {state}" for state, n in sorted(done.items()))
        self.say(f"{label}: {parts or 'nothing to do'}")

    @transaction.atomic
    def run(self) -> None:
        """Load everything in one transaction: on any error nothing is left half-saved."""
        groups = {u.group for u in data.USERS if u.group}
        missing = groups - set(Group.objects.filter(name__in=groups).values_list("name", flat=True))
        if missing:
            raise DemoDataError(f"Missing groups {sorted(missing)}: run `manage.py migrate` first.")
        self.load_users()
        # Every change is recorded at the moment it happened in the story, so each past week's
        # rollup shows the department as it was that Friday.
        with recorded_at(at(data.CYCLE[1], 9)):
            self.load_plan()
        self.load_key_results()
        for demo in data.PROJECTS:
            self.load_project(demo)
        self.load_incidents()
        self.load_notes()
        self.load_next_cycle()
        self.step("Projects", "project")
        self.step("Milestones", "milestone")
        self.step("Progress updates", "update")
        self.step("Planned-date changes", "date change")
        self.backdate()

    # ------------------------------------------------------------------ people and plan
    def load_users(self) -> None:
        User = get_user_model()
        for demo in data.USERS:
            user, created = User.objects.get_or_create(username=demo.username)
            changed = sync(
                user,
                first_name=demo.first_name,
                last_name=demo.last_name,
                email=f"{demo.username}@example.com",
                is_staff=True,
                is_superuser=demo.superuser,
                is_active=True,
            )
            if created or not user.check_password(demo.password):
                user.set_password(demo.password)
                changed = True
            if changed:
                user.full_clean()
                user.save()
            if demo.group and not user.groups.filter(name=demo.group).exists():
                user.groups.add(Group.objects.get(name=demo.group))
                changed = True
            _pref, pref_created = NotificationPreference.objects.get_or_create(
                user=user, defaults={"language": demo.language}
            )
            self.count("user", created, changed or pref_created)
            self.users[demo.username] = user
        self.step("Users", "user")

    def load_plan(self) -> None:
        for name, lead in data.TEAMS.items():
            team, created = Team.objects.get_or_create(name=name, defaults={"lead": self.users[lead]})
            changed = sync(team, lead=self.users[lead])
            if changed:
                team.save()
            self.count("team", created, changed)
            self.teams[name] = team
        self.step("Teams", "team")
        self.cycle = self.load_cycle(data.CYCLE)
        self.objectives = self.load_objectives(self.cycle)
        self.step("Cycle 2023 and objectives", "objective")

    def load_cycle(self, cycle: tuple[str, date, date]) -> Cycle:
        name, start, end = cycle
        row, _created = Cycle.objects.get_or_create(name=name, defaults={"start": start, "end": end})
        if sync(row, start=start, end=end):
            row.full_clean()
            row.save()
        return row

    def load_objectives(self, cycle: Cycle) -> dict[str, Objective]:
        objectives = {}
        for order, (code, (title, description)) in enumerate(data.OBJECTIVES.items(), start=1):
            objective = Objective.objects.filter(cycle=cycle, code=code).first()
            created = objective is None
            objective = objective or Objective(cycle=cycle, code=code)
            changed = sync(objective, title=title, description=description, owner=self.users["director"], order=order)
            if changed:
                objective.full_clean()
                objective.save()
            self.count("objective", created, changed)
            objectives[code] = objective
        return objectives

    def load_key_results(self) -> None:
        for order, demo in enumerate(data.KEY_RESULTS, start=1):
            objective = self.objectives[demo.objective]
            kr = KeyResult.objects.filter(objective__cycle__name__in=DEMO_CYCLES, title=demo.title).first()
            created = kr is None
            kr = kr or KeyResult(objective=objective, title=demo.title)
            changed = sync(
                kr,
                unit=demo.unit,
                start_value=Decimal(demo.start),
                target_value=Decimal(demo.target),
                direction=demo.direction,
                owner=self.users[demo.owner],
                is_operating_metric=demo.operating,
                order=order,
            )
            if changed:
                with recorded_at(at(data.CYCLE[1], 9)):
                    kr.full_clean()
                    kr.save()
            self.count("key result", created, changed)
            self.key_results[demo.title] = kr
            weeks = zip(range(data.FIRST_WEEK, data.LAST_WEEK + 1), demo.values, strict=True)
            for week, value in weeks:
                self.load_reading(kr, week, value, demo.notes.get(week, ""))
        self.step("Key results", "key result")
        self.step("Key result readings", "reading")

    def load_reading(self, kr: KeyResult, week: int, value: str, note: str) -> None:
        reading = KeyResultReading.objects.filter(key_result=kr, week_start=monday(week)).first()
        if reading and reading.value == Decimal(value) and reading.note == note:
            self.count("reading", False)
            return
        with recorded_at(at(friday(week), 10)):
            key_result_record_reading(
                key_result=kr, week_start=monday(week), value=Decimal(value), user=kr.owner, note=note
            )
        self.count("reading", reading is None, True)

    # ------------------------------------------------------------------ projects, week by week
    def load_project(self, demo: data.DemoProject) -> None:
        owner = self.users[demo.owner]
        objective = self.objectives[demo.objective]
        project = Project.objects.filter(objective__cycle__name__in=DEMO_CYCLES, name=demo.name).first()
        created = project is None
        if created:
            # The plan as it stood at the start; slips below move it week by week.
            project = Project(
                objective=objective, name=demo.name, qa_date=demo.qa, launch_date=demo.launch, status="in_progress"
            )
        order = [p.name for p in data.PROJECTS if p.objective == demo.objective].index(demo.name) + 1
        changed = sync(
            project,
            owner=owner,
            team=self.teams[demo.team],
            description=demo.description,
            start_date=demo.start,
            is_key_work=demo.key_work,
            order=order,
        )
        with recorded_at(at(monday(demo.first_week), 9)):
            if created or changed:
                project_save(project=project, user=owner)
            milestones = self.load_milestones(project, demo)
        self.count("project", created, changed)
        self.milestones[demo.name] = milestones
        last_week = min(demo.last_week, demo.done_week or data.LAST_WEEK)
        for week in range(demo.first_week, last_week + 1):
            self.load_week(project, demo, week)
        self.projects[demo.name] = project

    def load_week(self, project: Project, demo: data.DemoProject, week: int) -> None:
        """The week's slips, milestones and update, recorded that Friday afternoon (before the report)."""
        update = ProgressUpdate.objects.filter(project=project, week_start=monday(week)).first()
        with recorded_at(at(friday(week), 16)):
            self.apply_slips(project, demo, week)
            self.apply_week(project, demo, week, self.milestones[demo.name], update)
            if week == demo.done_week and project.status != Project.Status.DONE:
                project.status = Project.Status.DONE
                project_save(project=project, user=project.owner)

    def load_next_cycle(self) -> None:
        """2024-W01: the 2024 cycle starts; running projects and the metrics carry over and report again."""
        week = data.NEXT_CYCLE_WEEK
        with recorded_at(at(monday(week), 9)):
            cycle = self.load_cycle(data.NEXT_CYCLE)
            objectives = self.load_objectives(cycle)
            for kr in self.key_results.values():
                if kr.objective.cycle_id != cycle.pk:
                    key_result_carry_over(key_result=kr, objective=objectives[kr.objective.code])
            carried = [d for d in data.PROJECTS if d.done_week is None]
            for demo in carried:
                project = self.projects[demo.name]
                if project.objective.cycle_id != cycle.pk:
                    project_carry_over(project=project, objective=objectives[demo.objective], user=project.owner)
        for demo in data.KEY_RESULTS:
            value = data.NEXT_CYCLE_READINGS.get(demo.title, demo.values[-1])
            self.load_reading(self.key_results[demo.title], week, value, "")
        for demo in carried:
            if demo.last_week >= data.LAST_WEEK:  # stale projects stay stale
                self.load_week(self.projects[demo.name], demo, week)
        self.step("Cycle 2024: carried over", "objective")

    def load_milestones(self, project: Project, demo: data.DemoProject) -> dict[str, Milestone]:
        existing = {m.title: m for m in Milestone.objects.filter(project=project)}
        for order, demo_milestone in enumerate(demo.milestones, start=1):
            check_completion(demo, demo_milestone)
            milestone = existing.get(demo_milestone.title)
            created = milestone is None
            milestone = milestone or Milestone(title=demo_milestone.title)
            milestone.project = project  # the same instance, so refreshed progress lands on it
            if sync(milestone, order=order, due_date=demo_milestone.due) or created:
                milestone_save(milestone=milestone)
            self.count("milestone", created)
            existing[milestone.title] = milestone
        return existing

    def apply_slips(self, project: Project, demo: data.DemoProject, week: int) -> None:
        moved = False
        for slip_week, kind, new_date in demo.slips:
            if slip_week != week:
                continue
            if PlannedDateChange.objects.filter(project=project, kind=kind, new_date=new_date).exists():
                self.count("date change", False)
                continue
            setattr(project, KIND_FIELDS[kind], new_date)
            self.count("date change", True)
            moved = True
        if moved:  # a week's QA and launch moves together: launch never before QA in between
            project_save(project=project, user=project.owner)  # recorded that week (recorded_at)

    def apply_week(
        self,
        project: Project,
        demo: data.DemoProject,
        week: int,
        milestones: dict[str, Milestone],
        update: ProgressUpdate | None,
    ) -> None:
        states = {m.title: stepwise(m.path, week, ("not_started", 0)) for m in demo.milestones}
        if demo.milestones:
            percent = (Decimal(sum(p for _s, p in states.values())) / len(states)).quantize(Decimal("0.01"))
        else:
            percent = interpolate(demo.percent, week)
        summary, next_steps = stepwise(demo.notes, week, ("", ""))
        if week not in demo.notes and week != demo.done_week:
            # A quiet week repeats the latest news, worded a little differently each week.
            lead = CARRIED[week % len(CARRIED)]
            summary = f"{lead}{summary.rstrip('。')}，当前进度{percent.normalize():f}%。"
        wanted = {
            "percent": percent,
            "health": stepwise(demo.health, week, data.ON),
            "summary": summary,
            "next_steps": next_steps,
            "risks": stepwise(demo.risks, week, ""),
        }
        if update is not None and all(getattr(update, k) == v for k, v in wanted.items()):
            self.count("update", False)
            return
        for demo_milestone in demo.milestones:
            status, milestone_percent = states[demo_milestone.title]
            milestone = milestones[demo_milestone.title]
            completed_on = demo_milestone.completed_on if status == Milestone.Status.DONE else None
            if sync(milestone, status=status, percent=Decimal(milestone_percent), completed_on=completed_on):
                milestone_save(milestone=milestone)
        created = update is None
        update = update or ProgressUpdate(week_start=monday(week))
        update.project = project  # the same instance, so refreshed progress lands on it
        sync(update, **wanted)
        progress_update_save(update=update, author=project.owner)
        self.count("update", created, True)

    # ------------------------------------------------------------------ incidents and the director's notes
    def load_incidents(self) -> None:
        for demo in data.INCIDENTS:
            incident = Incident.objects.filter(title=demo.title).first()
            created = incident is None
            incident = incident or Incident(title=demo.title)
            changed = sync(
                incident,
                detected_at=demo.detected_at.replace(tzinfo=TZ),
                resolved_at=demo.resolved_at.replace(tzinfo=TZ) if demo.resolved_at else None,
                grade=demo.grade,
                responsibility_share=Decimal(demo.share),
                team=self.teams[demo.team],
                project=self.projects[demo.project] if demo.project else None,
                description=demo.description,
                impact=demo.impact,
                handling=demo.handling,
                follow_up=demo.follow_up,
                postmortem_done=demo.postmortem_done,
                reported_by=self.users[demo.reported_by],
            )
            if changed:
                with recorded_at(incident.detected_at):
                    incident_save(incident=incident)
            self.count("incident", created, changed)
        self.step("Incidents", "incident")

    def load_notes(self) -> None:
        for week, demo in data.NOTES.items():
            note = DirectorNote.objects.filter(week_start=monday(week)).first()
            created = note is None
            note = note or DirectorNote(week_start=monday(week))
            changed = sync(
                note,
                highlights=demo.highlights,
                other_work=demo.other_work,
                reflections=demo.reflections,
                next_week=demo.next_week,
                author=self.users["director"],
            )
            if changed:
                with recorded_at(at(friday(week), 15)):
                    note.full_clean()
                    note.save()
            self.count("director note", created, changed)
        self.step("Director's notes", "director note")

    def backdate(self) -> None:
        """Show updates and readings as written on the Friday of their week (their own timestamps)."""
        names = [p.name for p in data.PROJECTS]
        titles = [kr.title for kr in data.KEY_RESULTS]
        for week in range(data.FIRST_WEEK, data.NEXT_CYCLE_WEEK + 1):
            ProgressUpdate.objects.filter(week_start=monday(week), project__name__in=names).exclude(
                created_at=at(friday(week), 16)
            ).update(created_at=at(friday(week), 16), updated_at=at(friday(week), 16))
            KeyResultReading.objects.filter(week_start=monday(week), key_result__title__in=titles).exclude(
                recorded_at=at(friday(week), 10)
            ).update(recorded_at=at(friday(week), 10))


def check_completion(project: data.DemoProject, milestone: data.DemoMilestone) -> None:
    """A milestone's completion date must fall in the week its path marks it done."""
    done_weeks = [w for w, (status, _p) in milestone.path.items() if status == "done"]
    if not done_weeks:
        return
    week = Week(data.YEAR, min(done_weeks), JAN1)
    if not milestone.completed_on or not week.monday <= milestone.completed_on <= week.sunday:
        raise ValueError(f"{project.name} / {milestone.title}: completed_on must fall in week {week.number}.")
