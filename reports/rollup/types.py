"""The rollup's shape, declared once: what ``build_rollup`` returns and ``read_week`` reads back.

The builder is annotated with these types; the API documents them (``reports.api_schema`` turns them
into the OpenAPI components ``Rollup``, ``RollupProjectLine``, ``RollupIncidentLine`` …), and the tests
check real builder output, live and frozen, against that schema. Keys only present on some data are
``NotRequired``: ``frozen_at`` and ``compiled_on_time`` appear on frozen data; ``as_of``, ``cutoff`` and
``period_start`` are missing from snapshots frozen by version 1 of the builder.

Values are JSON types only. ``IsoDate`` / ``IsoDateTime`` are ISO strings, ``DecimalString`` an exact
decimal as a string without trailing zeros ("99.997", "1.5"); choice fields hold the model's codes.
No ``from __future__ import annotations`` here: Python 3.11 only sees ``NotRequired`` when the
annotations are evaluated, and classes are declared before they are used.
"""

from typing import Annotated, Literal, NotRequired, TypedDict, get_args

from projects.models import Health, Incident, KeyResult, Milestone, Project


class Format(str):
    """A string format (OpenAPI ``format``) carried in ``Annotated`` metadata."""


class AsMap:
    """``Annotated`` metadata: document this TypedDict as a map from its (required) keys to its one value
    type, so clients read ``counts["CD"]``. For keys a generated client cannot turn into attributes:
    openapi-python-client 0.29 breaks on a property named ``D`` (its ``from_dict`` keeps the data in a
    variable ``d``)."""


IsoDate = Annotated[str, Format("date")]
IsoDateTime = Annotated[str, Format("date-time")]
DecimalString = Annotated[str, Format("decimal")]
Numbering = Literal["jan1", "iso"]
NUMBERINGS: tuple[str, ...] = get_args(Numbering)
ProgressSource = Literal["key_results", "projects", "none"]


class WeekInfo(TypedDict):
    code: str
    numbering: Numbering
    year: int
    number: int
    label_zh: str
    label_en: str
    other_numbering: Numbering
    other_code: str
    monday: IsoDate
    friday: IsoDate
    sunday: IsoDate
    previous_code: str
    next_code: str
    is_current: bool


class CycleInfo(TypedDict):
    id: int
    name: str
    start: IsoDate
    end: IsoDate


class TrendPoint(TypedDict):
    week: str
    value: float | None


class KeyResultLine(TypedDict):
    id: int
    title: str
    objective_code: str
    unit: str
    direction: KeyResult.Direction
    is_operating_metric: bool
    value: DecimalString | None
    previous: DecimalString | None
    change: DecimalString | None
    start: DecimalString
    target: DecimalString
    on_target: bool | None
    progress: float
    weight: float
    trend: list[TrendPoint]


class UpdateText(TypedDict):
    summary: str
    next_steps: str
    risks: str
    author: str


class NextMilestone(TypedDict):
    title: str
    due_date: IsoDate | None


class ProjectMilestone(TypedDict):
    id: int
    title: str
    order: int
    status: Milestone.Status
    percent: float
    due_date: IsoDate | None
    completed_on: IsoDate | None
    is_overdue: bool


class DateSlip(TypedDict):
    """A planned date against its first plan: days later (+) and how often it moved."""

    date: IsoDate | None
    baseline: IsoDate | None
    days: int
    times: int
    slipped: bool


class ProjectLine(TypedDict):
    """One project as the week's report shows it."""

    id: int
    name: str
    objective_code: str
    owner_id: int | None  # None: an imported project whose owner was not found
    owner: str
    team_id: int | None
    team: str
    status: Project.Status
    health: Health
    previous_health: Health | None
    percent: float
    previous_percent: float | None
    change_points: float | None
    is_key_work: bool
    is_stale: bool
    done_earlier: bool
    changed: bool
    update: UpdateText | None
    planned: str
    next_milestone: NextMilestone | None
    milestones: list[ProjectMilestone]
    qa: DateSlip
    launch: DateSlip
    slipped: bool
    dates_moved_this_week: NotRequired[int]  # QA/launch moves in the report's period; older snapshots lack it
    trend: list[TrendPoint]


class MilestoneItem(TypedDict):
    id: int
    title: str
    project_id: int
    project_name: str
    due_date: IsoDate | None
    completed_on: IsoDate | None
    status: Milestone.Status
    percent: float


class MilestoneLists(TypedDict):
    completed: list[MilestoneItem]
    due_next_week: list[MilestoneItem]
    overdue: list[MilestoneItem]


class ChartPoint(TypedDict):
    week: str
    percent: float | None


class ObjectiveLine(TypedDict):
    id: int
    code: str
    title: str
    progress: float
    progress_source: ProgressSource
    key_results: list[KeyResultLine]
    projects: list[ProjectLine]
    project_count: int
    stale_count: int
    milestones: MilestoneLists
    chart: list[ChartPoint]


class GradeCounts(TypedDict):
    """Incidents by grade, responsibility shares summed (0.5 is common)."""

    A: DecimalString
    B: DecimalString
    C: DecimalString
    D: DecimalString
    AB: DecimalString
    CD: DecimalString
    total: DecimalString


class IncidentCounts(TypedDict):
    week: Annotated[GradeCounts, AsMap]
    ytd: Annotated[GradeCounts, AsMap]
    week_incidents: int
    ytd_incidents: int
    year_start: IsoDate


class IncidentLine(TypedDict):
    """A production incident of the report's period."""

    id: int
    detected_at: IsoDateTime
    resolved_at: IsoDateTime | None
    grade: Incident.Grade
    title: str
    description: str
    impact: str
    handling: str
    follow_up: str
    share: DecimalString
    project: str
    team: str
    postmortem_done: bool


class KeyWork(TypedDict):
    highlights: str
    projects: list[ProjectLine]


class NextStep(TypedDict):
    project_id: int
    project: str
    owner: str
    text: str


class IdName(TypedDict):
    id: int
    name: str


class FilterOptions(TypedDict):
    teams: list[IdName]
    owners: list[IdName]
    objectives: list[str]
    health: list[Health]


class AppliedFilters(TypedDict):
    team: int | None
    owner: int | None
    objective: str | None
    health: Health | None
    changes_only: bool


class Stats(TypedDict):
    projects: int
    stale: int
    changed: int
    incidents: int


class Rollup(TypedDict):
    """A week's rollup: objectives with their projects, metrics, incidents and the director's text."""

    version: int
    compiled_at: IsoDateTime
    as_of: NotRequired[IsoDateTime]
    cutoff: NotRequired[IsoDateTime]
    period_start: NotRequired[IsoDateTime]
    frozen: bool
    frozen_at: NotRequired[IsoDateTime]
    compiled_on_time: NotRequired[bool]
    week: WeekInfo
    cycle: CycleInfo | None
    key_work: KeyWork
    metrics: list[KeyResultLine]
    incident_counts: IncidentCounts
    objectives: list[ObjectiveLine]
    incidents: list[IncidentLine]
    other_work: str
    reflections: str
    next_week: str
    next_steps: list[NextStep]
    filter_options: FilterOptions
    filters: AppliedFilters
    stats: Stats
