"""The week's rollup: built from the state at its report's moment (``builder``, ``state``, ``cutoff``),
read through one path (``read``) by the page, CSV, Markdown, command, API and digest."""

from .builder import VERSION, build_rollup
from .cutoff import report_cutoff
from .filters import RollupFilters, apply_filters
from .read import NotFrozen, Source, frozen_data, read_week

__all__ = [
    "VERSION",
    "NotFrozen",
    "RollupFilters",
    "Source",
    "apply_filters",
    "build_rollup",
    "frozen_data",
    "read_week",
    "report_cutoff",
]
