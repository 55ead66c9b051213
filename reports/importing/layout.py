"""The imported report's layout: its lines in source order, each block with the data it became.

Stored per week in ``reports.models.ReportLayout`` and read by the Markdown export, so the export
keeps the report's order, group headings, ``Created:`` line, numbers as written and the lines the
importer did not understand, while still showing what changed in the app since (see
``reports.markdown``).
"""

from __future__ import annotations

from typing import Any

from reports.models import ReportLayout

from .parser import ParsedReport


def block_rows(report: ParsedReport, rollup: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's blocks as JSON, each with a fingerprint of the rollup data it became."""
    from reports.markdown import RollupIndex  # the export owns the fingerprints; imported late (no cycle)

    index = RollupIndex(rollup)
    rows = []
    for block in report.blocks:
        row: dict[str, Any] = {"section": block.section, "kind": block.kind, "lines": block.lines}
        target = block.target
        if block.kind == "project":
            row["ref"] = target.ref
            row["print"] = index.project_print(target.ref)
        elif block.kind == "incident":
            row["ref"] = target.ref
            row["print"] = index.incident_print(target.ref)
        elif block.kind in ("metrics", "reading"):
            metrics = [m for m in target if hasattr(m, "written")]
            row["slots"] = [{"ref": m.ref, "written": m.written} for m in metrics]
            row["print"] = [index.metric_value(m.ref) for m in metrics]
            row["incidents"] = [i.ref for i in target if not hasattr(i, "written")]
        elif block.kind == "text":
            row["ref"] = target
            row["print"] = index.text(target)
        rows.append(row)
    return rows


def layout_save(report: ParsedReport) -> tuple[str, ReportLayout] | None:
    """Store the week's layout (after the report's data was written); ("create"|"update", row) or None."""
    from reports.rollup import build_rollup

    blocks = block_rows(report, build_rollup(report.week))
    layout = ReportLayout.objects.filter(week_start=report.week.monday).first()
    if layout is not None and layout.blocks == blocks and layout.created_line == report.created_line:
        return None
    action = "update" if layout else "create"
    layout = layout or ReportLayout(week_start=report.week.monday)
    layout.blocks, layout.created_line = blocks, report.created_line
    layout.full_clean()
    layout.save()
    return action, layout


def layout_blocks(week) -> list[dict[str, Any]] | None:
    """The stored blocks of ``week``'s imported report, or None when the week was not imported."""
    layout = ReportLayout.objects.filter(week_start=week.monday).only("blocks").first()
    return layout.blocks if layout else None
