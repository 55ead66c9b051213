"""What the API shows and accepts; explicit fields, no writes (the views call the services)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Incident, KeyResult, KeyResultReading, Milestone, Objective, ProgressUpdate, Project
from ..names import name_of, person_name
from ..weeks import Week, configured_numbering

User = get_user_model()


def display_name(user) -> str | None:
    return person_name(user) if user is not None else None


@extend_schema_field({"type": "string", "example": "2023-W53", "readOnly": True})
class WeekCodeField(serializers.Field):
    """A stored Monday shown as the week's code in the configured numbering (2023-W53)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("source", "week_start")
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return Week.of(value).code


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class RelatedNameField(serializers.Field):
    """The name of an optional related row (``team.name``), null when there is none.

    Unlike ``CharField(source="team.name", default=None)``, it is present in partial-update
    responses too (DRF skips fields with defaults there).
    """

    def __init__(self, relation: str, attribute: str = "name", **kwargs):
        self.relation, self.attribute = relation, attribute
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        related = getattr(instance, self.relation, None)
        return getattr(related, self.attribute) if related is not None else None

    def to_representation(self, value):
        return value


@extend_schema_field({"type": "string", "nullable": True, "readOnly": True})
class UserNameField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        return serializers.Field.get_attribute(self, instance) if self.source_attrs else instance

    def to_representation(self, value):
        return display_name(value)


# --- objectives and key results ---------------------------------------------------------------


class KeyResultSerializer(serializers.ModelSerializer):
    objective_code = serializers.CharField(source="objective.code", read_only=True)
    owner_name = UserNameField(source="owner", allow_null=True)
    progress = serializers.SerializerMethodField(help_text=_("Percent of the way from start to target."))
    on_target = serializers.SerializerMethodField()

    class Meta:
        model = KeyResult
        fields = [
            "id",
            "objective",
            "objective_code",
            "title",
            "owner",
            "owner_name",
            "unit",
            "start_value",
            "target_value",
            "current_value",
            "direction",
            "weight",
            "is_operating_metric",
            "order",
            "progress",
            "on_target",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_progress(self, obj) -> float:
        return float(obj.progress())

    @extend_schema_field({"type": "boolean", "nullable": True})
    def get_on_target(self, obj):
        return obj.is_on_target()


class ObjectiveSerializer(serializers.ModelSerializer):
    cycle_name = serializers.CharField(source="cycle.name", read_only=True)
    owner_name = UserNameField(source="owner", allow_null=True)
    team_name = RelatedNameField("team")
    key_results = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Objective
        fields = [
            "id",
            "cycle",
            "cycle_name",
            "code",
            "title",
            "description",
            "owner",
            "owner_name",
            "team",
            "team_name",
            "parent",
            "order",
            "key_results",
        ]
        read_only_fields = fields


class ReadingSerializer(serializers.ModelSerializer):
    week = WeekCodeField()
    recorded_by_name = UserNameField(source="recorded_by", allow_null=True)

    class Meta:
        model = KeyResultReading
        fields = ["id", "key_result", "week", "week_start", "value", "note", "recorded_by", "recorded_by_name"]
        read_only_fields = ["id", "week_start", "recorded_by"]


class ReadingWriteSerializer(serializers.ModelSerializer):
    """Record (or correct) a key result's value for a week."""

    week = serializers.CharField(max_length=10, help_text=_("The week, like 2023-W53."))

    class Meta:
        model = KeyResultReading
        fields = ["key_result", "week", "value", "note"]
        validators = []  # one reading per week is kept by replacing it, not by refusing

    def validate_week(self, value: str) -> Week:
        try:
            return Week.parse(value)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc


# --- projects, milestones, updates ------------------------------------------------------------


class UpdateBriefSerializer(serializers.ModelSerializer):
    week = WeekCodeField()
    author_name = UserNameField(source="author", allow_null=True)

    class Meta:
        model = ProgressUpdate
        fields = ["id", "week", "percent", "health", "summary", "next_steps", "risks", "author_name", "updated_at"]
        read_only_fields = fields


class MilestoneBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_date", "status", "percent"]
        read_only_fields = fields


class LatestUpdateSerializer(UpdateBriefSerializer):
    """The project's latest update (the ``latest_update`` pointer the services keep)."""

    def get_attribute(self, project):
        return project.latest_update


class NextMilestoneSerializer(MilestoneBriefSerializer):
    """The project's next milestone (``projects.models.next_milestone``), from the list's prefetch if any."""

    def get_attribute(self, project):
        milestones = getattr(project, "next_milestone_list", None)
        if milestones is None:
            milestones = project.milestones.open().in_upcoming_order()[:1]
        return milestones[0] if milestones else None


class ProjectSerializer(serializers.ModelSerializer):
    objective_code = serializers.CharField(source="objective.code", read_only=True)
    owner = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(),
        required=False,
        help_text=_("Defaults to you; only superusers assign projects to someone else."),
    )
    owner_name = UserNameField(source="owner")
    team_name = RelatedNameField("team")
    last_update_week = serializers.SerializerMethodField()
    latest_update = LatestUpdateSerializer(source="*", read_only=True, allow_null=True)
    next_milestone = NextMilestoneSerializer(source="*", read_only=True, allow_null=True)
    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_(
            "Changes with every change of the project. Send back the version you read (or its ETag in "
            "If-Match): if the project changed meanwhile, the answer is 409 (412 with If-Match)."
        ),
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "objective",
            "objective_code",
            "name",
            "description",
            "owner",
            "owner_name",
            "team",
            "team_name",
            "status",
            "health",
            "percent",
            "start_date",
            "qa_date",
            "launch_date",
            "qa_date_baseline",
            "launch_date_baseline",
            "is_key_work",
            "order",
            "created_at",
            "version",
            "last_update_week",
            "latest_update",
            "next_milestone",
        ]
        read_only_fields = ["percent", "health", "qa_date_baseline", "launch_date_baseline", "created_at"]
        extra_kwargs = {
            "percent": {"help_text": _("Follows the milestones, or else the latest weekly update.")},
            "health": {"help_text": _("Follows the latest weekly update.")},
        }

    def validate_owner(self, owner):
        user = self.context["request"].user
        if owner != user and not user.is_superuser:
            raise serializers.ValidationError(_("Only a superuser can make someone else a project's owner."))
        return owner

    @extend_schema_field({"type": "string", "nullable": True, "example": "2023-W53"})
    def get_last_update_week(self, obj):
        return Week.of(obj.latest_update.week_start).code if obj.latest_update_id else None


