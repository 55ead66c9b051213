"""Import hand-written weekly reports (Markdown) into objectives, projects, metrics and incidents."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from reports.importing.apply import DEFAULT_METRICS_OBJECTIVE, ImportResult, NoOwnerError, report_apply
from reports.importing.parser import ReportFormatError, parse_report
from reports.importing.reading import decode_report


def owner_for(username: str | None):
    """The named user, or the first superuser; CommandError when there is none."""
    users = get_user_model().objects
    if username:
        owner = users.filter(username=username).first()
        if owner is None:
            raise CommandError(_("There is no user “%(name)s”.") % {"name": username})
        return owner
    owner = users.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if owner is None:
        raise CommandError(_("There is no superuser to own new projects: create one, or pass --owner USERNAME."))
    return owner


def result_lines(result: ImportResult) -> list[str]:
    """What the command and the admin page print for one imported report."""
    lines = []
    for change in result.changes:
        lines.append("  " + str(change))
    for number, raw in result.unparsed:
        lines.append(
            "  "
            + _("line %(line)s not understood, kept in the notes: %(text)s") % {"line": number, "text": raw.strip()}
        )
    for warning in result.warnings:
        lines.append("  " + _("warning: %(message)s") % {"message": warning})
    return lines


class Command(BaseCommand):
    help = _("Import weekly reports written in the department's Markdown form.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help=_("Report files (UTF-8 Markdown)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Print what would change; write nothing."))
        parser.add_argument(
            "--owner", help=_("Username owning the projects the import creates (default: first superuser).")
        )
        parser.add_argument(
            "--metrics-objective",
            default=DEFAULT_METRICS_OBJECTIVE,
            help=_("Objective code that new operating metrics are filed under (default: O3)."),
        )

    def handle(self, *args, files: list[Path], dry_run: bool, owner: str | None, metrics_objective: str, **options):
        reports = []
        for path in files:  # read and parse everything first: a bad file stops the run before any write
            try:
                text = decode_report(path.read_bytes(), str(path))
                reports.append((path, parse_report(text)))
            except OSError as exc:
                raise CommandError(
                    _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
                ) from exc
            except ReportFormatError as exc:
                raise CommandError(f"{path}: {exc}") from exc
        owner_user = owner_for(owner)
        # One transaction for all files: a dry run of several reports shows each seeing the ones before it.
        with transaction.atomic():
            total = self.import_all(reports, owner_user, dry_run, metrics_objective)
            if dry_run:
                transaction.set_rollback(True)
        summary = _("Dry run: nothing was written.") if dry_run else _("Done.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary} " + _("%(total)s changes in %(count)s reports.") % {"total": total, "count": len(reports)}
            )
        )

    def import_all(self, reports, owner_user, dry_run: bool, metrics_objective: str) -> int:
        total = 0
        for index, (path, report) in enumerate(reports, start=1):
            try:
                result = report_apply(report, owner=owner_user, dry_run=False, metrics_objective=metrics_objective)
            except NoOwnerError as exc:
                raise CommandError(str(exc)) from exc
            total += len(result.changes)
            verb = _("would change") if dry_run else _("changed")
            self.stdout.write(
                _(
                    "[%(index)s/%(count)s] %(path)s: week %(week)s (%(date)s), %(verb)s %(changes)s rows, "
                    "%(unparsed)s lines not understood"
                )
                % {
                    "index": index,
                    "count": len(reports),
                    "path": path,
                    "week": result.week_code,
                    "date": result.report_date.isoformat(),
                    "verb": verb,
                    "changes": len(result.changes),
                    "unparsed": len(result.unparsed),
                }
            )
            for line in result_lines(result):
                self.stdout.write(line)
        return total
