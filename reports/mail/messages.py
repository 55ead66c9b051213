"""What each kind of delivery says: the message for one Delivery row, built when it is sent.

Reminders and alerts are computed again at send time, so an owner who updated every project
after the run was planned gets nothing (the delivery is marked skipped). The digest renders
from the frozen snapshot only, like the rollup page of a frozen week.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.defaultfilters import floatformat
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.models import Health
from projects.names import person_name
from projects.weeks import Week

from ..models import Delivery, RollupSnapshot
from ..rollup import read_week
from ..rollup.summary import what_changed
from . import recipients
from .compose import LINK_STAND_IN, compose, encode_bodies, prepared_or_composed, render_parts, render_parts_merged
from .links import absolute_link, absolute_url, unsubscribe_url


def rollup_url(week: Week) -> str:
    """The rollup page of ``week`` (the page itself belongs to the rollup module)."""
    try:
        return absolute_url(reverse("reports:rollup", kwargs={"code": week.code}))
    except NoReverseMatch:
        return absolute_url(f"/rollup/{week.code}/")


def _unsubscribe(delivery: Delivery, topic: str) -> str | None:
    return unsubscribe_url(user_id=delivery.recipient_id, topic=topic) if delivery.recipient_id else None


def project_update_url(project_id: int) -> str:
    return absolute_link("admin:projects_project_change", project_id)


@lru_cache(maxsize=256)
def progress_bar(percent: int, color: str = "#36b37e") -> SafeString:
    """The table-cell progress bar of the emails (``emails/_progress.html``) at a whole percent."""
    return mark_safe(render_to_string("emails/_progress.html", {"percent": percent, "color": color}).strip())


# The reminder and alert contexts hold text (merged per recipient, ``merge``): build them in the
# recipient's language, which their labels and phrases are written in.


def update_reminder_context(reminder: recipients.OwnerReminder, week: Week) -> dict:
    return {
        "recipient_name": person_name(reminder.user),
        "week_label": week.label(),
        "projects": [
            {
                "name": project.name,
                "objective": project.objective_code,
                "percent": floatformat(project.percent, 0),
                "bar": progress_bar(max(0, min(100, round(project.percent)))),
                "health": str(Health(project.health).label),
                "url": project_update_url(project.pk),
            }
            for project in reminder.projects
        ],
    }


def milestone_alert_context(alert: recipients.OwnerAlert, day: date) -> dict:
    def row(milestone) -> dict:
        due = milestone.due_date.isoformat()
        days = abs((milestone.due_date - day).days)
        return {
            "title": milestone.title,
            "project": milestone.project.name,
            "due": _("due %(due)s") % {"due": due},
            "late": ngettext("due %(due)s, %(days)s day late", "due %(due)s, %(days)s days late", days)
            % {"due": due, "days": days},
            "url": absolute_link("admin:projects_milestone_change", milestone.pk),
        }

    return {
        "recipient_name": person_name(alert.user),
        "overdue": [row(m) for m in alert.overdue],
        "due_soon": [row(m) for m in alert.due_soon],
        "count": len(alert.overdue) + len(alert.due_soon),
    }


def digest_context(rollup: dict, week: Week) -> dict:
    return {
        "week": week,
        "rollup": rollup,
        "changed": what_changed(rollup),
        "as_of": parse_datetime(rollup.get("as_of") or rollup["compiled_at"]),
        "rollup_url": rollup_url(week),
        "subject_prefix": settings.DIGEST_SUBJECT_PREFIX,
    }


# The digest is the same for everyone who reads the same language, but for the address and the
# unsubscribe link: render and encode it once per language and snapshot, with stand-ins for those.


@lru_cache(maxsize=16)
def _digest_prepared(
    snapshot_id: int, compiled_at: str, language: str, with_unsubscribe: bool, site_url: str, prefix: str
) -> tuple[tuple[str, str, str], tuple[bytes, bytes] | None]:
    snapshot = RollupSnapshot.objects.get(pk=snapshot_id)
    context = digest_context(snapshot.data, Week.of(snapshot.week_start))
    context["unsubscribe_url"] = LINK_STAND_IN if with_unsubscribe else None
    parts = render_parts(template="digest", context=context, language=language)
    return parts, encode_bodies(parts)


def build_test_digest(delivery: Delivery, language: str) -> EmailMessage:
    """A test digest: the week as the page shows it (frozen if it is, else live); nothing is frozen."""
    week = delivery.week
    context = digest_context(read_week(week), week)
    context["unsubscribe_url"] = None
    return compose(parts=render_parts(template="digest", context=context, language=language), to=delivery.email)


def build_digest(delivery: Delivery, language: str, snapshot: RollupSnapshot) -> EmailMessage:
    unsubscribe = _unsubscribe(delivery, "weekly_digest")
    parts, prepared = _digest_prepared(
        snapshot.pk,
        snapshot.compiled_at.isoformat(),
        language,
        bool(unsubscribe),
        settings.SITE_URL,
        settings.DIGEST_SUBJECT_PREFIX,
    )
    if unsubscribe:  # the link is swapped into the encoded bodies too, when they are used
        parts = tuple(part.replace(LINK_STAND_IN, unsubscribe) for part in parts)
    return prepared_or_composed(parts=parts, to=delivery.email, unsubscribe=unsubscribe, encoded=prepared)


def build_messages(deliveries: list[Delivery]) -> dict[int, EmailMessage | None]:
    """The message of each delivery of a batch in its recipient's language; None when there is nothing
    to say. What reminders and alerts say is computed again now, once for the batch's recipients."""
    reminders, alerts, snapshots = {}, {}, {}
    for kind, period in {(d.kind, d.period) for d in deliveries}:
        owners = [d.recipient_id for d in deliveries if d.kind == kind and d.period == period and d.recipient_id]
        if kind == Delivery.Kind.UPDATE_REMINDER:
            found = recipients.owners_missing_updates(Week.of(period), owners=owners)
            reminders.update({(period, r.user.pk): r for r in found})
        elif kind == Delivery.Kind.MILESTONE_ALERT:
            found = recipients.owners_with_milestone_alerts(period, owners=owners)
            alerts.update({(period, a.user.pk): a for a in found})
        elif kind == Delivery.Kind.DIGEST:
            snapshots[period] = RollupSnapshot.objects.only("pk", "compiled_at").get(week_start=period)
    return {d.pk: _message(d, reminders, alerts, snapshots) for d in deliveries}


