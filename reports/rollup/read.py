"""The one read path of a week's rollup: page, CSV, Markdown, command, API and digest all come here.

A frozen week reads from its snapshot unless live data is asked for; a week without a snapshot is
built now (from history, as it stood at its report's moment). The frozen data says when and how it
was compiled: on time (at or soon after the report's moment) or later, from history.
"""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from projects.weeks import Week

from ..models import RollupSnapshot
from .builder import build_rollup
from .filters import RollupFilters, apply_filters

# A snapshot compiled within this long after the report's moment was compiled on time (the beat row
# fires at the cutoff; a busy worker may take a while).
ON_TIME_GRACE = timedelta(hours=1)


class Source(enum.StrEnum):
    AUTO = "auto"  # the snapshot when there is one, else live
    FROZEN = "frozen"  # the snapshot only
    LIVE = "live"  # built now, whatever is frozen


class NotFrozen(LookupError):
    def __init__(self, week: Week):
        super().__init__(_("%(week)s has not been frozen.") % {"week": week.code})


def read_week(week: Week, *, source: Source = Source.AUTO, filters: RollupFilters | None = None) -> dict[str, Any]:
    """The week's rollup from ``source``; NotFrozen when the snapshot is asked for and there is none."""
    filters = filters or RollupFilters()
    snapshot = None if source == Source.LIVE else RollupSnapshot.objects.filter(week_start=week.monday).first()
    if snapshot is None:
        if source == Source.FROZEN:
            raise NotFrozen(week)
        return build_rollup(week, filters=filters)
    return apply_filters(frozen_data(snapshot), filters)


def frozen_data(snapshot: RollupSnapshot) -> dict[str, Any]:
    data = dict(snapshot.data)
    # Whether the week is this week depends on when it is read, not when it was frozen.
    data["week"] = {**data["week"], "is_current": Week.of(snapshot.week_start).is_current}
    cutoff = parse_datetime(data["cutoff"]) if data.get("cutoff") else None
    data["frozen"] = True
    data["frozen_at"] = snapshot.compiled_at.isoformat()
    data["compiled_on_time"] = cutoff is None or snapshot.compiled_at <= cutoff + ON_TIME_GRACE
    return data
