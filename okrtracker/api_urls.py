"""The API's routes, included at /api/v1/ (namespace ``api``): the planning data and the rollups."""

from django.urls import path

from projects.api.urls import urlpatterns as planning_urls
from reports.api import RollupView

app_name = "api"
urlpatterns = [
    path("rollups/<str:week>/", RollupView.as_view(), name="rollup"),
    *planning_urls,
]
