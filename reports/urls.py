"""The rollup pages, mounted at /rollup/ (namespace ``reports``)."""

from django.urls import path, register_converter

from . import views


class WeekCodeConverter:
    """A week code such as 2023-W53 (whether the week exists is the view's question)."""

    regex = r"\d{4}-W\d{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(WeekCodeConverter, "rollup_week")

app_name = "reports"
urlpatterns = [
    path("", views.rollup_page, name="rollup-current"),
    path("<rollup_week:code>/", views.rollup_page, name="rollup"),
    path("<rollup_week:code>/projects.csv", views.rollup_projects_csv, name="rollup-csv"),
    path("<rollup_week:code>/projects/<int:project_id>/comments/", views.comment_on_update, name="update-comment"),
]
