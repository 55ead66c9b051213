"""Filters for the emails, which render from the rollup's plain data (codes, ISO strings, floats)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

from projects.models import Health, Project

register = template.Library()

HEALTH_COLORS = {Health.ON_TRACK: "#36b37e", Health.AT_RISK: "#ffab00", Health.OFF_TRACK: "#de350b"}


@register.filter
def health_text(code: str | None) -> str:
    return str(Health(code).label) if code in Health.values else ""


@register.filter
def health_color(code: str | None) -> str:
    return HEALTH_COLORS.get(code, "#6b778c")


@register.filter
def status_text(code: str | None) -> str:
    return str(Project.Status(code).label) if code in Project.Status.values else ""


@register.filter
def bar_percent(value) -> int:
    """A percent as a whole number from 0 to 100, for progress bars."""
    try:
        return max(0, min(100, round(float(value))))
    except (TypeError, ValueError):
        return 0


@register.filter
def iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@register.filter
def points(value) -> str:
    """A change in points with its sign: +5, -2.5, 0; empty when unknown."""
    if value is None or value == "":
        return ""
    number = float(value)
    text = f"{number:+.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("+0", "-0") else text


@register.filter
def as_local_datetime(value: str | None) -> datetime | None:
    """An ISO datetime string of the rollup, in the local time zone (for |date)."""
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return timezone.localtime(moment) if moment and timezone.is_aware(moment) else moment
