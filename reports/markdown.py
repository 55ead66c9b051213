"""The week as a weekly report in the department's Markdown form, rendered from the rollup dict.

``week_markdown(rollup)`` takes the dict of ``reports.rollup.build_rollup`` (live or frozen) and
writes the sections in the reports' order. It is written together with the importer
(``reports.importing.parser``): importing the Markdown it produces changes nothing. To keep that
promise it asks the parser what each project line already says, and appends only what the data
knows beyond it, as a trailer the parser reads back: ``（进度71.43%，上线2024-01-11）``.

The section titles are the report's own (Chinese) words, not interface text: they are the format.
"""

from __future__ import annotations

import unicodedata
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


def week_markdown_from_data(rollup: dict[str, Any]) -> str:
    """The weekly report of ``rollup`` (a ``build_rollup`` dict) as Markdown text, in the export's own form."""
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


# The export of an imported week: the report's own lines, in its order, while the data still matches.

# What the export of an unchanged imported week does not keep of the source, and nothing else:
NORMALISATIONS = (
    "a byte-order mark at the start is dropped",
    "Windows (CRLF) and old Mac (CR) line ends become LF",
    "spaces and tabs at the end of a line are dropped (so a line of spaces is an empty line)",
    "the text ends with exactly one line end",
)


def normalise_source(text: str) -> str:
    """``text`` with ``NORMALISATIONS`` applied: what the export of an unchanged import equals."""
    text = text.removeprefix("\ufeff")
    lines = [line.rstrip() for line in text.splitlines()]
    return "\n".join(lines).rstrip("\n") + "\n"


INCIDENT_KEYS = ("detected_at", "resolved_at", "grade", "title", "description", "impact", "handling", "follow_up")
TEXT_KEYS = {"highlights": None, "other_work": "other_work", "reflections": "reflections", "next_week": "next_week"}


class RollupIndex:
    """The rollup's projects, key results and incidents by id, and what the layout compares."""

    def __init__(self, rollup: dict[str, Any]) -> None:
        self.rollup = rollup
        self.projects = {p["id"]: p for o in rollup.get("objectives", []) for p in o.get("projects", [])}
        self.key_results = {k["id"]: k for o in rollup.get("objectives", []) for k in o.get("key_results", [])}
        self.key_results.update({m["id"]: m for m in rollup.get("metrics", [])})
        self.incidents = {i["id"]: i for i in rollup.get("incidents", [])}

    def project_print(self, ref: int | None) -> dict[str, Any] | None:
        row = self.projects.get(ref)
        if row is None:
            return None
        return {"name": row["name"], "summary": (row.get("update") or {}).get("summary")}

    def incident_print(self, ref: int | None) -> dict[str, Any] | None:
        row = self.incidents.get(ref)
        return None if row is None else {key: row.get(key) for key in (*INCIDENT_KEYS, "share")}

    def metric_value(self, ref: int | None) -> str | None:
        row = self.key_results.get(ref)
        return None if row is None else row.get("value")

    def text(self, section: str) -> str:
        if section == "highlights":
            return (self.rollup.get("key_work") or {}).get("highlights", "")
        return self.rollup.get(section, "") or ""


def written_like(value: str, written: str) -> str:
    """``value`` with the decimals ``written`` had: ("99.27", "99.270") -> "99.270"."""
    decimals = len(written.split(".", 1)[1]) if "." in written else 0
    number = Decimal(value)
    if decimals and number == number.quantize(Decimal(1).scaleb(-decimals)):
        return f"{number:.{decimals}f}"
    return phrases.format_number(number)


def _substitute(line: str, slots: list[dict[str, Any]], values: list[str | None]) -> str:
    """The metric line with each written number replaced by the week's value, in order."""
    out, rest = "", line
    for slot, value in zip(slots, values, strict=False):
        at = rest.find(slot["written"])
        if at < 0 or value is None:
            continue
        out += rest[:at] + written_like(value, slot["written"])
        rest = rest[at + len(slot["written"]) :]
    return out + rest


def _trailing_blanks(lines: list[str]) -> list[str]:
    count = 0
    for line in reversed(lines):
        if line.strip():
            break
        count += 1
    return [""] * count


