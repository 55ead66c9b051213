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
from django.urls import NoReverseMatch, reverse
from django.utils.dateparse import parse_datetime

from projects.weeks import Week

from . import recipients
from .emails import absolute_url, compose, render_email, render_parts, unsubscribe_url
from .models import Delivery, RollupSnapshot
from .rollup import read_week
from .rollup.summary import what_changed


def rollup_url(week: Week) -> str:
    """The rollup page of ``week`` (the page itself belongs to the rollup module)."""
    try:
        return absolute_url(reverse("reports:rollup", kwargs={"code": week.code}))
    except NoReverseMatch:
        return absolute_url(f"/rollup/{week.code}/")


def _unsubscribe(delivery: Delivery, topic: str) -> str | None:
    return unsubscribe_url(user_id=delivery.recipient_id, topic=topic) if delivery.recipient_id else None


def project_update_url(project_id: int) -> str:
    return absolute_url(reverse("admin:projects_project_change", args=[project_id]))


def update_reminder_context(reminder: recipients.OwnerReminder, week: Week) -> dict:
    return {
        "user": reminder.user,
        "week": week,
        "projects": [
            {
                "name": project.name,
                "objective": project.objective.code,
                "percent": project.percent,
                "health": project.get_health_display(),
                "url": project_update_url(project.pk),
            }
            for project in reminder.projects
        ],
    }


def milestone_alert_context(alert: recipients.OwnerAlert, day: date) -> dict:
    def row(milestone) -> dict:
        return {
            "title": milestone.title,
            "project": milestone.project.name,
            "due_date": milestone.due_date,
            "days": abs((milestone.due_date - day).days),
            "url": absolute_url(reverse("admin:projects_milestone_change", args=[milestone.pk])),
        }

    return {
        "user": alert.user,
        "day": day,
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


# The digest is the same for everyone who reads the same language, but for the unsubscribe link:
# render it once per language and snapshot, with a placeholder where each recipient's link goes.
UNSUBSCRIBE_PLACEHOLDER = "okrtracker-unsubscribe-placeholder-5b1e"


@lru_cache(maxsize=16)
def _digest_parts(
    snapshot_id: int, compiled_at: str, language: str, with_unsubscribe: bool, site_url: str, prefix: str
) -> tuple[str, str, str]:
    snapshot = RollupSnapshot.objects.get(pk=snapshot_id)
    context = digest_context(snapshot.data, Week.of(snapshot.week_start))
    context["unsubscribe_url"] = UNSUBSCRIBE_PLACEHOLDER if with_unsubscribe else None
    return render_parts(template="digest", context=context, language=language)


def build_test_digest(delivery: Delivery, language: str) -> EmailMessage:
    """A test digest: the week as the page shows it (frozen if it is, else live); nothing is frozen."""
    week = delivery.week
    context = digest_context(read_week(week), week)
    context["unsubscribe_url"] = None
    return compose(parts=render_parts(template="digest", context=context, language=language), to=delivery.email)


def build_digest(delivery: Delivery, language: str) -> EmailMessage:
    week = delivery.week
    snapshot = RollupSnapshot.objects.only("pk", "compiled_at").get(week_start=week.monday)
    unsubscribe = _unsubscribe(delivery, "weekly_digest")
    parts = _digest_parts(
        snapshot.pk,
        snapshot.compiled_at.isoformat(),
        language,
        bool(unsubscribe),
        settings.SITE_URL,
        settings.DIGEST_SUBJECT_PREFIX,
    )
    if unsubscribe:
        parts = tuple(part.replace(UNSUBSCRIBE_PLACEHOLDER, unsubscribe) for part in parts)
    return compose(parts=parts, to=delivery.email, unsubscribe=unsubscribe)


def build_message(delivery: Delivery) -> EmailMessage | None:
    """The message for ``delivery`` in its recipient's language; None when there is nothing to say."""
    user = delivery.recipient
    language = recipients.language_of(user)
    kind = delivery.kind
    if kind == Delivery.Kind.UPDATE_REMINDER:
        week = delivery.week
        found = recipients.owners_missing_updates(week, owner=user) if user else []
        if not found:
            return None
        context = update_reminder_context(found[0], week)
        template, topic = "update_reminder", "update_reminders"
    elif kind == Delivery.Kind.MILESTONE_ALERT:
        day = delivery.period
        found = recipients.owners_with_milestone_alerts(day, owner=user) if user else []
        if not found:
            return None
        context = milestone_alert_context(found[0], day)
        template, topic = "milestone_alert", "milestone_alerts"
    elif kind == Delivery.Kind.DIGEST:
        return build_digest(delivery, language)
    elif kind == Delivery.Kind.DIGEST_TEST:
        return build_test_digest(delivery, language)
    elif kind == Delivery.Kind.UPDATE_COMMENT:
        from .comment_mail import build_comment_email

        return build_comment_email(delivery)
    else:
        raise ValueError(f"Unknown delivery kind {kind!r}")
    return render_email(
        template=template,
        context={**context, "recipient": user},
        to=delivery.email,
        language=language,
        unsubscribe=_unsubscribe(delivery, topic),
    )
