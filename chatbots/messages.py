"""What each kind of chat message says, platform-neutral (``ChatMessage``); the adapters write it out.

Like the emails, reminders and alerts are computed when they are sent (a team whose owners all updated
meanwhile gets nothing: the delivery is skipped), and the digest comes from the frozen snapshot. Only
documented keys of the rollup data (reports/rollup.py) are read. Messages are written in the channel's
language, else the site's.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from projects.weeks import Week

from . import selectors
from .models import Channel, ChatDelivery, Kind
from .platforms.base import ChatMessage, Line


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def owner_projects_url(user_id: int) -> str:
    """The admin's project list narrowed to one owner's projects without this week's update."""
    return absolute_url(f"{reverse('admin:projects_project_changelist')}?owner__id__exact={user_id}&updated=no")


def rollup_url(week: Week) -> str:
    return absolute_url(reverse("reports:rollup", kwargs={"code": week.code}))


def update_reminder(channel: Channel, monday: date) -> ChatMessage | None:
    owners = selectors.owners_missing_updates(monday, team_id=channel.team_id)
    if not owners:
        return None
    week = Week.of(monday)
    message = ChatMessage(title=_("%(week)s: projects without this week's update") % {"week": week.label()})
    separator = "、" if _is_zh() else ", "
    for owner in owners:
        mention = selectors.mention_of(owner.user)
        names = separator.join(project.name for project in owner.projects)
        message.lines.append(
            Line(
                text=_("%(owner)s: %(projects)s") % {"owner": mention.name, "projects": names},
                mention=mention,
                url=owner_projects_url(owner.user.pk),
            )
        )
    message.link_label = _("Please update them before the report is compiled on Friday.")
    return message


def milestone_alert(channel: Channel, day: date) -> ChatMessage | None:
    milestones = selectors.milestones_to_alert(day, team_id=channel.team_id)
    if not milestones:
        return None
    message = ChatMessage(title=_("Milestones due soon or overdue (%(day)s)") % {"day": day.isoformat()})
    for milestone in milestones:
        owner = milestone.owner or milestone.project.owner
        days = (milestone.due_date - day).days
        if days < 0:
            when = ngettext(
                "overdue by %(days)d day (due %(date)s)", "overdue by %(days)d days (due %(date)s)", -days
            ) % {"days": -days, "date": milestone.due_date}
        elif days == 0:
            when = _("due today")
        else:
            when = ngettext("due %(date)s, in %(days)d day", "due %(date)s, in %(days)d days", days) % {
                "date": milestone.due_date,
                "days": days,
            }
        message.lines.append(
            Line(
                text=f"{milestone.project.name} · {milestone.title}: {when}",
                mention=selectors.mention_of(owner),
                url=absolute_url(reverse("admin:projects_milestone_change", args=[milestone.pk])),
            )
        )
    return message


def _is_zh() -> bool:
    return (translation.get_language() or "").startswith("zh")


def _signed(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}"


def _previous_progress(week: Week) -> dict[str, float]:
    """Each objective's progress the week before, by code: its snapshot, else the week rebuilt."""
    from reports.models import RollupSnapshot
    from reports.rollup import build_rollup

    previous = week.previous()
    snapshot = RollupSnapshot.objects.filter(week_start=previous.monday).only("data").first()
    data = snapshot.data if snapshot else build_rollup(previous)
    return {objective["code"]: objective["progress"] for objective in data["objectives"]}


@lru_cache(maxsize=8)
def _snapshot_data(snapshot_id: int, compiled_at: str) -> tuple[dict, dict[str, float]]:
    """A frozen week's data and its objectives' progress the week before: loaded once per snapshot."""
    from reports.models import RollupSnapshot

    snapshot = RollupSnapshot.objects.get(pk=snapshot_id)
    return snapshot.data, _previous_progress(Week.of(snapshot.week_start))


@lru_cache(maxsize=64)
def _digest_cached(
    snapshot_id: int, compiled_at: str, language: str, team_id: int | None, site_url: str
) -> ChatMessage:
    data, previous = _snapshot_data(snapshot_id, compiled_at)
    with translation.override(language):
        return _digest_message(data, previous, team_id)


def _digest_message(data: dict, previous: dict[str, float], team_id: int | None) -> ChatMessage:
    week = Week.of(date.fromisoformat(data["week"]["monday"]))
    label = data["week"]["label_zh"] if _is_zh() else data["week"]["label_en"]
    message = ChatMessage(title=_("%(week)s weekly report") % {"week": label}, card=True)
    lines = message.lines
    lines.append(Line(_("Objectives"), heading=True))
    projects = []
    for objective in data["objectives"]:
        progress = objective["progress"]
        change = progress - previous[objective["code"]] if objective["code"] in previous else None
        lines.append(Line(f"{objective['code']} {objective['title']}: {progress:.1f}% ({_signed(change)})"))
        projects += [p for p in objective["projects"] if team_id is None or p["team_id"] == team_id]

    slipped = [p for p in projects if p["slipped"]]
    lines.append(Line(_("Slipped (%(count)d)") % {"count": len(slipped)}, heading=True))
    for project in slipped:
        moves = [
            _("%(what)s %(date)s (%(days)+d days)")
            % {"what": what, "date": project[key]["date"], "days": project[key]["days"]}
            for key, what in (("qa", _("QA")), ("launch", _("launch")))
            if project[key]["slipped"]
        ]
        lines.append(Line(f"{project['name']} ({project['owner']}): {'; '.join(moves)}"))

    incidents = data["incidents"]
    lines.append(Line(_("Incidents (%(count)d)") % {"count": len(incidents)}, heading=True))
    for incident in incidents:
        grade = incident["grade"] or "—"
        lines.append(Line(f"{grade} · {incident['title']} ({incident['detected_at'][:16].replace('T', ' ')})"))

    stale = [p for p in projects if p["is_stale"]]
    lines.append(Line(_("Not updated (%(count)d)") % {"count": len(stale)}, heading=True))
    for project in stale:
        lines.append(Line(f"{project['name']} ({project['owner']})"))
    message.link_url = rollup_url(week)
    message.link_label = _("Open the rollup")
    return message


def digest(channel: Channel, monday: date) -> ChatMessage:
    from reports.models import RollupSnapshot

    snapshot = RollupSnapshot.objects.only("pk", "compiled_at").get(week_start=monday)
    return _digest_cached(
        snapshot.pk,
        snapshot.compiled_at.isoformat(),
        translation.get_language() or settings.LANGUAGE_CODE,
        channel.team_id,
        settings.SITE_URL,
    )


def build(delivery: ChatDelivery) -> ChatMessage | None:
    """The message for ``delivery`` in its channel's language; None when there is nothing to say."""
    channel = delivery.channel
    with translation.override(channel.language or settings.LANGUAGE_CODE):
        if delivery.kind == Kind.UPDATE_REMINDER:
            return update_reminder(channel, delivery.period)
        if delivery.kind == Kind.MILESTONE_ALERT:
            return milestone_alert(channel, delivery.period)
        if delivery.kind == Kind.DIGEST:
            return digest(channel, delivery.period)
        if delivery.kind == Kind.DIRECTOR_COMMENT:
            return None  # director comments do not exist yet: nothing to send
    raise ValueError(f"Unknown chat delivery kind {delivery.kind!r}")