def date_or_none(value) -> str | None:
    return value.isoformat() if value is not None else None


def _moment(value: datetime, zone) -> str:
    """An aware datetime as DRF's DateTimeField writes it in ``zone`` (ISO 8601, Z for UTC)."""
    text = value.astimezone(zone).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


# A page names few weeks and people, many times over.
_name = lru_cache(maxsize=1024)(name_of)


@lru_cache(maxsize=256)
def _week_code(monday: str, numbering: str) -> str:
    return Week.of(date.fromisoformat(monday), numbering).code


def _json_moment(text: str, zone) -> str:
    """A datetime of a JSON object built by the database (UTC; naive on SQLite), as ``_moment``."""
    moment = datetime.fromisoformat(text)
    return _moment(moment if moment.tzinfo else moment.replace(tzinfo=UTC), zone)


class ProjectListSerializer(serializers.ListSerializer):
    """A page of projects from ``selectors.project_rows`` (plain rows with their latest update and next
    milestone as JSON arrays), each written with ``ProjectSerializer``'s fields and formats (a test
    holds them equal): DRF's field-by-field walk over model instances costs more than the query."""

    def to_representation(self, data):
        zone, numbering = timezone.get_current_timezone(), configured_numbering()
        return [self._row(row, zone, numbering) for row in data]

    @staticmethod
    def _row(p: dict, zone, numbering: str) -> dict:
        iso = date_or_none
        latest, upcoming = p["latest_update_values"], p["next_milestone_values"]
        week = _week_code(latest[1], numbering) if latest else None
        return {
            "id": p["id"],
            "objective": p["objective_id"],
            "objective_code": p["objective__code"],
            "name": p["name"],
            "description": p["description"],
            "owner": p["owner_id"],
            "owner_name": _name(p["owner__first_name"], p["owner__last_name"], p["owner__username"])
            if p["owner_id"] is not None
            else None,
            "team": p["team_id"],
            "team_name": p["team__name"],
            "status": p["status"],
            "health": p["health"],
            "percent": float(p["percent"]),  # as DRF's encoder writes the two-place Decimal
            "start_date": iso(p["start_date"]),
            "qa_date": iso(p["qa_date"]),
            "launch_date": iso(p["launch_date"]),
            "qa_date_baseline": iso(p["qa_date_baseline"]),
            "launch_date_baseline": iso(p["launch_date_baseline"]),
            "is_key_work": p["is_key_work"],
            "order": p["order"],
            "created_at": _moment(p["created_at"], zone),
            "version": p["version"],
            "last_update_week": week,
            "latest_update": _latest_update(latest, week, zone),
            "next_milestone": _next_milestone(upcoming),
        }


