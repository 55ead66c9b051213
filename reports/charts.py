"""Small server-side SVG charts for the rollup page: no JavaScript, no CDN, prints as vector.

Every function returns a complete ``<svg>`` string built only from numbers we format ourselves and
labels passed through ``escape``; that is what makes ``mark_safe`` on the result sound.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _scale(values: Sequence[float], low: float | None, high: float | None) -> tuple[float, float]:
    present = [v for v in values if v is not None]
    lo = min(present) if low is None else low
    hi = max(present) if high is None else high
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    return lo, hi


def _paths(values: Sequence[float | None], x0: float, y0: float, width: float, height: float, lo: float, hi: float):
    """Polyline segments (gaps where a value is missing) and the point positions."""
    n = len(values)
    step = width / (n - 1) if n > 1 else 0
    segments: list[list[tuple[float, float]]] = [[]]
    points = []
    for i, value in enumerate(values):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        x = x0 + i * step if n > 1 else x0 + width / 2
        y = y0 + height - (value - lo) / (hi - lo) * height
        segments[-1].append((x, y))
        points.append((x, y))
    return [s for s in segments if s], points


def _polyline(segment: list[tuple[float, float]], colour: str, stroke: float) -> str:
    coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
    return (
        f'<polyline points="{coords}" fill="none" stroke="{colour}" stroke-width="{stroke}" '
        'stroke-linejoin="round" stroke-linecap="round"/>'
    )


def sparkline(
    values: Sequence[float | None],
    *,
    width: int = 96,
    height: int = 24,
    low: float | None = None,
    high: float | None = None,
    colour: str = "#2563eb",
    title: str = "",
) -> SafeString:
    """A tiny trend line; the last point is marked. Empty string when there is nothing to draw."""
    if not any(v is not None for v in values):
        return mark_safe("")
    lo, hi = _scale(values, low, high)
    pad = 3
    segments, points = _paths(values, pad, pad, width - 2 * pad, height - 2 * pad, lo, hi)
    body = "".join(_polyline(s, colour, 1.5) for s in segments)
    last_x, last_y = points[-1]
    body += f'<circle cx="{last_x:.1f}" cy="{last_y:.1f}" r="2.2" fill="{colour}"/>'
    label = f"<title>{escape(title)}</title>" if title else ""
    return mark_safe(
        f'<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">{label}{body}</svg>'
    )


def line_chart(
    points: Sequence[tuple[str, float | None]],
    *,
    width: int = 320,
    height: int = 120,
    low: float = 0,
    high: float = 100,
    colour: str = "#2563eb",
    title: str = "",
    unit: str = "%",
) -> SafeString:
    """A labelled line chart over weeks: gridlines at low/middle/high, first and last week labels."""
    values = [v for _label, v in points]
    if not any(v is not None for v in values):
        return mark_safe("")
    left, right, top, bottom = 34, 8, 8, 18
    plot_w, plot_h = width - left - right, height - top - bottom
    segments, marks = _paths(values, left, top, plot_w, plot_h, low, high)
    grid = []
    for fraction in (0, 0.5, 1):
        y = top + plot_h - fraction * plot_h
        value = low + fraction * (high - low)
        grid.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="9" fill="#6b7280">'
            f"{value:g}{escape(unit)}</text>"
        )
    first_label, last_label = escape(points[0][0]), escape(points[-1][0])
    axis = (
        f'<text x="{left}" y="{height - 4}" font-size="9" fill="#6b7280">{first_label}</text>'
        f'<text x="{width - right}" y="{height - 4}" font-size="9" fill="#6b7280" '
        f'text-anchor="end">{last_label}</text>'
    )
    lines = "".join(_polyline(s, colour, 2) for s in segments)
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.8" fill="{colour}"/>' for x, y in marks)
    label = f"<title>{escape(title)}</title>" if title else ""
    return mark_safe(
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">{label}'
        f"{''.join(grid)}{axis}{lines}{dots}</svg>"
    )
