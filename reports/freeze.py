"""Freezing a week's rollup: build_rollup()'s data stored once, as it was when compiled.

Later edits to projects or updates do not change a snapshot; the rollup page of a frozen week
renders from it. Freezing a frozen week again replaces the snapshot only when forced.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from projects.weeks import Week

from .models import RollupSnapshot


class AlreadyFrozen(Exception):
    """The week has a snapshot and no force was given."""

    def __init__(self, snapshot: RollupSnapshot):
        self.snapshot = snapshot
        super().__init__(
            _("%(week)s was frozen at %(at)s; freeze it again only with force.")
            % {"week": Week.of(snapshot.week_start).code, "at": timezone.localtime(snapshot.compiled_at)}
        )


def _compile(week: Week) -> tuple[dict, object]:
    from .rollup import build_rollup

    compiled_at = timezone.now()
    data = build_rollup(week)
    data["compiled_at"] = compiled_at.isoformat()
    return data, compiled_at


def snapshot_of(week: Week) -> RollupSnapshot | None:
    return RollupSnapshot.objects.filter(week_start=week.monday).first()


def rollup_freeze(*, week: Week, force: bool = False, user=None) -> RollupSnapshot:
    """Store the week's rollup as its snapshot; AlreadyFrozen if it has one and ``force`` is not set."""
    with transaction.atomic():
        existing = RollupSnapshot.objects.select_for_update().filter(week_start=week.monday).first()
        if existing is not None and not force:
            raise AlreadyFrozen(existing)
        data, compiled_at = _compile(week)
        if existing is not None:
            existing.data, existing.compiled_at, existing.compiled_by = data, compiled_at, user
            existing.save(update_fields=["data", "compiled_at", "compiled_by"])
            return existing
    try:
        with transaction.atomic():
            return RollupSnapshot.objects.create(
                week_start=week.monday, data=data, compiled_at=compiled_at, compiled_by=user
            )
    except IntegrityError:
        # Someone froze it between our check and our insert: theirs stands, unless forced.
        if force:
            return rollup_freeze(week=week, force=True, user=user)
        raise AlreadyFrozen(snapshot_of(week)) from None


def rollup_freeze_once(*, week: Week, user=None) -> tuple[RollupSnapshot, bool]:
    """The week's snapshot, freezing it now if it has none; (snapshot, whether it was frozen now)."""
    try:
        return rollup_freeze(week=week, user=user), True
    except AlreadyFrozen as frozen:
        return frozen.snapshot, False
