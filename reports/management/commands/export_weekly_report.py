"""Print a week as a weekly report in the department's Markdown form (the page's download, too)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.importing.layout import layout_blocks
from reports.management.mailing import parse_week
from reports.markdown import week_markdown
from reports.rollup import NotFrozen, Source, read_week


class Command(BaseCommand):
    help = _("Export one week as a Markdown weekly report.")

    def add_arguments(self, parser):
        parser.add_argument("--week", required=True, help=_("The week, like 2023-W53."))
        parser.add_argument("--output", type=Path, help=_("Write to this file instead of printing."))
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--frozen", action="store_true", help=_("Only the frozen snapshot (an error when the week has none).")
        )
        source.add_argument("--live", action="store_true", help=_("Build the week now, even when it is frozen."))

    def handle(self, *args, week: str, output: Path | None, frozen: bool, live: bool, **options):
        source = Source.FROZEN if frozen else Source.LIVE if live else Source.AUTO
        try:
            parsed = parse_week(week)
            text = week_markdown(read_week(parsed, source=source), layout_blocks(parsed))
        except NotFrozen as exc:
            raise CommandError(str(exc)) from exc
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": output, "error": exc.strerror}) from exc
        self.stderr.write(_("Wrote %(path)s.") % {"path": output})
