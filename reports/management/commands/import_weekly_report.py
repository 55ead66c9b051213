"""Import hand-written weekly reports (Markdown) into objectives, projects, metrics and incidents."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from reports.importing.apply import DEFAULT_METRICS_OBJECTIVE, ImportResult, report_apply
from reports.importing.parser import ParsedReport, ReportFormatError, parse_report
from reports.importing.reading import decode_report


def owner_for(username: str | None):
    """The named user (None without a name: projects the report does not give an owner stay without)."""
    if not username:
        return None
    owner = get_user_model().objects.filter(username=username).first()
    if owner is None:
        raise CommandError(_("There is no user “%(name)s”.") % {"name": username})
    return owner


def check_lines(report: ParsedReport, text: str) -> list[str]:
    """Every line of the report with where it went: the fidelity check a director can read."""
    lines = text.splitlines()
    width = len(str(len(lines)))
    out = []
    for number, raw in enumerate(lines, start=1):
        where = report.placements.get(number, _("kept verbatim"))
        out.append(f"{number:>{width}} │ {where}")
        if raw.strip():
            out.append(f"{'':>{width}} │   {raw.strip()}")
    return out


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
    if result.unknown_owners:
        lines.append(
            "  "
            + _("owners not found (projects left without an owner): %(names)s")
            % {"names": ", ".join(f"{name} (line {line})" for line, name in result.unknown_owners)}
        )
    return lines


class Command(BaseCommand):
    help = _("Import weekly reports written in the department's Markdown form.")

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help=_("Report files (UTF-8 Markdown)."))
        parser.add_argument("--dry-run", action="store_true", help=_("Print what would change; write nothing."))
        parser.add_argument(
            "--check",
            action="store_true",
            help=_("Dry run, then print each line of the report with where it went (nothing is written)."),
        )
        parser.add_argument(
            "--owner",
            help=_("Username owning the projects the import creates when a line names nobody (default: none)."),
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help=_("Fail, writing nothing, when a report gives any warning (an unusable number or date, …)."),
        )
        parser.add_argument(
            "--metrics-objective",
            default=DEFAULT_METRICS_OBJECTIVE,
            help=_("Objective code that new operating metrics are filed under (default: O3)."),
        )

    def handle(
        self,
        *args,
        files: list[Path],
        dry_run: bool,
        check: bool,
        owner: str | None,
        metrics_objective: str,
        strict: bool = False,
        **options,
    ):
        dry_run = dry_run or check
        reports = []
        texts = []
        for path in files:  # read and parse everything first: a bad file stops the run before any write
            try:
                text = decode_report(path.read_bytes(), str(path))
                reports.append((path, parse_report(text)))
                texts.append(text)
            except OSError as exc:
                raise CommandError(
                    _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
                ) from exc
            except ReportFormatError as exc:
                raise CommandError(f"{path}: {exc}") from exc
        owner_user = owner_for(owner)
        # One transaction for all files: a dry run of several reports shows each seeing the ones before it.
        with transaction.atomic():
            total, warnings = self.import_all(reports, owner_user, dry_run, metrics_objective)
            if strict and warnings:
                # Leaving the block with an error rolls everything back: nothing is written.
                raise CommandError(_("--strict: %(count)s warnings, nothing was imported.") % {"count": warnings})
            if check:
                for (path, report), text in zip(reports, texts, strict=True):
                    self.stdout.write(_("Where each line of %(path)s went:") % {"path": path})
                    for line in check_lines(report, text):
                        self.stdout.write(line)
            if dry_run:
                transaction.set_rollback(True)
        summary = _("Dry run: nothing was written.") if dry_run else _("Done.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary} " + _("%(total)s changes in %(count)s reports.") % {"total": total, "count": len(reports)}
            )
        )

    def import_all(self, reports, owner_user, dry_run: bool, metrics_objective: str) -> tuple[int, int]:
        """Import every report in turn: (changes, warnings) in total."""
        total = warnings = 0
        for index, (path, report) in enumerate(reports, start=1):
            result = report_apply(report, owner=owner_user, dry_run=False, metrics_objective=metrics_objective)
            total += len(result.changes)
            warnings += len(result.warnings) + len(result.unparsed)
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
        return total, warnings
