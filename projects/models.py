"""The planning domain: cycles, objectives, key results, projects, milestones, updates, incidents."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from . import history, querysets
from .weeks import FIRST_YEAR, LAST_YEAR, Week

HUNDRED = Decimal(100)
PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]


# Free text (a week's summary, an incident's handling …) is carried by every page and digest: bounded.
TEXT_MAX_LENGTH = 10_000


def text_field(verbose_name, **kwargs) -> models.TextField:
    """A free-text field of at most ``TEXT_MAX_LENGTH`` characters (forms, API and ``full_clean``)."""
    return models.TextField(
        verbose_name, max_length=TEXT_MAX_LENGTH, validators=[MaxLengthValidator(TEXT_MAX_LENGTH)], **kwargs
    )


def validate_one_line(value: str) -> None:
    """One-line fields (names, titles) hold no control characters: one record is one report line."""
    if any(unicodedata.category(char) in ("Cc", "Zl", "Zp") for char in value or ""):
        raise ValidationError(
            _("Use a single line without line breaks, tabs or other control characters."), code="one_line"
        )


def validate_positive(value) -> None:
    if value is not None and value <= 0:
        raise ValidationError(_("Weight must be greater than zero."), code="not_positive")


def weight_field() -> models.DecimalField:
    return models.DecimalField(_("weight"), max_digits=6, decimal_places=2, default=1, validators=[validate_positive])


def percent_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=5, decimal_places=2, default=0, validators=PERCENT_VALIDATORS, **kwargs
    )


def percent_between_0_and_100(field: str, prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 0, f"{field}__lte": 100}),
        name=f"%(app_label)s_%(class)s_{prefix}_0_100",
        violation_error_message=_("Percent must be between 0 and 100."),
    )


def positive_weight() -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(weight__gt=0),
        name="%(app_label)s_%(class)s_weight_positive",
        violation_error_message=_("Weight must be greater than zero."),
    )


def is_monday(field: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__iso_week_day": 1}),
        name=f"%(app_label)s_%(class)s_{field}_monday",
        violation_error_message=_("A week is stored by its Monday."),
    )


class Health(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")


class Team(models.Model):
    """A group in the department (e.g. the payments core team); projects and objectives belong to one."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("lead"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Cycle(models.Model):
    """An OKR period such as "2023" or "2024 H1"."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))

    class Meta:
        ordering = ["-start"]
        verbose_name = _("OKR cycle")
        verbose_name_plural = _("OKR cycles")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")),
                name="%(app_label)s_%(class)s_end_after_start",
                violation_error_message=_("A cycle must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, day) -> bool:
        return self.start <= day <= self.end


class Objective(models.Model):
    """One of the department's objectives of a cycle (O1 serve the business, …)."""

    cycle = models.ForeignKey(Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="objectives")
    code = models.CharField(_("code"), max_length=10, help_text=_("Short code such as O1."))
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    description = text_field(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("aligned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    history = HistoricalRecords()

    objects = querysets.VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["cycle", "order", "code"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "code"],
                name="%(app_label)s_%(class)s_unique_code_per_cycle",
                violation_error_message=_("This cycle already has an objective with this code."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class KeyResult(models.Model):
    """A measurable result of an objective: a start, a target and a weekly series of readings."""

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Increase to target")
        DECREASE = "decrease", _("Decrease to target")
        AT_LEAST = "at_least", _("Stay at or above target")
        AT_MOST = "at_most", _("Stay at or below target")

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="key_results"
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True, blank=True, on_delete=models.SET_NULL
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. %, minutes, incidents"))
    start_value = models.DecimalField(_("start value"), max_digits=14, decimal_places=4, default=0)
    target_value = models.DecimalField(
        _("target value"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Empty until someone sets it: a key result without a target is never flagged as missing it."),
    )
    current_value = models.DecimalField(
        _("current value"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Follows the latest reading."),
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction, default=Direction.INCREASE)
    weight = weight_field()
    is_operating_metric = models.BooleanField(
        _("operating metric"),
        default=False,
        help_text=_("Shown under system operating data in the weekly rollup."),
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    history = HistoricalRecords()

    objects = querysets.VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["objective__order", "order", "pk"]
        verbose_name = _("key result")
        verbose_name_plural = _("key results")
        constraints = [positive_weight()]

    def __str__(self) -> str:
        return self.title

    def is_on_target(self, value: Decimal | None = None) -> bool | None:
        """Whether ``value`` (default: the current value) meets the target; None when unknown."""
        value = self.current_value if value is None else value
        if value is None or self.target_value is None:
            return None
        if self.direction in (self.Direction.INCREASE, self.Direction.AT_LEAST):
            return value >= self.target_value
        return value <= self.target_value

    def progress(self, value: Decimal | None = None) -> Decimal:
        """Percent of the way from start to target (0-100); a met target is 100."""
        value = self.current_value if value is None else value
        if value is None or self.target_value is None:
            return Decimal(0)
        if self.is_on_target(value):
            return HUNDRED
        span = self.target_value - self.start_value
        if span == 0:
            return Decimal(0)
        fraction = (value - self.start_value) / span
        return max(Decimal(0), min(HUNDRED, (fraction * HUNDRED).quantize(Decimal("0.01"))))


class KeyResultReading(models.Model):
    """One week's measured value of a key result (e.g. pay-in success rate 99.997)."""

    key_result = models.ForeignKey(
        KeyResult, verbose_name=_("key result"), on_delete=models.CASCADE, related_name="readings"
    )
    week_start = models.DateField(_("week (Monday)"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    objects = querysets.VisibleQuerySet.as_manager()

    class Meta:
        ordering = ["key_result", "-week_start"]
        verbose_name = _("key result reading")
        verbose_name_plural = _("key result readings")
        constraints = [
            models.UniqueConstraint(
                fields=["key_result", "week_start"],
                name="%(app_label)s_%(class)s_one_per_week",
                violation_error_message=_("This key result already has a reading for this week."),
            ),
            is_monday("week_start"),
        ]
        # The rollup reads this week's and last week's readings of every metric.
        indexes = [models.Index(fields=["week_start", "key_result"], name="projects_reading_week_idx")]

    def __str__(self) -> str:
        return f"{self.key_result} {Week.of(self.week_start)}: {self.value}"

    def clean(self) -> None:
        validate_report_week(self.week_start)


def validate_report_week(day: date | None) -> None:
    """The weeks anything may be reported for: within ``Week.parse``'s years, and not ahead of this one."""
    if day is None:
        return
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError(
            {"week_start": _("Weeks from %(first)s to %(last)s only.") % {"first": FIRST_YEAR, "last": LAST_YEAR}}
        )
    if day > timezone.localdate():
        raise ValidationError({"week_start": _("You cannot report on a future week.")})


class Project(models.Model):
    """A piece of work under an objective, with an owner who reports on it weekly."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        ON_HOLD = "on_hold", _("On hold")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE_STATUSES = (Status.PLANNED, Status.IN_PROGRESS, Status.ON_HOLD)

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.PROTECT, related_name="projects"
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    description = text_field(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        help_text=_("Empty when nobody is named yet (e.g. an imported report did not say)."),
    )
    team = models.ForeignKey(
        Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL, related_name="projects"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.IN_PROGRESS)
    health = models.CharField(_("health"), max_length=10, choices=Health, default=Health.ON_TRACK)
    percent = percent_field(
        _("progress %"),
        help_text=_("Derived from the milestones when the project has any; otherwise from the latest update."),
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    qa_date = models.DateField(_("QA date (提测)"), null=True, blank=True)
    launch_date = models.DateField(_("launch date (上线)"), null=True, blank=True)
    qa_date_baseline = models.DateField(_("first planned QA date"), null=True, blank=True, editable=False)
    launch_date_baseline = models.DateField(_("first planned launch date"), null=True, blank=True, editable=False)
    is_key_work = models.BooleanField(_("key work"), default=False, help_text=_("Listed under key work."))
    order = models.PositiveSmallIntegerField(_("display order"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Optimistic concurrency: every save through the services adds one; a form or API client that
    # read an older version gets a conflict instead of silently reverting someone else's change.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # Kept by services.project_refresh_progress, so lists read the latest update with a join
    # instead of searching every project's history of updates.
    latest_update = models.ForeignKey(
        "ProgressUpdate",
        verbose_name=_("latest update"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = querysets.ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["objective__order", "objective__code", "order", "name"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            percent_between_0_and_100("percent", "percent"),
            models.CheckConstraint(
                condition=Q(qa_date__isnull=True) | Q(start_date__isnull=True) | Q(qa_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_qa_after_start",
                violation_error_message=_("The QA date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(launch_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(launch_date__gte=F("start_date")),
                name="%(app_label)s_%(class)s_launch_after_start",
                violation_error_message=_("The launch date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(launch_date__isnull=True) | Q(qa_date__isnull=True) | Q(launch_date__gte=F("qa_date")),
                name="%(app_label)s_%(class)s_launch_after_qa",
                violation_error_message=_("The launch date cannot be before the QA date."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {
            field: _("This date cannot be before the start date (%(start)s).") % {"start": self.start_date}
            for field in ("qa_date", "launch_date")
            if self.start_date and getattr(self, field) and getattr(self, field) < self.start_date
        }
        if self.qa_date and self.launch_date and self.launch_date < self.qa_date and "launch_date" not in errors:
            errors["launch_date"] = _("The launch date cannot be before the QA date (%(qa)s).") % {"qa": self.qa_date}
        if errors:
            raise ValidationError(errors)

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    def is_stale(self, *, has_update: bool) -> bool:
        """The one rule for "stale": an active project without an update for the week.

        ``ProjectQuerySet.stale_for`` is the same rule in SQL.
        """
        return self.is_active and not has_update


class ProjectAlias(models.Model):
    """Another name a project went by (机房双活 for 支付系统双活), so reports and searches still find it."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(
        _("name"),
        max_length=200,
        unique=True,
        validators=[validate_one_line],
        error_messages={"unique": _("Another project already goes by this name.")},
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("other name")
        verbose_name_plural = _("other names")

    def __str__(self) -> str:
        return self.name


class PlannedDateChange(models.Model):
    """A QA or launch date that moved: the earlier plan, the new one, who moved it and when."""

    class Kind(models.TextChoices):
        QA = "qa", _("QA date")
        LAUNCH = "launch", _("Launch date")

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="date_changes"
    )
    kind = models.CharField(_("which date"), max_length=6, choices=Kind)
    old_date = models.DateField(_("old date"))
    new_date = models.DateField(_("new date"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    changed_at = models.DateTimeField(_("changed at"), default=history.now)

    class Meta:
        ordering = ["project", "-changed_at"]
        verbose_name = _("planned date change")
        verbose_name_plural = _("planned date changes")

    def __str__(self) -> str:
        return f"{self.project}: {self.get_kind_display()} {self.old_date} → {self.new_date}"

    @property
    def days_moved(self) -> int | None:
        return (self.new_date - self.old_date).days if self.new_date else None


class Milestone(models.Model):
    """A numbered step of a project (POS acquiring has seven) with a weight toward its progress."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        BLOCKED = "blocked", _("Blocked")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="milestones",
        help_text=_("Leave empty for the project's owner."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    weight = weight_field()
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status, default=Status.NOT_STARTED)
    percent = percent_field(_("progress %"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = querysets.MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["project", "order", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            percent_between_0_and_100("percent", "percent"),
            positive_weight(),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(percent=100, completed_on__isnull=False),
                name="%(app_label)s_%(class)s_done_is_complete",
                violation_error_message=_("A done milestone is 100%% complete and has a completion date."),
            ),
        ]
        # The rollup asks for milestones due or completed in a date range; the project lists for each
        # project's next milestone (its open ones in ``UPCOMING`` order, the first of them).
        indexes = [
            models.Index(fields=["due_date"], name="projects_milestone_due_idx"),
            models.Index(fields=["completed_on"], name="projects_milestone_done_idx"),
            models.Index(
                fields=["project", "due_date", "order", "id"],
                condition=~Q(status__in=["done", "cancelled"]),
                name="projects_milestone_next_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self._complete_if_done()
        super().save(*args, **kwargs)

    def _complete_if_done(self) -> None:
        # A milestone marked done is complete by definition; record when if nobody did.
        if self.status == self.Status.DONE:
            self.percent = HUNDRED
            self.completed_on = self.completed_on or timezone.localdate(history.now())

    def is_open_on(self, day: date) -> bool:
        return milestone_is_open_on(self, day)

    def is_overdue_on(self, day: date) -> bool:
        return milestone_is_overdue_on(self, day)

    def clean(self) -> None:
        self._complete_if_done()
        start = self.project.start_date if self.project_id else None
        if self.due_date and start and self.due_date < start:
            raise ValidationError(
                {"due_date": _("The due date cannot be before the project's start (%(start)s).") % {"start": start}}
            )


# The milestone rules, for model instances and for the light rows the rollup reads (anything with
# status, completed_on, due_date, order and id). One definition each; the querysets say the same in SQL.


def milestone_is_open_on(milestone, day: date) -> bool:
    """Still to do at the end of ``day``: not cancelled, not completed by then (``MilestoneQuerySet.open``)."""
    if milestone.status == Milestone.Status.CANCELLED:
        return False
    if milestone.completed_on is not None:
        return milestone.completed_on > day
    return milestone.status != Milestone.Status.DONE


def milestone_is_overdue_on(milestone, day: date) -> bool:
    """Open on ``day`` with a due date before it (``MilestoneQuerySet.overdue_on``)."""
    return bool(milestone.due_date and milestone.due_date < day and milestone_is_open_on(milestone, day))


def milestone_upcoming_key(milestone) -> tuple:
    """The order of open milestones: earliest due first, undated last, then by number (``in_upcoming_order``)."""
    return (milestone.due_date is None, milestone.due_date or date.max, milestone.order, milestone.id or 0)


def next_milestone(milestones, day: date):
    """The project's next milestone on ``day``: its first open one in upcoming order.

    ``selectors.next_milestones`` is the same rule in SQL (for today).
    """
    open_ones = [m for m in milestones if milestone_is_open_on(m, day)]
    return min(open_ones, key=milestone_upcoming_key, default=None)


class ProgressUpdate(models.Model):
    """An owner's weekly check-in on a project: percent, health, what happened, what comes next."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="updates")
    week_start = models.DateField(_("week (Monday)"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL
    )
    percent = percent_field(_("progress %"))
    health = models.CharField(_("health"), max_length=10, choices=Health, default=Health.ON_TRACK)
    summary = text_field(_("this week"), help_text=_("What happened this week."))
    next_steps = text_field(_("next steps"), blank=True)
    risks = text_field(_("risks and blockers"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = querysets.ProgressUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-week_start"]
        get_latest_by = "week_start"
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "week_start"],
                name="%(app_label)s_%(class)s_one_per_week",
                violation_error_message=_("This project already has an update for this week."),
            ),
            percent_between_0_and_100("percent", "percent"),
            is_monday("week_start"),
        ]
        # The rollup reads every update of one week; the project list the latest update per project.
        indexes = [models.Index(fields=["week_start", "project"], name="projects_update_week_idx")]

    def __str__(self) -> str:
        return f"{self.project} {self.week}"

    @property
    def week(self) -> Week:
        return Week.of(self.week_start)

    def clean(self) -> None:
        validate_report_week(self.week_start)


class Incident(models.Model):
    """A production incident (生产事件): when, how bad, what it hit, how it was handled."""

    class Grade(models.TextChoices):
        A = "A", _("Grade A")
        B = "B", _("Grade B")
        C = "C", _("Grade C")
        D = "D", _("Grade D")
        EVENT = "event", _("Below incident level")

    title = models.CharField(_("title"), max_length=300, validators=[validate_one_line])
    detected_at = models.DateTimeField(_("detected at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=5, choices=Grade, default=Grade.EVENT)
    responsibility_share = models.DecimalField(
        _("responsibility share"),
        max_digits=3,
        decimal_places=2,
        default=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("The department's share of the responsibility, 0 to 1 (0.5 is common); empty when not assigned."),
    )
    description = text_field(_("what happened"), blank=True)
    impact = text_field(_("impact"), blank=True)
    handling = text_field(_("handling (处置)"), blank=True)
    follow_up = text_field(_("follow-up"), blank=True)
    project = models.ForeignKey(
        Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.SET_NULL, related_name="incidents"
    )
    team = models.ForeignKey(Team, verbose_name=_("team"), null=True, blank=True, on_delete=models.SET_NULL)
    postmortem_done = models.BooleanField(_("post-mortem done (复盘)"), default=False)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    history = HistoricalRecords()

    objects = querysets.IncidentQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at"]
        permissions = [("manage_all_incidents", _("Can edit every incident"))]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(
                condition=Q(responsibility_share__gte=0, responsibility_share__lte=1),
                name="%(app_label)s_%(class)s_share_0_1",
                violation_error_message=_("The responsibility share must be between 0 and 1."),
            ),
            models.CheckConstraint(
                condition=Q(resolved_at__isnull=True) | Q(resolved_at__gte=F("detected_at")),
                name="%(app_label)s_%(class)s_resolved_after_detected",
                violation_error_message=_("An incident cannot be resolved before it was detected."),
            ),
        ]
        # The rollup reads the incidents detected in a week and in the year to date.
        indexes = [models.Index(fields=["detected_at"], name="projects_incident_detected_idx")]

    def __str__(self) -> str:
        return self.title


class UpdateComment(models.Model):
    """A comment on a weekly update: a director's question or acknowledgement, or the owner's reply.

    Directors comment on or acknowledge any update; owners read and reply on their projects'
    (``querysets.may_comment`` / ``may_acknowledge``). Written by ``services.update_comment_post``,
    which calls the ``comment_posted`` hook (``projects.signals``) after the commit, so mail and
    chat can tell the people concerned.
    """

    update = models.ForeignKey(
        ProgressUpdate, verbose_name=_("weekly update"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"), blank=True)
    acknowledged = models.BooleanField(
        _("acknowledged"), default=False, help_text=_("The director has read the update and needs nothing more.")
    )
    created_at = models.DateTimeField(_("written at"), default=history.now)
    history = HistoricalRecords()

    objects = querysets.UpdateCommentQuerySet.as_manager()

    class Meta:
        ordering = ["update", "created_at", "pk"]
        verbose_name = _("comment on an update")
        verbose_name_plural = _("comments on updates")
        permissions = [("comment_on_all_updates", _("Can comment on and acknowledge every weekly update"))]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(text="") | models.Q(acknowledged=True),
                name="%(app_label)s_%(class)s_says_something",
                violation_error_message=_("Write a comment or acknowledge the update."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.update}: {self.text[:40] or _('acknowledged')}"
