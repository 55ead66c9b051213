"""Template filters for rendering a rollup dict: choice labels, dates from ISO strings, charts."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

from django import template
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from projects.models import Health, Incident, Milestone, Project

from .. import charts
from ..rollup import summary

register = template.Library()


@lru_cache(maxsize=64)
def _labels(choices, language: str | None) -> dict[str, str]:
    """A choice field's labels in one language, translated once (pages show thousands of them)."""
    return {member.value: str(member.label) for member in choices}


def _label(choices, code) -> str:
    return _labels(choices, get_language()).get(code, code or "")


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
def iso_day(value: str | None) -> str:
    """An ISO date of the rollup as the page writes it (2023-12-29), without parsing it."""
    return value[:10] if value else ""


@register.filter
def iso_month_day(value: str | None) -> str:
    """An ISO date of the rollup as month-day (12-29), without parsing it."""
    return value[5:10] if value else ""


@register.filter
def as_datetime(value: str | None) -> datetime | None:
    return parse_datetime(value) if value else None


def format_percent(value) -> str:
    """A percent as the weekly reports write it: at most one decimal, none when whole (81.4, 81, 0.5).

    The one formatting of percents for the page, the digest and the Markdown; empty for None.
    """
    if value in (None, ""):
        return ""
    number = round(float(value) + 0.0, 1)
    text = f"{number:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_points(value) -> str:
    """A change in percent points with its sign, like percents (+7.5, -2); empty when none or zero."""
    if value in (None, ""):
        return ""
    text = format_percent(value)
    if text == "0":
        return ""
    return text if text.startswith("-") else f"+{text}"


@register.filter
def pct(value) -> str:
    """``format_percent`` as a filter: {{ p.percent|pct }}%."""
    return format_percent(value)


@register.filter
def pts(value) -> str:
    """``format_points`` as a filter: empty for no change, so templates can skip it."""
    return format_points(value)


@register.filter
def signed(value: float | str | None) -> str:
    """+7, -0.5, 0 (no sign for zero); empty for None."""
    if value in (None, ""):
        return ""
    number = float(value)
    if number == 0:
        return "0"
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
def at_risk_first(projects):
    """Off track, then at risk, then the rest, keeping the report's order within each."""
    return summary.at_risk_first(projects or [])


@register.filter
def reported(projects):
    return [p for p in projects or [] if not p.get("done_earlier")]


@register.filter
def done_earlier(projects):
    return [p for p in projects or [] if p.get("done_earlier")]


@register.filter
def lookup(mapping, key):
    """``mapping[key]`` in a template, None when missing: {{ threads|lookup:p.id }}."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


def format_duration(minutes: int) -> str:
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d min") % {"minutes": minutes}


@register.filter
def incident_duration(incident: dict) -> str:
    """Detected to resolved (3 h 20 min); empty while unresolved."""
    start, end = parse_datetime(incident.get("detected_at") or ""), parse_datetime(incident.get("resolved_at") or "")
    if not start or not end or end < start:
        return ""
    return format_duration(int((end - start).total_seconds() // 60))


@register.simple_tag(takes_context=True)
def project_article(context, p):
    """The project's article, from the page's ``articles`` (``reports.rollup.page.Articles``)."""
    return context["articles"].render(p)


@register.simple_tag
def milestone_items(milestones, kind: str):
    """A milestone list's items (``reports.rollup.page.milestone_items``)."""
    from ..rollup.page import milestone_items as items

    return items(milestones or [], kind)
