"""Small HTML pieces for admin lists: a progress bar and a health badge (inline styles, no assets)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html

HEALTH_COLOURS = {"on_track": "#1a7f37", "at_risk": "#bf8700", "off_track": "#cf222e"}


def progress_bar(percent: Decimal | float | None):
    value = float(percent or 0)
    return format_html(
        '<div class="okr-progress" title="{0}%" style="display:flex;align-items:center;gap:6px;min-width:110px">'
        '<div style="flex:1;height:8px;background:#e5e7eb;border-radius:4px;overflow:hidden">'
        '<div style="width:{0}%;height:100%;background:#2563eb"></div></div>'
        '<span style="font-variant-numeric:tabular-nums">{1}%</span></div>',
        f"{value:.0f}",
        f"{value:g}",
    )


def health_badge(health: str, label: str):
    return format_html(
        '<span class="okr-health okr-health-{}" style="color:#fff;background:{};padding:1px 8px;'
        'border-radius:10px;white-space:nowrap">{}</span>',
        health,
        HEALTH_COLOURS.get(health, "#6b7280"),
        label,
    )
