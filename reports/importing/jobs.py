"""Large report imports in the background: a job row, a Celery task, progress in the shared cache.

The import itself runs in one transaction (all or nothing), so its progress cannot be read from
the database until it commits: the applier reports "n of N project lines" to the cache (shared by
every process in production), and the admin's job page reads it.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from reports.models import ImportJob

from .apply import ImportResult, report_apply
from .parser import ReportFormatError, parse_report


def _progress_key(job_id: int) -> str:
    return f"report-import:{job_id}:done"


def job_progress(job: ImportJob) -> int:
    """Project lines done so far (all of them once the job finished)."""
    if job.status == ImportJob.Status.DONE:
        return job.total
    return cache.get(_progress_key(job.pk)) or 0


def result_as_data(result: ImportResult) -> dict:
    return {
        "week_code": result.week_code,
        "changes": [str(change) for change in result.changes],
        "unparsed": [list(item) for item in result.unparsed],
        "warnings": list(result.warnings),
    }


def import_job_start(*, text: str, total: int, dry_run: bool, owner, user) -> ImportJob:
    """Record a job and queue its task once the row is committed."""
    from reports.tasks import run_import_job

    job = ImportJob.objects.create(text=text, total=total, dry_run=dry_run, owner=owner, started_by=user)
    run_import_job.delay_on_commit(job.pk)
    return job


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run a queued job once (a conditional update claims it); None when another run has it."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING
    )
    if not claimed:
        return None
    job = ImportJob.objects.get(pk=job_id)

    def progress(done: int, total: int) -> None:
        cache.set(_progress_key(job.pk), done, timeout=24 * 3600)

    try:
        report = parse_report(job.text)
        result = report_apply(report, owner=job.owner, user=job.started_by, dry_run=job.dry_run, progress=progress)
    except ReportFormatError as exc:
        job.status, job.error = ImportJob.Status.FAILED, str(exc)
    except Exception as exc:
        job.status, job.error = ImportJob.Status.FAILED, f"{type(exc).__name__}: {exc}"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        raise
    else:
        job.status, job.result = ImportJob.Status.DONE, result_as_data(result)
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "result", "error", "finished_at"])
    return job
