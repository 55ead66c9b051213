"""Writing an older week after a newer one: the older week's state goes into history, not today's rows.

A week's rollup is rebuilt from history at the week's report moment (``projects.history``). When a
report older than what is stored is imported (the seeds come as week 53, then week 38), today's rows
must keep the newest report's values, yet the older week must show its own. ``record_past_state``
inserts one historical record at the older moment: the row as it stood then (its last version at or
before that moment, or the current row when it was first recorded later) with that week's values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models


def first_recorded_after(obj: models.Model, when: datetime) -> bool:
    """True when ``obj`` has no history record at or before ``when`` (so that week does not see it)."""
    return not obj.history.filter(history_date__lte=when).exists()


def record_past_state(obj: models.Model, when: datetime, values: dict[str, Any], *, user=None) -> bool:
    """Make ``obj`` read as ``values`` at ``when`` without touching the current row; False if nothing to do."""
    history = obj.history.model
    base = obj.history.filter(history_date__lte=when).order_by("-history_date", "-history_id").first()
    source = base if base is not None else obj
    tracked = [
        f.attname for f in history._meta.concrete_fields if f.attname in {g.attname for g in obj._meta.concrete_fields}
    ]
    state = {name: getattr(source, name) for name in tracked}
    changed = {name: value for name, value in values.items() if state.get(name) != value}
    if base is not None and not changed:
        return False
    state.update(values)
    history.objects.create(
        history_date=when,
        history_type="~" if base is not None else "+",
        history_user=user,
        history_change_reason="imported from an older weekly report",
        **state,
    )
    return True