class _LayoutRenderer:
    def __init__(self, rollup: dict[str, Any], blocks: list[dict[str, Any]]) -> None:
        self.rollup = rollup
        self.blocks = blocks
        self.index = RollupIndex(rollup)
        self.friday = date.fromisoformat(rollup["week"]["friday"])
        self.used_projects: set[int] = set()
        self.used_incidents: set[int] = set()
        self.used_key_results: set[int] = set()
        self.texts_done: set[str] = set()

    def block(self, block: dict[str, Any]) -> list[str]:
        kind, lines = block["kind"], block["lines"]
        if kind in ("raw", "created"):
            return list(lines)
        if kind == "text":
            section = block["ref"]
            current = self.index.text(section)
            if current == block.get("print"):
                return list(lines)
            if section in self.texts_done:
                return []
            self.texts_done.add(section)
            return [*current.rstrip().splitlines(), *_trailing_blanks(lines)] if current.strip() else []
        if kind in ("metrics", "reading"):
            values = [self.index.metric_value(slot["ref"]) for slot in block["slots"]]
            self.used_key_results.update(slot["ref"] for slot in block["slots"])
            self.used_incidents.update(block.get("incidents", []))  # written inside the line
            if values == block.get("print"):
                return list(lines)
            return [_substitute(lines[0], block["slots"], values), *lines[1:]]
        if kind == "project":
            ref = block.get("ref")
            self.used_projects.add(ref)
            now = self.index.project_print(ref)
            if now is None:
                return []
            if now == block.get("print"):
                return list(lines)
            indent = lines[0][: len(lines[0]) - len(lines[0].lstrip())]
            rendered = project_line(self.index.projects[ref], self.friday)
            return [indent + line for line in rendered] + _trailing_blanks(lines)
        if kind == "incident":
            ref = block.get("ref")
            self.used_incidents.add(ref)
            now = self.index.incident_print(ref)
            if now is None:  # not in this week's incidents: as written when it was not then either
                return list(lines) if block.get("print") is None else []
            if now == block.get("print"):
                return list(lines)
            return incident_lines(self.index.incidents[ref]) + _trailing_blanks(lines)
        return list(lines)

    def extras(self, section: str) -> list[str]:
        """What the data has this week beyond the report's lines, at the end of its section."""
        if section == "metrics":
            week = self.rollup["week"]["code"]
            return [
                line
                for m in self.rollup.get("metrics", [])
                if m["id"] not in self.used_key_results and (line := metric_line(m, week))
            ]
        if section == "incidents":
            return [
                line
                for i in self.rollup.get("incidents", [])
                if i["id"] not in self.used_incidents
                for line in incident_lines(i)
            ]
        for objective in self.rollup.get("objectives", []):
            if objective["code"] == section:
                return [
                    line
                    for p in objective.get("projects", [])
                    if p["id"] not in self.used_projects and p.get("update")
                    for line in project_line(p, self.friday)
                ]
        return []

    def render(self) -> str:
        out: list[str] = []
        sections = [b["section"] for b in self.blocks]
        for position, block in enumerate(self.blocks):
            out.extend(self.block(block))
            following = sections[position + 1] if position + 1 < len(sections) else None
            if following != block["section"]:
                extra = self.extras(block["section"])
                if extra:
                    blanks = _trailing_blanks(out)
                    del out[len(out) - len(blanks) :]
                    out.extend([*extra, *blanks])
        present = set(sections)
        for objective in self.rollup.get("objectives", []):
            if objective["code"] not in present and (extra := self.extras(objective["code"])):
                out += ["", *_section(f"【{objective['code']} {objective['title']}】", extra)]
        if "incidents" not in present and (extra := self.extras("incidents")):
            out += ["", *_section("【生产事件】", extra, level=3)]
        return "\n".join(out).rstrip() + "\n"


# Fields that are one line of the report each: a line break in one (entered before names were
# checked, or by a direct database write) must not start a line of its own in the export, where
# re-importing it would plant a project, a milestone or an incident.
ONE_LINE_KEYS = frozenset({"name", "title", "project_name", "owner_name", "team_name"})
_LINE_BREAKING = {"Cc", "Zl", "Zp"}


def one_line(text: str) -> str:
    """``text`` with line breaks, tabs and other control characters as single spaces."""
    if not any(unicodedata.category(char) in _LINE_BREAKING for char in text):
        return text
    flat = "".join(" " if unicodedata.category(char) in _LINE_BREAKING else char for char in text)
    return " ".join(flat.split())


def flatten_one_line_fields(data: Any) -> Any:
    """A copy of the rollup with every one-line field (``ONE_LINE_KEYS``) flattened by ``one_line``."""
    if isinstance(data, dict):
        return {
            key: one_line(value) if key in ONE_LINE_KEYS and isinstance(value, str) else flatten_one_line_fields(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [flatten_one_line_fields(item) for item in data]
    return data


def week_markdown(rollup: dict[str, Any], layout: list[dict[str, Any]] | None = None) -> str:
    """The week as Markdown: the imported report's own form when ``layout`` (its blocks) is given."""
    rollup = flatten_one_line_fields(rollup)
    if layout:
        return _LayoutRenderer(rollup, layout).render()
    return week_markdown_from_data(rollup)
