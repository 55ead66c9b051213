"""The rollup page's project articles: each project line of a rollup written as the page prints it
(labels, numbers, dates, links and its comment thread, formatted once here), then rendered through
``reports/rollup_project.html`` once per shape and filled in (``reports.merge``): a department's page
has hundreds of them, and rendering each in full was most of the page's time.
"""

from __future__ import annotations

from django.template.defaultfilters import date as date_format
from django.template.defaultfilters import floatformat, linebreaksbr
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from projects.names import person_name

from .. import charts
from ..merge import merged_html
from ..paths import paths_for
from ..templatetags.rollup_tags import format_percent, format_points, health_label, project_status_label
from .types import DateSlip, ProjectLine

TEMPLATE = "reports/rollup_project.html"
MILESTONE_TEMPLATE = "reports/rollup_milestone.html"


class Articles:
    """The articles of one page, for one reader: what is the same for all of them is worked out once."""

    def __init__(self, *, week_code: str, threads: dict, may_acknowledge: bool, user_id, csrf_token) -> None:
        self.threads, self.may_acknowledge, self.user_id = threads, may_acknowledge, user_id
        self.csrf_token = str(csrf_token)
        self.trend_title = _("%(name)s: percent over recent weeks")
        self.qa_slip = _("QA date slipped %(days)s days (%(times)s× rescheduled): %(base)s → %(now)s")
        self.launch_slip = _("Launch date slipped %(days)s days (%(times)s× rescheduled): %(base)s → %(now)s")
        self.admin_url = paths_for("admin:projects_project_change")
        self.history_url = paths_for("admin:projects_project_history")
        self.comment_url = paths_for("reports:update-comment", week_code)

    def render(self, p: ProjectLine) -> SafeString:
        """The project's ``<article>``."""
        return merged_html(TEMPLATE, self.context(p))

    def context(self, p: ProjectLine) -> dict:
        """What ``rollup_project.html`` prints of the project: text, and flags for what it shows."""
        thread = self.threads.get(p["id"]) or {"comments": [], "acknowledged": False}
        update, upcoming, project_id = p["update"], p["next_milestone"], str(p["id"])
        change = format_points(p["change_points"])
        return {
            "id": project_id,
            "name": p["name"],
            "health": p["health"],
            "health_label": health_label(p["health"]),
            "status_label": project_status_label(p["status"]) if p["status"] != "in_progress" else None,
            "is_key_work": p["is_key_work"],
            "is_stale": p["is_stale"],
            "is_changed": p["changed"],
            "acknowledged": thread["acknowledged"],
            "owner": p["owner"],
            "team": p["team"] or None,
            "admin_url": self.admin_url(project_id),
            "history_url": self.history_url(project_id),
            "bar": floatformat(p["percent"], 0),
            "percent": format_percent(p["percent"]),
            "change": change or None,
            "change_down": change.startswith("-"),
            "sparkline": charts.sparkline(
                [point["value"] for point in p["trend"]], low=0, high=100, title=self.trend_title % {"name": p["name"]}
            ),
            "next_milestone": {
                "title": upcoming["title"],
                "due": upcoming["due_date"][:10] if upcoming["due_date"] else None,
            }
            if upcoming
            else None,
            "qa_slip": _slip(self.qa_slip, p["qa"]),
            "launch_slip": _slip(self.launch_slip, p["launch"]),
            "milestones": [_milestone(m) for m in p["milestones"]] if p["is_key_work"] else [],
            "planned": linebreaksbr(p["planned"] or "—"),
            "summary": linebreaksbr(update["summary"]) if update else None,
            "risks": linebreaksbr(update["risks"]) if update and update["risks"] else None,
            "has_update": update is not None,
            "comments": [_comment(c) for c in thread["comments"]],
            "may_acknowledge": self.may_acknowledge,
            "may_comment": self.may_acknowledge or p["owner_id"] == self.user_id,
            "comment_url": self.comment_url(project_id),
            "csrf_token": self.csrf_token,
        }


def _slip(sentence: str, slip: DateSlip) -> str | None:
    if not slip["slipped"]:
        return None
    return sentence % {
        "days": slip["days"],
        "times": slip["times"],
        "base": (slip["baseline"] or "")[:10],
        "now": (slip["date"] or "")[:10],
    }


def _milestone(m: dict) -> dict:
    done_on, due = m["completed_on"], m["due_date"]
    return {
        "status": m["status"],
        "is_overdue": m["is_overdue"],
        "title": m["title"],
        "when": f"✔ {done_on[5:10]}" if done_on else (due[5:10] if due else None),
        "percent": format_percent(m["percent"]) if m["status"] != "done" and m["percent"] else None,
    }


def _comment(comment) -> dict:
    return {
        "author": person_name(comment.author),
        "at": date_format(timezone.localtime(comment.created_at), "m-d H:i"),
        "acknowledged": comment.acknowledged,
        "text": linebreaksbr(comment.text) if comment.text else None,
    }


def milestone_items(milestones: list[dict], kind: str) -> SafeString:
    """The ``<li>`` items of a milestone list (``completed``, ``due``, ``overdue`` under an objective,
    ``overdue_since`` in what changed), merged: a department's lists hold hundreds of them."""
    phrase = {"overdue": _("due %(due)s"), "overdue_since": _("overdue since %(due)s")}.get(kind)
    items = []
    for m in milestones:
        day = ((m["completed_on"] if kind == "completed" else m["due_date"]) or "")[5:10]
        context = {
            "project": m["project_name"],
            "title": m["title"],
            "when": phrase % {"due": day} if phrase else day,
            "done": kind == "completed",
            "overdue": phrase is not None,
            "wrapped": kind == "overdue",
        }
        items.append(merged_html(MILESTONE_TEMPLATE, context).strip())  # one line per item
    return mark_safe("".join(items))
