"""The week as a weekly report in the department's Markdown form, rendered from the rollup dict.

``week_markdown(rollup)`` takes the dict of ``reports.rollup.build_rollup`` (live or frozen) and
writes the sections in the reports' order. It is written together with the importer
(``reports.importing.parser``): importing the Markdown it produces changes nothing. To keep that
promise it asks the parser what each project line already says, and appends only what the data
knows beyond it, as a trailer the parser reads back: ``（进度71.43%，上线2024-01-11）``.

The section titles are the report's own (Chinese) words, not interface text: they are the format.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .importing import phrases
from .importing.parser import KEY_PROJECT_MARK, NO_UPDATE_MARK, ParsedIncident, finish_incident, parse_project

INDENT = "    "


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def project_line(project: dict[str, Any], reference: date) -> list[str]:
    """A project's bullet and the lines under it, from the week's update and the project's data."""
    name = project["name"]
    update = project.get("update")
    if not update:
        return [f"- {name}{NO_UPDATE_MARK}"]
    first, *rest = (update.get("summary") or "").split("\n") or [""]
    first = first.strip()
    line = first or name
    parsed = parse_project(0, "", line, reference)
    if parsed.name != name or parsed.summary != first:
        line = f"{name}，{first}" if first else name
        parsed = parse_project(0, "", line, reference)
    percent = _decimal(project.get("percent"))
    qa = _date((project.get("qa") or {}).get("date"))
    launch = _date((project.get("launch") or {}).get("date"))
    missing_percent = (
        percent is not None and parsed.percent != percent and not (parsed.percent is None and percent == 0)
    )
    if missing_percent or (qa and parsed.qa_date != qa) or (launch and parsed.launch_date != launch):
        line += phrases.format_trailer(
            percent=percent if percent is not None else parsed.percent,
            qa_date=qa if qa and parsed.qa_date != qa else None,
            launch_date=launch if launch and parsed.launch_date != launch else None,
        )
    lines = [f"- {line}"]
    rest = [text.strip() for text in rest if text.strip()]
    lines.extend(INDENT + text for text in rest)
    if not rest:
        lines.extend(INDENT + text for text in milestone_lines(project.get("milestones") or [], reference))
    return lines


def milestone_lines(milestones: list[dict[str, Any]], reference: date) -> list[str]:
    """Numbered milestones (open ones, and those done this week) in a form the parser reads back."""
    words = {"done": "完成", "in_progress": "进行中", "blocked": "受阻", "not_started": "未开始"}
    lines = []
    for number, milestone in enumerate(
        (m for m in milestones if m["status"] != "cancelled" and (m["status"] != "done" or m.get("completed_on"))),
        start=1,
    ):
        parts = [milestone["title"]]
        if milestone["status"] == "done":
            parts.append(words["done"])
        else:
            if milestone.get("percent"):
                parts.append(f"进度{phrases.format_number(milestone['percent'])}%")
            else:
                parts.append(words.get(milestone["status"], ""))
            if milestone.get("due_date"):
                parts.append(f"预计{milestone['due_date']}完成")
        lines.append(f"{number}. " + "，".join(p for p in parts if p))
    return lines


def incident_lines(incident: dict[str, Any]) -> list[str]:
    detected = datetime.fromisoformat(incident["detected_at"])
    title = incident.get("title") or ""
    description = (incident.get("description") or title).strip()
    probe = ParsedIncident(0, detected.date(), None, None, "", description)
    finish_incident(probe)
    if title and probe.title != title:
        description = f"{title}，{description}"  # the importer takes the first clause as the title
        probe = ParsedIncident(0, detected.date(), None, None, "", description)
        finish_incident(probe)
    first, *more = description.split("\n")
    first = first.strip()
    grade = incident.get("grade") or ""
    if grade in ("A", "B", "C", "D") and not (probe.grade == grade and incident.get("share") in (None, "1")):
        share = incident.get("share")
        first += f"（{grade}级，定责{share}）" if share not in (None, "1") else f"（{grade}级）"
    lines = [f"- {detected.month}/{detected.day} {detected:%H:%M} {first}"]
    lines.extend(INDENT + text.strip() for text in more if text.strip())
    if incident.get("impact") and incident["impact"] != probe.impact:
        lines.append(INDENT + "影响：" + incident["impact"].replace("\n", "\n" + INDENT))
    if incident.get("handling"):
        lines.append(INDENT + "处置：" + incident["handling"].replace("\n", "\n" + INDENT))
    if incident.get("follow_up"):
        lines.append(INDENT + "跟进：" + incident["follow_up"].replace("\n", "\n" + INDENT))
    return lines


def metric_line(metric: dict[str, Any], week_code: str) -> str | None:
    """ "- 入金有效成功率：99.997%" for a metric read this week; None when it has no reading this week."""
    trend = metric.get("trend") or []
    if not trend or trend[-1].get("week") != week_code or trend[-1].get("value") is None or metric["value"] is None:
        return None
    line = f"- {metric['title']}：{metric['value']}{metric.get('unit') or ''}"
    if metric.get("note"):
        line += "，" + metric["note"]
    return line


def _section(title: str, body: list[str] | str, level: int = 2) -> list[str]:
    text = body if isinstance(body, str) else "\n".join(body)
    return [f"{'#' * level} {title}", "", *([text.rstrip(), ""] if text.strip() else [])]


def week_markdown(rollup: dict[str, Any]) -> str:
    """The weekly report of ``rollup`` (a ``build_rollup`` dict) as Markdown text."""
    week = rollup["week"]
    friday = date.fromisoformat(week["friday"])
    compiled = datetime.fromisoformat(rollup["compiled_at"]) if rollup.get("compiled_at") else None
    out = [f"# 第{week['number']}周 {friday:%Y/%m/%d}", ""]
    if compiled:
        out += [f"Created: {compiled.year}年{compiled.month}月{compiled.day}日 {compiled:%H:%M}", ""]

    key_work = rollup.get("key_work") or {}
    key_projects = "\n".join(
        f"- {KEY_PROJECT_MARK}{p['name']}（进度{phrases.format_number(p['percent'])}%）"
        for p in key_work.get("projects", [])
    )
    out += _section("【重点工作】", "\n\n".join(filter(None, [key_work.get("highlights", "").rstrip(), key_projects])))

    metrics = [line for m in rollup.get("metrics", []) if (line := metric_line(m, week["code"]))]
    out += _section("【系统运行数据】", metrics)

    for objective in rollup.get("objectives", []):
        lines = []
        for project in objective.get("projects", []):
            seen_before = any(point.get("value") is not None for point in (project.get("trend") or [])[:-1])
            if project.get("update") or (project.get("is_stale") and seen_before):
                lines.extend(project_line(project, friday))
        out += _section(f"【{objective['code']} {objective['title']}】".replace(" 】", "】"), lines)

    incidents = [line for i in rollup.get("incidents", []) for line in incident_lines(i)]
    out += _section("【生产事件】", incidents or ["无"], level=3)
    out += _section("【其他】", rollup.get("other_work", ""))
    out += _section("收获与反思", rollup.get("reflections", ""))
    next_week = rollup.get("next_week", "")
    if not next_week.strip():
        steps = rollup.get("next_steps") or []
        next_week = "\n".join(
            f"{n}. {s['project']}：{' '.join(s['text'].split())}" for n, s in enumerate(steps, start=1)
        )
    out += _section("下周工作及目标", next_week, level=1)
    return "\n".join(out).rstrip() + "\n"
