"""Admin page to upload a hand-written weekly report: see what would change first, then apply it.

Served by the director's-note admin at /admin/reports/directornote/import/ (URL name
``admin:reports_import_weekly_report``), with a button on that list.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .importing.apply import report_apply
from .importing.jobs import import_job_start, job_progress
from .importing.parser import ReportFormatError, parse_report
from .importing.reading import MAX_BYTES, decode_report
from .models import ImportJob

# Importing writes objectives, key results, projects, milestones, updates, incidents and notes of
# every owner: its own permission, held by the Directors group (and superusers).
IMPORT_PERMISSIONS = ("reports.import_weekly_report",)


class ReportImportForm(forms.Form):
    """Step 1 uploads a file; step 2 posts back its text (kept in a hidden field) to apply it."""

    file = forms.FileField(label=gettext_lazy("Weekly report (Markdown, UTF-8)"), required=False)
    text = forms.CharField(widget=forms.HiddenInput, required=False, max_length=MAX_BYTES)
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        label=gettext_lazy("Owner of the projects the report creates"),
        required=False,
        help_text=gettext_lazy("For lines that name nobody; leave empty to leave such projects without an owner."),
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        try:
            if upload:
                data["text"] = decode_report(upload.read(MAX_BYTES + 1), upload.name)
            if not data.get("text"):
                raise forms.ValidationError(_("Choose a report file to upload."))
            data["report"] = parse_report(data["text"])
        except ReportFormatError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data


def import_weekly_report_view(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    result = None
    applied = False
    if request.method == "POST":
        form = ReportImportForm(request.POST, request.FILES)
        if form.is_valid():
            apply_now = "apply" in request.POST and not form.cleaned_data.get("file")
            report = form.cleaned_data["report"]
            lines = sum(len(objective.projects) for objective in report.objectives)
            if lines > settings.IMPORT_BACKGROUND_PROJECTS:
                # Too long for one web request: a Celery task does it, this page follows its progress.
                job = import_job_start(
                    text=form.cleaned_data["text"],
                    total=lines,
                    dry_run=not apply_now,
                    owner=form.cleaned_data["owner"],
                    user=request.user,
                )
                return redirect("admin:reports_import_job", job.pk)
            result = report_apply(
                form.cleaned_data["report"],
                owner=form.cleaned_data["owner"],
                user=request.user,
                dry_run=not apply_now,
            )
            applied = apply_now
            if applied:
                messages.success(
                    request,
                    _("Week %(week)s imported: %(count)s changes.")
                    % {"week": result.week_code, "count": len(result.changes)},
                )
            form = ReportImportForm(initial={"text": form.cleaned_data["text"], "owner": form.cleaned_data["owner"]})
    else:
        form = ReportImportForm()
    context = {
        **admin.site.each_context(request),
        "title": _("Import a weekly report"),
        "form": form,
        "result": result,
        "applied": applied,
    }
    return TemplateResponse(request, "admin/reports/import_weekly_report.html", context)


def import_job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """A background import: its progress while it runs (the page reloads itself), then its outcome."""
    if not request.user.has_perms(IMPORT_PERMISSIONS):
        raise PermissionDenied
    job = get_object_or_404(ImportJob, pk=job_id)
    finished = job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED)
    form = None
    if job.status == ImportJob.Status.DONE and job.dry_run:
        form = ReportImportForm(initial={"text": job.text, "owner": job.owner})
    context = {
        **admin.site.each_context(request),
        "title": _("Import a weekly report"),
        "job": job,
        "done": job_progress(job),
        "finished": finished,
        "form": form,
        "result": job.result,
    }
    return TemplateResponse(request, "admin/reports/import_job.html", context)
