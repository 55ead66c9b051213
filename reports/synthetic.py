"""A large synthetic department for benchmarks: many projects, milestones, weeks of updates.

Rows are written with ``bulk_create`` in batches (no per-row services): the point is volume. Their
history is written in bulk too, dated week by week as if entered on each Friday afternoon, so past
weeks' rollups are rebuilt from history as they are in real use. Deterministic for a given seed.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from projects.models import (
    Cycle,
    Health,
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
from projects.weeks import Week

BATCH = 2000
HEALTHS = [Health.ON_TRACK] * 6 + [Health.AT_RISK] * 3 + [Health.OFF_TRACK]


@dataclass(frozen=True)
class SyntheticSize:
    projects: int
    weeks: int
    milestones_per_project: int = 10
    end_week: Week | None = None
    seed: int = 2023


def _batched(model, rows: list, say: Callable[[str], None], label: str) -> None:
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])
        say(f"{label}: {min(start + BATCH, len(rows))}/{len(rows)}")


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), timezone.get_current_timezone())


def _dated(obj, when: datetime):
    obj = copy.copy(obj)
    obj._history_date = when
    return obj


def _history_batched(model, rows: list, say: Callable[[str], None], label: str, *, update: bool = False) -> None:
    for start in range(0, len(rows), BATCH):
        model.history.bulk_history_create(rows[start : start + BATCH], batch_size=BATCH, update=update)
        say(f"history of {label}: {min(start + BATCH, len(rows))}/{len(rows)}")


def _write_history(*, key_results, readings, projects, milestones, updates, incidents, mondays, say) -> None:
    """Each row's history as if entered in the app: projects move with their weekly updates."""
    first = _at(mondays[0], 9)
    _history_batched(KeyResult, [_dated(kr, first) for kr in key_results], say, "key results")
    _history_batched(
        KeyResultReading, [_dated(r, _at(r.week_start + timedelta(days=4), 10)) for r in readings], say, "readings"
    )
    _history_batched(Project, [_dated(p, first) for p in projects], say, "projects")
    by_project: dict[int, list] = {}
    for update in updates:
        by_project.setdefault(update.project_id, []).append(update)
    states = []
    for project in projects:
        weekly = by_project.get(project.pk, [])
        for update in weekly:
            state = _dated(project, _at(update.week_start + timedelta(days=4), 16))
            if update is not weekly[-1]:
                state.percent, state.health = update.percent, update.health
            states.append(state)
    _history_batched(Project, states, say, "project changes", update=True)
    _history_batched(
        ProgressUpdate, [_dated(u, _at(u.week_start + timedelta(days=4), 16)) for u in updates], say, "updates"
    )
    planned = []
    for milestone in milestones:
        opened = _dated(milestone, first)
        if milestone.completed_on:
            opened.status, opened.percent, opened.completed_on = Milestone.Status.IN_PROGRESS, Decimal(50), None
        planned.append(opened)
    _history_batched(Milestone, planned, say, "milestones")
    done = [_dated(m, max(_at(m.completed_on, 16), first)) for m in milestones if m.completed_on]
    _history_batched(Milestone, done, say, "completed milestones", update=True)
    _history_batched(Incident, [_dated(i, i.detected_at) for i in incidents], say, "incidents")