def _latest_update(values: list | None, week: str | None, zone) -> dict | None:
    if values is None:
        return None
    pk, _monday, percent, health, summary, next_steps, risks, updated_at, author, first, last, username = values
    return {
        "id": pk,
        "week": week,
        "percent": float(percent),
        "health": health,
        "summary": summary,
        "next_steps": next_steps,
        "risks": risks,
        "author_name": None if author is None else _name(first, last, username),
        "updated_at": _json_moment(updated_at, zone),
    }


def _next_milestone(values: list | None) -> dict | None:
    if values is None:
        return None
    pk, title, due_date, status, percent = values
    return {"id": pk, "title": title, "due_date": due_date, "status": status, "percent": float(percent)}


ProjectSerializer.Meta.list_serializer_class = ProjectListSerializer  # defined after it, as it uses its fields


class MilestoneSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    owner_name = UserNameField(source="owner", allow_null=True)

    class Meta:
        model = Milestone
        fields = [
            "id",
            "project",
            "project_name",
            "title",
            "owner",
            "owner_name",
            "order",
            "weight",
            "due_date",
            "status",
            "percent",
            "completed_on",
        ]


class ProgressUpdateSerializer(serializers.ModelSerializer):
    project_name = serializers.CharField(source="project.name", read_only=True)
    week = WeekCodeField()
    author_name = UserNameField(source="author", allow_null=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "project",
            "project_name",
            "week",
            "week_start",
            "author",
            "author_name",
            "percent",
            "health",
            "summary",
            "next_steps",
            "risks",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WeekUpdateWriteSerializer(serializers.ModelSerializer):
    """The body of ``PUT /projects/<id>/updates/<week>/``: the whole update of that week."""

    class Meta:
        model = ProgressUpdate
        fields = ["percent", "health", "summary", "next_steps", "risks"]
        extra_kwargs = {
            "percent": {
                "required": False,
                "help_text": _("Defaults to the project's percent; with milestones, theirs is used."),
            },
            "health": {"required": False, "help_text": _("Defaults to the project's health.")},
        }


# --- incidents and people ---------------------------------------------------------------------


class IncidentSerializer(serializers.ModelSerializer):
    week = serializers.SerializerMethodField()
    project_name = RelatedNameField("project")
    team_name = RelatedNameField("team")

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "detected_at",
            "resolved_at",
            "week",
            "grade",
            "responsibility_share",
            "description",
            "impact",
            "handling",
            "follow_up",
            "project",
            "project_name",
            "team",
            "team_name",
            "postmortem_done",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "example": "2023-W53"})
    def get_week(self, obj) -> str:
        return Week.of(obj.detected_at).code


class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.SerializerMethodField()
    groups = serializers.SlugRelatedField(many=True, read_only=True, slug_field="name")
    projects = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text=_("Projects you own."))
    current_week = serializers.SerializerMethodField(
        help_text=_("This week's code (like 2023-W53) in the configured numbering: the week to update now.")
    )

    class Meta:
        model = User
        fields = ["id", "username", "full_name", "email", "is_superuser", "groups", "projects", "current_week"]
        read_only_fields = fields

    def get_full_name(self, obj) -> str:
        return display_name(obj)

    def get_current_week(self, obj) -> str:
        return Week.current().code


class TokenStatusSerializer(serializers.Serializer):
    exists = serializers.BooleanField()
    created = serializers.DateTimeField(allow_null=True)


class NewTokenSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_("Shown once: send it as “Authorization: Token <key>”."))
    created = serializers.DateTimeField()
