"""Print a week as a weekly report in the department's Markdown form (the page's download, too)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from projects.weeks import Week
from reports.importing.layout import layout_blocks
from reports.markdown import week_markdown
from reports.rollup import build_rollup


class Command(BaseCommand):
    help = _("Export one week as a Markdown weekly report.")

    def add_arguments(self, parser):
        parser.add_argument("--week", required=True, help=_("The week, like 2023-W53."))
        parser.add_argument("--output", type=Path, help=_("Write to this file instead of printing."))

    def handle(self, *args, week: str, output: Path | None, **options):
        try:
            parsed = Week.parse(week)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        text = week_markdown(build_rollup(parsed), layout_blocks(parsed))
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": output, "error": exc.strerror}) from exc
        self.stderr.write(_("Wrote %(path)s.") % {"path": output})
