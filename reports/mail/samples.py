"""'Send me a test' on the notification settings page: one email of a kind, to the person asking, now.

A test is not a scheduled email: it is not recorded as a Delivery (so it never counts as, or blocks,
the real reminder, alert or digest of the period) and it shows the person's own data as the real
email would, even when the real one would have nothing to say this week.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.utils import timezone, translation

from projects.models import Milestone, Project
from projects.weeks import Week

from ..rollup import read_week
from . import messages, recipients
from .compose import compose, render_email, render_parts

TOPICS = ("update_reminders", "milestone_alerts", "weekly_digest")


def sample_email(*, user_id: int, topic: str) -> EmailMessage:
    """The test message of ``topic`` for the user, in their language; ValueError for an unknown topic."""
    if topic not in TOPICS:
        raise ValueError(f"Unknown topic {topic!r}")
    user = get_user_model().objects.get(pk=user_id)
    language = recipients.language_of(user)
    week = Week.current()
    if topic == "weekly_digest":
        context = messages.digest_context(read_week(week), week)
        context["unsubscribe_url"] = None
        return compose(parts=render_parts(template="digest", context=context, language=language), to=user.email)
    with translation.override(language):  # the contexts' labels and phrases, in the person's language
        if topic == "update_reminders":
            theirs = recipients.projects_to_update(Project.objects.filter(owner=user).active())
            projects = [row for _owner, row in theirs]
            context = messages.update_reminder_context(recipients.OwnerReminder(user=user, projects=projects), week)
            template = "update_reminder"
        else:
            today = timezone.localdate()
            open_ones = list(
                Milestone.objects.filter(project__owner=user).open().select_related("project").in_upcoming_order()[:10]
            )
            alert = recipients.OwnerAlert(
                user=user,
                overdue=[m for m in open_ones if m.due_date and m.due_date < today],
                due_soon=[m for m in open_ones if m.due_date and m.due_date >= today],
            )
            context = messages.milestone_alert_context(alert, today)
            template = "milestone_alert"
    return render_email(template=template, context=context, to=user.email, language=language)
