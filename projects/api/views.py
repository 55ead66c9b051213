"""API views: viewsets with thin hooks. Reads come from ``visible_to``; writes go through services."""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, generics, mixins, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..models import Incident, KeyResult, KeyResultReading, Milestone, Objective, ProgressUpdate, Project
from ..querysets import update_week_is_open_to
from ..weeks import Week, WeekError
from . import filters, serializers
from .errors import EditConflict, PreconditionFailed, model_errors_as_400
from .filters import WEEK_PATTERN
from .pagination import CountedPageNumberPagination

WEEK_PARAMETER = OpenApiParameter(
    "week",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The week, like 2023-W53, in the configured numbering.",
    pattern=WEEK_PATTERN,
)


def parse_week(code: str) -> Week:
    """A week code from the URL, or 400 with the reason (``Week.parse`` holds the bounds)."""
    try:
        return Week.parse(code)
    except WeekError as exc:
        raise exceptions.ValidationError({"week": [str(exc)]}) from exc


def assign(instance, data: dict):
    for field, value in data.items():
        setattr(instance, field, value)
    return instance


def project_etag(project: Project) -> str:
    """The project's ETag: its version, which every change moves on."""
    return f'"{project.version}"'


def _if_match_tags(request) -> list[str] | None:
    header = request.headers.get("If-Match")
    if header is None:
        return None
    return [tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()]


IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description="The ETag you read; the change is refused with 412 if the project changed since.",
)


def require_editable(user, obj, message: str) -> None:
    if not type(obj).objects.is_editable_by(user, obj):
        raise exceptions.PermissionDenied(message)


# --- objectives and key results ---------------------------------------------------------------


class ObjectiveViewSet(viewsets.ReadOnlyModelViewSet):
    """The cycle's objectives (O1, O2, O3) with their key results' ids."""

    serializer_class = serializers.ObjectiveSerializer
    filterset_class = filters.ObjectiveFilter
    ordering_fields = ["code", "order", "title"]
    ordering = ["cycle", "order", "code", "pk"]
    lookup_value_regex = r"[0-9]{1,15}"

    def get_queryset(self):
        return (
            Objective.objects.visible_to(self.request.user)
            .select_related("cycle", "owner", "team")
            .prefetch_related("key_results")
        )


class KeyResultViewSet(viewsets.ReadOnlyModelViewSet):
    """Key results with their current value, progress and whether they are on target."""

    serializer_class = serializers.KeyResultSerializer
    filterset_class = filters.KeyResultFilter
    ordering_fields = ["title", "order", "objective__code"]
    ordering = ["objective__order", "order", "pk"]
    lookup_value_regex = r"[0-9]{1,15}"

    def get_queryset(self):
        return KeyResult.objects.visible_to(self.request.user).select_related("objective", "owner")


class ReadingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Weekly readings of key results. POST records a week's value, replacing one already there."""

    serializer_class = serializers.ReadingSerializer
    filterset_class = filters.ReadingFilter
    ordering_fields = ["week_start", "value"]
    ordering = ["-week_start", "key_result", "pk"]
    lookup_value_regex = r"[0-9]{1,15}"

    def get_queryset(self):
        return KeyResultReading.objects.visible_to(self.request.user).select_related("recorded_by")

    def get_serializer_class(self):
        return serializers.ReadingWriteSerializer if self.action == "create" else serializers.ReadingSerializer

    @extend_schema(request=serializers.ReadingWriteSerializer, responses={201: serializers.ReadingSerializer})
    def create(self, request, *args, **kwargs):
        write = self.get_serializer(data=request.data)
        write.is_valid(raise_exception=True)
        data = write.validated_data
        require_editable(request.user, data["key_result"], _("You cannot record readings of this key result."))
        with model_errors_as_400(rename={"week_start": "week"}):
            reading = services.key_result_record_reading(
                key_result=data["key_result"],
                week_start=data["week"].monday,
                value=data["value"],
                note=data.get("note", ""),
                user=request.user,
            )
        return Response(serializers.ReadingSerializer(reading).data, status=status.HTTP_201_CREATED)


# --- projects, milestones, updates ------------------------------------------------------------


