"""Template filters for rendering a rollup dict: choice labels, dates from ISO strings, charts."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils.dateparse import parse_date, parse_datetime

from projects.models import Health, Incident, Milestone, Project

from .. import charts

register = template.Library()


def _label(choices, code) -> str:
    try:
        return str(choices(code).label)
    except ValueError:
        return code or ""


@register.filter
def health_label(code: str) -> str:
    return _label(Health, code)


@register.filter
def project_status_label(code: str) -> str:
    return _label(Project.Status, code)


@register.filter
def milestone_status_label(code: str) -> str:
    return _label(Milestone.Status, code)


@register.filter
def grade_label(code: str) -> str:
    return _label(Incident.Grade, code)


@register.filter
def as_date(value: str | None) -> date | None:
    return parse_date(value) if value else None


@register.filter
def as_datetime(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


@register.filter
def signed(value: float | str | None) -> str:
    """+7, -0.5, ±0; empty for None."""
    if value in (None, ""):
        return ""
    number = float(value)
    if number == 0:
        return "±0"
    text = f"{number:+.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
    return text if text.startswith(("-", "+")) else f"+{text}"


@register.filter
def is_negative(value) -> bool:
    try:
        return float(value) < 0
    except (TypeError, ValueError):
        return False


@register.simple_tag
def sparkline(series, title: str = "", scale: str = "percent"):
    """A trend line of a rollup series [{week, value}]; percent series are drawn on 0-100."""
    values = [point.get("value") for point in series or []]
    low, high = (0, 100) if scale == "percent" else (None, None)
    return charts.sparkline(values, low=low, high=high, title=title)


@register.simple_tag
def objective_chart(series, title: str = ""):
    """The objective's progress over the cycle, from the first week anything was reported."""
    points = [(point["week"], point.get("percent")) for point in series or []]
    while points and points[0][1] is None:
        points.pop(0)
    return charts.line_chart(points, title=title) if points else ""


@register.filter
def own_key_results(key_results):
    """Key results that are not operating metrics (those are shown under operating data)."""
    return [k for k in key_results or [] if not k.get("is_operating_metric")]


@register.filter
def reported(projects):
    return [p for p in projects or [] if not p.get("done_earlier")]


@register.filter
def done_earlier(projects):
    return [p for p in projects or [] if p.get("done_earlier")]
