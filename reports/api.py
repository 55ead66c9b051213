"""The rollup in the REST API (``/api/v1/rollups/<week>/``): the same read path as the page."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.api.views import WEEK_PARAMETER, parse_week
from projects.models import Health

from .api_schema import serializer_for
from .rollup.types import Rollup
from .views import rollup_for_request

RollupSerializer = serializer_for(Rollup)


class RollupView(APIView):
    """The rollup of a week: the frozen snapshot when there is one (unless ``live=1``), else live."""

    @extend_schema(
        parameters=[
            WEEK_PARAMETER,
            OpenApiParameter("live", OpenApiTypes.STR, enum=["1"], description="1: compile now, ignore a snapshot."),
            OpenApiParameter("team", OpenApiTypes.INT, description="Only this team's projects."),
            OpenApiParameter("owner", OpenApiTypes.INT, description="Only this owner's projects."),
            OpenApiParameter("objective", OpenApiTypes.STR, description="Only this objective (code, e.g. O2)."),
            OpenApiParameter(
                "health", OpenApiTypes.STR, enum=Health.values, description="Only projects of this health."
            ),
            OpenApiParameter("changes", OpenApiTypes.STR, enum=["1"], description="1: only what changed."),
        ],
        responses={200: OpenApiResponse(RollupSerializer, description="The rollup (reports/rollup/types.py).")},
    )
    def get(self, request, week: str):
        return Response(rollup_for_request(request, parse_week(week)))
