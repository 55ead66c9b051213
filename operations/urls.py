"""The probes and the metrics endpoint, included at the site's root."""

from django.urls import path

from . import views

app_name = "operations"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics/", views.metrics, name="metrics"),
]
