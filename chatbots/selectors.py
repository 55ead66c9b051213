"""What a channel's messages are about: the team's (or department's) owners without an update, its
milestones due soon or overdue, and the channels subscribed to a kind. Each loads in a fixed number of
queries, whatever the number of people or projects."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from projects.models import Milestone, Project

from .models import Channel, ChatIdentity
from .platforms.base import Mention


@dataclass
class OwnerProjects:
    """An owner and their active projects without an update for the week."""

    user: object
    projects: list[Project] = field(default_factory=list)


def mention_of(user) -> Mention:
    """How to @-mention ``user``: their name and whatever chat identities they gave."""
    from projects.names import person_name

    try:
        identity = user.chat_identity
    except ChatIdentity.DoesNotExist:
        identity = ChatIdentity()
    return Mention(
        name=person_name(user),
        wecom_user_id=identity.wecom_user_id,
        dingtalk_user_id=identity.dingtalk_user_id,
        mobile=identity.mobile,
        feishu_open_id=identity.feishu_open_id,
    )


def channels_receiving(kind: str) -> list[Channel]:
    return list(Channel.objects.receiving(kind).select_related("team").order_by("pk"))


def owners_missing_updates(monday: date, *, team_id: int | None) -> list[OwnerProjects]:
    """Active owners of the team's active projects (every team's when ``team_id`` is None) without an
    update for the week starting ``monday``, in a stable order."""
    projects = (
        Project.objects.active()
        .without_update_for(monday)
        .filter(owner__is_active=True)
        .select_related("owner", "owner__chat_identity", "objective")
        .order_by("owner_id", "objective__order", "objective__code", "order", "name")
    )
    if team_id is not None:
        projects = projects.filter(team_id=team_id)
    by_owner: dict[int, OwnerProjects] = {}
    for project in projects:
        by_owner.setdefault(project.owner_id, OwnerProjects(user=project.owner)).projects.append(project)
    return list(by_owner.values())


def milestones_to_alert(day: date, *, team_id: int | None) -> list[Milestone]:
    """Open milestones of the team's active projects overdue or due within the alert horizon on ``day``
    (the email alerts' rule), with whom to mention: the milestone's owner, else the project's."""
    from reports.mail.recipients import alert_horizon

    milestones = (
        Milestone.objects.open()
        .filter(due_date__lte=alert_horizon(day), project__status__in=Project.ACTIVE_STATUSES)
        .select_related("project", "owner", "owner__chat_identity", "project__owner", "project__owner__chat_identity")
        .order_by("due_date", "project__name", "order", "pk")
    )
    if team_id is not None:
        milestones = milestones.filter(project__team_id=team_id)
    return list(milestones)