def _message(delivery: Delivery, reminders: dict, alerts: dict, snapshots: dict) -> EmailMessage | None:
    language = recipients.language_of(delivery.recipient)
    kind = delivery.kind
    if kind == Delivery.Kind.UPDATE_REMINDER:
        reminder = reminders.get((delivery.period, delivery.recipient_id))
        if reminder is None:
            return None
        with translation.override(language):
            context = update_reminder_context(reminder, delivery.week)
        template, topic = "update_reminder", "update_reminders"
    elif kind == Delivery.Kind.MILESTONE_ALERT:
        alert = alerts.get((delivery.period, delivery.recipient_id))
        if alert is None:
            return None
        with translation.override(language):
            context = milestone_alert_context(alert, delivery.period)
        template, topic = "milestone_alert", "milestone_alerts"
    elif kind == Delivery.Kind.DIGEST:
        return build_digest(delivery, language, snapshots[delivery.period])
    elif kind == Delivery.Kind.DIGEST_TEST:
        return build_test_digest(delivery, language)
    elif kind == Delivery.Kind.UPDATE_COMMENT:
        from .comments import build_comment_email

        return build_comment_email(delivery)
    else:
        raise ValueError(f"Unknown delivery kind {kind!r}")
    unsubscribe = _unsubscribe(delivery, topic)
    parts = render_parts_merged(
        template=template, context={**context, "unsubscribe_url": unsubscribe}, language=language
    )
    return prepared_or_composed(parts=parts, to=delivery.email, unsubscribe=unsubscribe, encoded=encode_bodies(parts))
