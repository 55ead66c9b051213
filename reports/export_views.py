"""The rollup page's Markdown download: the week as a weekly report, from the same rollup data."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from .importing.layout import layout_blocks
from .markdown import week_markdown
from .views import rollup_for_request, week_or_404


@require_GET
@login_required
def rollup_markdown(request: HttpRequest, code: str) -> HttpResponse:
    """The frozen rollup when there is one (as the page shows it), else the live one, as Markdown."""
    week = week_or_404(code)
    text = week_markdown(rollup_for_request(request, week), layout_blocks(week))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="weekly-report-{week.code}.md"'
    return response
