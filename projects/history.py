"""Time in the data: when a change is recorded, and rows as they stood at a past moment.

Every change to the planning models is kept by django-simple-history. A past week's report is
rebuilt from those rows, so later edits never rewrite it:

- ``recorded_at(when)`` dates every history row (and planned-date change) written inside it at
  ``when``: for facts entered after the moment they describe (an imported report, the demo data).
- ``rows_as_of(queryset, when)`` gives the rows as they stood at ``when``: a row changed later is
  replaced by its last version at or before ``when``; a row first recorded after ``when`` did not exist
  yet; a row deleted later comes back. Rows loaded without history (bulk loads) are taken as they are.
  A constant number of queries, and only the rows changed after ``when`` are looked up in history,
  so this week's report (nothing changed since) costs one cheap query more than reading the tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.dispatch import receiver
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

_recorded_at: ContextVar[datetime | None] = ContextVar("recorded_at", default=None)


@contextmanager
def recorded_at(when: datetime) -> Iterator[None]:
    """Date the history written inside this block at ``when`` (an aware datetime)."""
    if timezone.is_naive(when):
        raise ValueError("recorded_at needs an aware datetime")
    token = _recorded_at.set(when)
    try:
        yield
    finally:
        _recorded_at.reset(token)


def now() -> datetime:
    """The moment a change made now is recorded at: ``recorded_at``'s, else the clock's."""
    return _recorded_at.get() or timezone.now()


@receiver(pre_create_historical_record)
def _date_history_row(sender, history_instance, **kwargs) -> None:
    when = _recorded_at.get()
    if when is not None:
        history_instance.history_date = when


def _last_versions(history: QuerySet, when: datetime) -> QuerySet:
    """Each row's last history record at or before ``when`` (ties on the date go to the later record)."""
    upto = history.model.objects.filter(history_date__lte=when)
    later = upto.filter(id=OuterRef("id")).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    return history.filter(history_date__lte=when).filter(~Exists(later))


def changed_after(model, when: datetime, **history_filter) -> QuerySet:
    """Ids of the model's rows (matching the filter) with a history record after ``when``."""
    return model.history.filter(history_date__gt=when, **history_filter).order_by().values("id").distinct()


def rows_as_of(
    queryset: QuerySet,
    when: datetime | None,
    *,
    fields: tuple[str, ...] = (),
    keep_late: bool = False,
    **history_filter,
) -> list:
    """The queryset's rows as they stood at ``when`` (``None``: as they are now).

    ``history_filter`` holds lookups valid on the model's history table too (fields that do not
    change, such as a week); it narrows the search for rows deleted since. With ``keep_late``, a row
    first recorded after ``when`` is kept as first recorded (for events that belong to a moment by
    their own date, such as an incident entered after the report that covers it). With ``fields``
    the rows are light named tuples of those fields (``id`` first) instead of model instances.
    Related objects of rows taken from history are not loaded: callers resolve foreign keys by id.
    The rows come in no particular order (callers sort what they show; the models' default orders
    join and sort by other tables).
    """
    queryset = queryset.order_by()
    rows = list(queryset.values_list(*fields, named=True) if fields else queryset)
    if when is None:
        return rows
    model = queryset.model
    changed_ids = changed_after(model, when, **history_filter)
    changed = {row["id"] for row in changed_ids}
    if not changed:
        return rows
    kept = [row for row in rows if row.id not in changed]
    candidates = model.history.filter(id__in=changed_ids, **history_filter)
    versions = list(_as_rows(_last_versions(candidates, when).order_by("id"), fields))
    if keep_late:
        found = {version.id for version in versions}
        late = {row.id for row in rows if row.id in changed and row.id not in found}
        versions += _as_rows(_first_versions(model.history.filter(id__in=late)), fields)
    return kept + versions


def _as_rows(history: QuerySet, fields: tuple[str, ...]) -> list:
    """History records (deletions dropped) as named tuples of ``fields``, or as model instances."""
    history = history.exclude(history_type="-")
    if fields:
        return list(history.values_list(*fields, named=True))
    return [version.instance for version in history]


def _first_versions(history: QuerySet) -> QuerySet:
    earlier = history.model.objects.filter(id=OuterRef("id")).filter(
        Q(history_date__lt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
    )
    return history.filter(~Exists(earlier))
