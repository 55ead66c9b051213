"""How the rollup writes values as JSON: exact decimals as strings, percents as floats, ISO dates."""

from __future__ import annotations

from decimal import Decimal


def dec(value: Decimal | None) -> str | None:
    """An exact decimal as a plain string without trailing zeros: 99.9970 -> "99.997", 1.50 -> "1.5"."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def pct(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def iso(value) -> str | None:
    return value.isoformat() if value is not None else None
