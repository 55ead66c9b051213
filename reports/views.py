"""The directors' weekly rollup page and its CSV download: thin views over ``reports.rollup``."""

from __future__ import annotations

import csv
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from projects import querysets, services
from projects.models import ProgressUpdate, UpdateComment
from projects.weeks import Week, WeekError

from .models import RollupSnapshot
from .rollup import RollupFilters, Source, read_week
from .rollup.page import Articles
from .rollup.summary import what_changed


def week_or_404(code: str) -> Week:
    try:
        return Week.parse(code)
    except WeekError as exc:
        raise Http404(str(exc)) from exc


def rollup_for_request(request: HttpRequest, week: Week) -> dict:
    """The week as the request asks for it: frozen when it is (unless ?live=1), filtered."""
    source = Source.LIVE if request.GET.get("live") == "1" else Source.AUTO
    return read_week(week, source=source, filters=RollupFilters.from_query(request.GET))


def _jump_target(text: str) -> Week | None:
    """A week code (2023-W53) or any date in the week (2023-12-29); None when it is neither."""
    try:
        return Week.parse_week_or_day(text)
    except WeekError:
        return None


@require_GET
@login_required
def rollup_page(request: HttpRequest, code: str | None = None) -> HttpResponse:
    if "goto" in request.GET:
        target = _jump_target(request.GET["goto"])
        if target is not None:
            return redirect("reports:rollup", code=target.code)
    week = week_or_404(code) if code else Week.current()
    page_key = frozen_page_key(request, week)
    if page_key is not None and (page := cache.get(page_key)) is not None:
        return HttpResponse(page.replace(CSRF_STAND_IN, get_token(request)))
    # Without a frozen page there is no snapshot (or live data was asked for): build it now.
    source = Source.AUTO if page_key is not None else Source.LIVE
    data = read_week(week, source=source, filters=RollupFilters.from_query(request.GET))
    project_ids = [p["id"] for o in data["objectives"] for p in o["projects"]]
    # A frozen page is kept with a stand-in for the forms' CSRF token, swapped for the reader's own.
    csrf_token = CSRF_STAND_IN if page_key is not None else get_token(request)
    context = {
        "rollup": data,
        "week": data["week"],
        "week_label": week_label(data["week"]),
        "changed": what_changed(data),
        "report_order": request.GET.get("order") == "report",
        "articles": Articles(
            week_code=week.code,
            threads=comment_threads(week, project_ids),
            may_acknowledge=querysets.may_acknowledge(request.user),
            user_id=request.user.pk,
            csrf_token=csrf_token,
        ),
        "jump_error": _("Write a week like 2023-W53 or a date like 2023-12-29.") if "goto" in request.GET else "",
        "live": request.GET.get("live") == "1",
        "query": request.GET.urlencode(),
    }
    if page_key is None:
        return render(request, "reports/rollup.html", context)
    page = render_to_string("reports/rollup.html", {**context, "csrf_token": csrf_token}, request=request)
    cache.set(page_key, page, FROZEN_PAGE_SECONDS)
    return HttpResponse(page.replace(CSRF_STAND_IN, get_token(request)))


# A frozen week's page is rendered once per reader, language and filters and then served from the
# cache, until the week is frozen again or its comment threads change (they stay live). The CSRF token
# of the comment and language forms is swapped in per request.
CSRF_STAND_IN = "okrtracker-csrf-stand-in-5b1e"
FROZEN_PAGE_SECONDS = 24 * 3600


def frozen_page_key(request: HttpRequest, week: Week) -> str | None:
    """The cache key of the week's frozen page as this request would see it; None for a live page."""
    if request.GET.get("live") == "1":
        return None
    snapshot = RollupSnapshot.objects.filter(week_start=week.monday).values_list("pk", "compiled_at").first()
    if snapshot is None:
        return None
    comments = UpdateComment.objects.filter(update__week_start=week.monday).aggregate(n=Count("pk"), last=Max("pk"))
    query = "&".join(sorted(request.GET.urlencode().split("&")))
    return ":".join(
        str(part)
        for part in (
            "rollup-page",
            snapshot[0],
            snapshot[1].timestamp(),
            translation.get_language(),
            request.user.pk,
            comments["n"],
            comments["last"],
            query,
        )
    )


def week_label(week: dict) -> str:
    """The week as the reader's language writes it: 2023年第53周 or 2023-W53."""
    return week["label_zh"] if (translation.get_language() or "").startswith("zh") else week["label_en"]


def comment_threads(week: Week, project_ids: list[int]) -> dict[int, dict]:
    """Per project of the week: the comments on its update (oldest first) and whether it was acknowledged.

    One query whatever the number of projects; comments are live (they are a conversation, not part
    of the frozen report).
    """
    threads: dict[int, dict] = defaultdict(lambda: {"comments": [], "acknowledged": False})
    for comment in UpdateComment.objects.for_week(week.monday, project_ids):
        thread = threads[comment.update.project_id]
        thread["comments"].append(comment)
        thread["acknowledged"] = thread["acknowledged"] or comment.acknowledged
    return dict(threads)


@require_POST
@login_required
def comment_on_update(request: HttpRequest, code: str, project_id: int) -> HttpResponse:
    """A comment or an acknowledgement on a project's update of the week, from the rollup page."""
    week = week_or_404(code)
    update = get_object_or_404(
        ProgressUpdate.objects.select_related("project"), project_id=project_id, week_start=week.monday
    )
    back = reverse("reports:rollup", kwargs={"code": week.code}) + f"#project-{project_id}"
    try:
        services.update_comment_post(
            update=update,
            author=request.user,
            text=request.POST.get("text", "")[:4000],
            acknowledge=request.POST.get("acknowledge") == "1",
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(request, _("Your comment was saved and the people concerned were told by email."))
    return redirect(back)


CSV_COLUMNS = [
    ("objective_code", "objective"),
    ("name", "project"),
    ("owner", "owner"),
    ("team", "team"),
    ("status", "status"),
    ("health", "health"),
    ("percent", "percent"),
    ("change_points", "change_points"),
    ("is_stale", "stale"),
    ("is_key_work", "key_work"),
]


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # Keep spreadsheets from running formulas typed into a note (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@require_GET
@login_required
def rollup_projects_csv(request: HttpRequest, code: str) -> HttpResponse:
    """One line per project of the week (after filters), in the page's order; UTF-8 with a BOM for Excel."""
    week = week_or_404(code)
    data = rollup_for_request(request, week)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rollup-{week.code}-projects.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(
        [header for _key, header in CSV_COLUMNS]
        + ["next_milestone", "next_milestone_due", "qa_date", "qa_slip_days", "launch_date", "launch_slip_days"]
        + ["launch_reschedules", "planned_last_week", "this_week", "next_steps", "risks"]
    )
    for objective in data["objectives"]:
        for project in objective["projects"]:
            update = project["update"] or {}
            milestone = project["next_milestone"] or {}
            row = [project[key] for key, _header in CSV_COLUMNS] + [
                milestone.get("title"),
                milestone.get("due_date"),
                project["qa"]["date"],
                project["qa"]["days"],
                project["launch"]["date"],
                project["launch"]["days"],
                project["launch"]["times"],
                project["planned"],
                update.get("summary"),
                update.get("next_steps"),
                update.get("risks"),
            ]
            writer.writerow([_cell(value) for value in row])
    return response
