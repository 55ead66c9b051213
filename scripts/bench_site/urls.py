"""``/bench/bare-projects/``: the same page of projects as ``/api/v1/projects/``, by the plainest Django
means (``values()`` and ``JsonResponse``, no authentication, paging or serializers), as the floor the
API is measured against."""

from django.http import JsonResponse
from django.urls import include, path

FIELDS = (
    "id", "objective", "objective__code", "name", "description", "owner", "owner__first_name",
    "owner__last_name", "team", "team__name", "status", "health", "percent", "start_date", "qa_date",
    "launch_date", "qa_date_baseline", "launch_date_baseline", "is_key_work", "order", "created_at",
    "latest_update__week_start", "latest_update__percent", "latest_update__health",
    "latest_update__summary", "latest_update__next_steps", "latest_update__risks",
)  # fmt: skip


def bare_projects(request):
    from projects.models import Project

    size = int(request.GET.get("page_size", 50))
    rows = list(
        Project.objects.order_by("objective__order", "objective__code", "order", "name", "pk").values(*FIELDS)[:size]
    )
    return JsonResponse({"count": len(rows), "results": rows})


urlpatterns = [path("bench/bare-projects/", bare_projects), path("", include("okrtracker.urls"))]