class ProjectViewSet(viewsets.ModelViewSet):
    """Projects with percent, health, owner, latest update and next milestone.

    Owners create projects for themselves and change their own; percent and health follow the
    weekly updates and milestones (write them with ``PUT /projects/<id>/updates/<week>/``).
    """

    serializer_class = serializers.ProjectSerializer
    filterset_class = filters.ProjectFilter
    ordering_fields = [
        "name",
        "percent",
        "health",
        "status",
        "order",
        "created_at",
        "start_date",
        "qa_date",
        "launch_date",
        "last_update_week",
        "objective__code",
    ]
    ordering_lookups = {"last_update_week": "latest_update__week_start"}
    ordering = ["objective__order", "objective__code", "order", "name", "pk"]
    lookup_value_regex = r"[0-9]{1,15}"

    pagination_class = CountedPageNumberPagination
    optimistic_concurrency = True  # ETag, If-Match (412) and version (409): documented by AutoSchema

    def get_queryset(self):
        # The list reads plain rows with their count, in one query; one project is read as a model.
        if self.action == "list":
            return selectors.project_rows(user=self.request.user)
        return selectors.project_list(user=self.request.user)

    def _save(self, serializer, project: Project, *, expected_version=None, stale=EditConflict) -> None:
        try:
            with model_errors_as_400():
                services.project_save(project=project, user=self.request.user, expected_version=expected_version)
        except services.StaleVersionError as exc:
            raise stale() from exc
        serializer.instance = self.get_queryset().get(pk=project.pk)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    @extend_schema(parameters=[IF_MATCH_PARAMETER])
    def update(self, request, *args, **kwargs):
        response = super().update(request, *args, **kwargs)
        response["ETag"] = f'"{response.data["version"]}"'
        return response

    @extend_schema(parameters=[IF_MATCH_PARAMETER])
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    def perform_create(self, serializer):
        serializer.validated_data.pop("version", None)
        data = {"owner": self.request.user, **serializer.validated_data}
        self._save(serializer, Project(**data))

    def perform_update(self, serializer):
        """Optimistic concurrency: If-Match (412 when stale) or the body's version (409 when stale)."""
        project = serializer.instance
        version = serializer.validated_data.pop("version", None)
        tags = _if_match_tags(self.request)
        if tags is not None:
            if "*" not in tags and project_etag(project) not in tags:
                raise PreconditionFailed()
            self._save(
                serializer,
                assign(project, serializer.validated_data),
                expected_version=project.version,
                stale=PreconditionFailed,
            )
            return
        if version is not None and version != project.version:
            raise EditConflict()
        self._save(serializer, assign(project, serializer.validated_data), expected_version=version)


class MilestoneViewSet(viewsets.ModelViewSet):
    """Milestones of projects; their weighted percent becomes the project's percent."""

    serializer_class = serializers.MilestoneSerializer
    filterset_class = filters.MilestoneFilter
    ordering_fields = ["due_date", "order", "status", "percent", "title"]
    ordering = ["project", "order", "pk"]
    lookup_value_regex = r"[0-9]{1,15}"

    def get_queryset(self):
        return Milestone.objects.visible_to(self.request.user).select_related("project", "owner")

    def _save(self, milestone: Milestone) -> None:
        with model_errors_as_400():
            services.milestone_save(milestone=milestone)

    def perform_create(self, serializer):
        serializer.instance = Milestone(**serializer.validated_data)
        require_editable(
            self.request.user, serializer.instance.project, _("You can only add milestones to projects you may change.")
        )
        self._save(serializer.instance)

    def perform_update(self, serializer):
        """The project's owner changes everything; an assignee only the status and percent, in place."""
        milestone = serializer.instance
        changed = {field for field, value in serializer.validated_data.items() if getattr(milestone, field) != value}
        if not Milestone.objects.may_change(self.request.user, milestone, changed):
            raise exceptions.PermissionDenied(
                _(
                    "As the milestone's assignee you update its status and percent; "
                    "its project's owner changes the rest."
                )
            )
        if "project" in changed:
            require_editable(
                self.request.user,
                serializer.validated_data["project"],
                _("You can only move milestones to projects you may change."),
            )
        self._save(assign(milestone, serializer.validated_data))

    def perform_destroy(self, instance):
        if not Milestone.objects.is_managed_by(self.request.user, instance):
            raise exceptions.PermissionDenied(_("Only the project's owner deletes its milestones."))
        services.milestone_delete(milestone=instance)


