"""The Markdown download of a week's report, mounted next to the rollup pages at /rollup/."""

from django.urls import path

from . import export_views

urlpatterns = [
    path("<str:code>/report.md", export_views.rollup_markdown, name="rollup-markdown"),
]