@transaction.atomic
def generate(size: SyntheticSize, *, say: Callable[[str], None] = lambda _line: None) -> dict[str, int]:
    """Create the department ending at ``size.end_week`` (default: this week); returns row counts."""
    if size.projects < 1 or size.weeks < 1 or size.milestones_per_project < 0:
        raise ValueError("projects and weeks must be at least 1, milestones at least 0")
    rng = random.Random(size.seed)
    end = size.end_week or Week.current()
    mondays = [end.monday - timedelta(weeks=i) for i in range(size.weeks - 1, -1, -1)]
    cycle_start = max(mondays[0], end.monday - timedelta(weeks=51))
    tag = f"synthetic-{end.code}-{size.seed}"

    cycle = Cycle.objects.create(name=tag[:50], start=cycle_start, end=end.sunday)
    teams = [Team.objects.get_or_create(name=f"Synthetic team {i + 1}")[0] for i in range(6)]
    User = get_user_model()
    owner_count = max(3, size.projects // 10)
    User.objects.bulk_create(
        [User(username=f"{tag}-owner{i}", first_name="Owner", last_name=str(i)) for i in range(owner_count)],
        ignore_conflicts=True,
    )
    owners = list(User.objects.filter(username__startswith=f"{tag}-owner"))
    Group.objects.get(name="Project owners").user_set.add(*owners)
    say(f"cycle {cycle.name}, {len(teams)} teams, {len(owners)} owners")

    objectives = [
        Objective.objects.create(cycle=cycle, code=f"O{i + 1}", title=title, order=i + 1)
        for i, title in enumerate(["Serve the business", "System upgrades", "Safe, stable, efficient"])
    ]
    key_results = KeyResult.objects.bulk_create(
        [
            KeyResult(
                objective=objectives[i % 3],
                title=f"Metric {i + 1}",
                unit="%",
                start_value=Decimal("99.9"),
                target_value=Decimal("99.99"),
                direction=KeyResult.Direction.AT_LEAST,
                is_operating_metric=i < 4,
                order=i,
            )
            for i in range(9)
        ]
    )
    readings = [
        KeyResultReading(key_result=kr, week_start=m, value=Decimal("99.95") + Decimal(rng.randint(0, 50)) / 1000)
        for kr in key_results
        for m in mondays
    ]
    _batched(KeyResultReading, readings, say, "key result readings")

    start_day = mondays[0]
    projects = Project.objects.bulk_create(
        [
            Project(
                objective=objectives[i % 3],
                name=f"Synthetic project {i + 1}",
                owner=owners[i % len(owners)],
                team=teams[i % len(teams)],
                status=Project.Status.IN_PROGRESS,
                health=rng.choice(HEALTHS),
                percent=Decimal(rng.randint(5, 95)),
                start_date=start_day,
                qa_date=end.monday + timedelta(days=(qa_days := rng.randint(0, 60))),
                launch_date=end.monday + timedelta(days=max(qa_days, rng.randint(30, 120))),  # never before QA
                qa_date_baseline=end.monday + timedelta(days=rng.randint(-10, 30)),
                launch_date_baseline=end.monday + timedelta(days=rng.randint(20, 90)),
                is_key_work=i % 25 == 0,
                order=i,
            )
            for i in range(size.projects)
        ],
        batch_size=BATCH,
    )
    say(f"projects: {len(projects)}")
    changes = [
        PlannedDateChange(
            project=p,
            kind=PlannedDateChange.Kind.LAUNCH,
            old_date=p.launch_date_baseline,
            new_date=p.launch_date,
            changed_at=timezone.make_aware(datetime.combine(mondays[-1 - rng.randint(0, len(mondays) - 1)], time(10))),
        )
        for p in projects
        if p.launch_date > p.launch_date_baseline
    ]
    _batched(PlannedDateChange, changes, say, "planned date changes")

    milestones = []
    span = max(1, (end.sunday + timedelta(weeks=8) - start_day).days)
    for p in projects:
        for n in range(size.milestones_per_project):
            due = start_day + timedelta(days=span * (n + 1) // (size.milestones_per_project + 1))
            done = due < end.monday and rng.random() < 0.8
            milestones.append(
                Milestone(
                    project=p,
                    title=f"Step {n + 1}",
                    order=n + 1,
                    due_date=due,
                    status=Milestone.Status.DONE if done else Milestone.Status.IN_PROGRESS,
                    percent=Decimal(100) if done else Decimal(rng.randint(0, 90)),
                    completed_on=due + timedelta(days=rng.randint(-3, 5)) if done else None,
                )
            )
    _batched(Milestone, milestones, say, "milestones")

    updates = []
    for p in projects:
        final = int(p.percent)
        for w, monday in enumerate(mondays):
            if rng.random() < 0.08 and w != len(mondays) - 2:
                continue  # a missed week now and then
            percent = Decimal(final * (w + 1) // len(mondays))
            updates.append(
                ProgressUpdate(
                    project=p,
                    week_start=monday,
                    author=p.owner,
                    percent=percent,
                    health=rng.choice(HEALTHS),
                    summary=f"Week {Week.of(monday).code}: step {w % 7 + 1} moved on.",
                    next_steps=f"Continue with step {w % 7 + 2}.",
                    risks="Partner timing." if rng.random() < 0.2 else "",
                )
            )
    _batched(ProgressUpdate, updates, say, "progress updates")
    newest = ProgressUpdate.objects.filter(project=OuterRef("pk")).order_by("-week_start").values("pk")[:1]
    Project.objects.filter(pk__in=[p.pk for p in projects]).update(latest_update=Subquery(newest))

    tz = timezone.get_current_timezone()
    incidents = [
        Incident(
            title=f"Synthetic incident {i + 1}",
            detected_at=datetime.combine(monday + timedelta(days=rng.randint(0, 6)), time(rng.randint(0, 23)), tz),
            grade=rng.choice(["C", "D", "D", "event", "event"]),
            responsibility_share=rng.choice([Decimal("0.5"), Decimal(1)]),
            impact="Some payments were delayed.",
            handling="Restarted the service.",
            team=teams[i % len(teams)],
        )
        for i, monday in enumerate(m for m in mondays for _ in range(2))
    ]
    _batched(Incident, incidents, say, "incidents")
    _write_history(
        key_results=key_results,
        readings=readings,
        projects=projects,
        milestones=milestones,
        updates=updates,
        incidents=incidents,
        mondays=mondays,
        say=say,
    )
    return {
        "projects": len(projects),
        "milestones": len(milestones),
        "updates": len(updates),
        "readings": len(readings),
        "incidents": len(incidents),
        "weeks": len(mondays),
    }