@extend_schema_view(
    list=extend_schema(summary="Weekly updates of every project"),
    retrieve=extend_schema(summary="One weekly update"),
)
class ProgressUpdateViewSet(viewsets.ReadOnlyModelViewSet):
    """Weekly updates; to write one, ``PUT /projects/<id>/updates/<week>/``."""

    serializer_class = serializers.ProgressUpdateSerializer
    filterset_class = filters.ProgressUpdateFilter
    ordering_fields = ["week_start", "updated_at", "percent", "health"]
    ordering = ["-week_start", "project", "pk"]
    lookup_value_regex = r"[0-9]{1,15}"

    def get_queryset(self):
        return ProgressUpdate.objects.visible_to(self.request.user).select_related("project", "author")


class ProjectWeekUpdateView(generics.GenericAPIView):
    """A project's update for one week. PUT creates it or replaces it (201 created, 200 replaced)."""

    serializer_class = serializers.ProgressUpdateSerializer
    write_model = ProgressUpdate
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return ProgressUpdate.objects.visible_to(self.request.user).select_related("project", "author")

    def get_project(self) -> Project:
        return get_object_or_404(Project.objects.visible_to(self.request.user), pk=self.kwargs["project_pk"])

    def get_object(self) -> ProgressUpdate:
        project = self.get_project()
        week = parse_week(self.kwargs["week"])
        return get_object_or_404(self.get_queryset(), project=project, week_start=week.monday)

    @extend_schema(parameters=[WEEK_PARAMETER], responses={200: serializers.ProgressUpdateSerializer})
    def get(self, request, project_pk: int, week: str):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        parameters=[WEEK_PARAMETER],
        request=serializers.WeekUpdateWriteSerializer,
        responses={
            200: OpenApiResponse(serializers.ProgressUpdateSerializer, description="Replaced."),
            201: OpenApiResponse(serializers.ProgressUpdateSerializer, description="Created."),
        },
    )
    def put(self, request, project_pk: int, week: str):
        project = self.get_project()
        require_editable(request.user, project, _("You can only write updates of your own projects."))
        week = parse_week(week)
        if not update_week_is_open_to(request.user, week.monday):
            raise exceptions.PermissionDenied(
                _("Updates of weeks this old are the record; they can no longer be changed.")
            )
        write = serializers.WeekUpdateWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        with model_errors_as_400(rename={"week_start": "week"}):
            update, created = services.progress_update_write(
                project=project, week_start=week.monday, values=write.validated_data, author=request.user
            )
        return Response(
            self.get_serializer(update).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


# --- incidents --------------------------------------------------------------------------------


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Production incidents, newest first."""

    serializer_class = serializers.IncidentSerializer
    filterset_class = filters.IncidentFilter
    ordering_fields = ["detected_at", "grade"]
    ordering = ["-detected_at", "pk"]
    lookup_value_regex = r"[0-9]{1,15}"

    def get_queryset(self):
        return Incident.objects.visible_to(self.request.user).select_related("project", "team")


# --- the signed-in user and their token -------------------------------------------------------


class MeView(APIView):
    """Who you are: your groups and the projects you own."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request):
        return Response(serializers.MeSerializer(request.user).data)


class TokenView(APIView):
    """Your API token: POST makes a new one (shown once, replacing any old one), DELETE revokes it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=serializers.TokenStatusSerializer)
    def get(self, request):
        token = Token.objects.filter(user=request.user).first()
        return Response({"exists": token is not None, "created": token.created if token else None})

    @extend_schema(request=None, responses={201: serializers.NewTokenSerializer})
    def post(self, request):
        with transaction.atomic():
            Token.objects.filter(user=request.user).delete()
            token = Token.objects.create(user=request.user)
        return Response({"key": token.key, "created": token.created}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
