"""The admin home's "this week at a glance" for directors: updates, slips, incidents, the digest's state."""

from __future__ import annotations

from django import template
from django.db.models import Count

from projects.querysets import may_acknowledge
from projects.weeks import Week

from .. import workdays
from ..models import Delivery, RollupSnapshot
from ..rollup import read_week
from ..rollup.summary import what_changed

register = template.Library()


def week_at_a_glance(week: Week) -> dict:
    """This week's state from the same rollup and summary the page and digest use, plus the digest's deliveries."""
    data = read_week(week)
    projects = [p for o in data["objectives"] for p in o["projects"] if not p["done_earlier"]]
    snapshot = RollupSnapshot.objects.filter(week_start=week.monday).only("compiled_at").first()
    deliveries = dict(
        Delivery.objects.filter(kind=Delivery.Kind.DIGEST, period=week.monday)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "week": week,
        "updated": sum(1 for p in projects if p["update"]),
        "projects": len(projects),
        "changed": what_changed(data),
        "digest_day": workdays.digest_day(week),
        "frozen_at": snapshot.compiled_at if snapshot else None,
        "deliveries": {status: deliveries.get(status, 0) for status in Delivery.Status.values},
        "failed": deliveries.get(Delivery.Status.FAILED, 0),
    }


@register.simple_tag(takes_context=True)
def director_home(context) -> dict | None:
    """None for people who are not directors (owners see their own prompt)."""
    user = context["request"].user
    return week_at_a_glance(Week.current()) if may_acknowledge(user) else None
