"""The planning data's API routes; ``okrtracker.api_urls`` mounts them at /api/v1/ beside the rollups."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter()
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("key-results", views.KeyResultViewSet, basename="keyresult")
router.register("readings", views.ReadingViewSet, basename="reading")
router.register("projects", views.ProjectViewSet, basename="project")
router.register("milestones", views.MilestoneViewSet, basename="milestone")
router.register("updates", views.ProgressUpdateViewSet, basename="update")
router.register("incidents", views.IncidentViewSet, basename="incident")

urlpatterns = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/token/", views.TokenView.as_view(), name="token"),
    path(
        "projects/<int:project_pk>/updates/<str:week>/",
        views.ProjectWeekUpdateView.as_view(),
        name="project-week-update",
    ),
    *router.urls,
]
