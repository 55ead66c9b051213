"""Comments on weekly updates by email: one Delivery per comment and recipient, sent through Celery.

Connected to ``projects.signals.comment_posted`` (``ReportsConfig.ready``). The delivery's period is
the update's week (its Monday), like the other weekly mails, and its ``comment`` is part of the
unique key: two comments in a week reach the owner as two emails, each exactly once, and a re-run
of the hook (or a retried task) sends nothing twice.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse

from projects.models import UpdateComment

from ..models import Delivery
from . import recipients
from .compose import render_email
from .links import absolute_url


def comment_deliveries_plan(*, comment: UpdateComment, people) -> list[Delivery]:
    """One delivery per person with an address (existing rows kept); returns those still waiting."""
    rows = [
        Delivery(
            kind=Delivery.Kind.UPDATE_COMMENT,
            period=comment.update.week_start,
            email=person.email,
            recipient=person,
            comment=comment,
        )
        for person in people
        if person.email
    ]
    with transaction.atomic():
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Delivery.objects.filter(
            comment=comment, status__in=[Delivery.Status.PENDING, Delivery.Status.SENDING]
        ).order_by("pk")
    )


def on_comment_posted(sender, comment: UpdateComment, recipients, **kwargs) -> None:
    """The hook's mail side: record the deliveries and enqueue one send task each."""
    from ..tasks import send_delivery

    for delivery in comment_deliveries_plan(comment=comment, people=recipients):
        send_delivery.delay_on_commit(delivery.pk)


def thread_url(comment: UpdateComment) -> str:
    update = comment.update
    code = update.week.code
    return absolute_url(f"{reverse('reports:rollup', kwargs={'code': code})}#project-{update.project_id}")


def build_comment_email(delivery: Delivery) -> EmailMessage | None:
    """The comment as an email to its recipient, in their language; None when it is gone."""
    comment = UpdateComment.objects.select_related("author", "update__project").filter(pk=delivery.comment_id).first()
    if comment is None:
        return None
    update = comment.update
    context = {
        "recipient": delivery.recipient,
        "comment": comment,
        "author": comment.author,
        "project": update.project,
        "week": update.week,
        "update": update,
        "thread_url": thread_url(comment),
        "project_url": absolute_url(reverse("admin:projects_project_change", args=[update.project_id])),
    }
    return render_email(
        template="update_comment",
        context=context,
        to=delivery.email,
        language=recipients.language_of(delivery.recipient),
    )
