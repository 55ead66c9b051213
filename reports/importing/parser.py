"""Read a hand-written weekly report (Markdown) into plain data with line numbers. No database.

The form (see the import tests' fixtures): a ``# 第53周`` heading (optionally with the date), a
``Created:`` line, then sections whose headings may be spelled ``## 【重点工作】``, ``## 重点工作``,
``### 【生产事件】``…: key work, system operating data, O1/O2/O3, production incidents, other work,
reflections, next week's goals. Every line ends up somewhere: in a field of the result, or in
``unparsed`` with its line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from django.utils.translation import gettext as _

from projects.weeks import Week, configured_numbering, weeks_in_year

from . import phrases
from .status import StatusReading, read_status

HEADING_RE = re.compile(r"^(#{1,6})\s*(.*?)\s*#*\s*$")
WEEK_RE = re.compile(
    r"^(?:(?P<label_year>\d{4})\s*年\s*)?第\s*(?P<number>\d{1,2})\s*周(?:\s*(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})\s*日?)?$"
)
CREATED_RE = re.compile(
    r"^(?:Created|创建时间|创建于)\s*[:：]\s*(?P<year>\d{4})\s*[-/.年]\s*(?P<month>\d{1,2})\s*[-/.月]\s*(?P<day>\d{1,2})",
    re.IGNORECASE,
)
OBJECTIVE_RE = re.compile(r"^[Oo]\s*(?P<number>\d{1,2})(?:\s*[-–—:：.、·]\s*|\s*)(?P<title>.*)$")
BULLET_RE = re.compile(r"^[-*+•]\s+(?P<body>.*)$")
NUMBERED_RE = re.compile(r"^(?P<number>\d{1,3})\s*[.、)）]\s*(?P<body>.*)$")
LABEL_RE = re.compile(r"^[^\d：:]{1,20}[：:]$")
METRIC_COLON_RE = re.compile(
    r"^(?P<title>[^\d：:]{2,40}?)\s*[：:]\s*(?P<value>-?\d+(?:\.\d+)?)\s*(?P<unit>%|％|[^\d\s，,。.；;]{1,12})?[。.]?$"
)
DOWNTIME_RE = re.compile(r"^(?:年度)?不可用时[间长]\s*[：:]?\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>分钟|min)?[。.]?$")
GRADE_COUNT_RE = re.compile(
    r"^(?:事故数?)?\s*(?P<grade>AB|CD|A|B|C|D)\s*级\s*[：:]?\s*(?P<value>\d+(?:\.\d+)?)\s*次?[。.]?$"
)
NO_INCIDENT_RE = re.compile(r"^(?:本周)?无(?:生产事件|事件|事故)?[。.]?$")
# The export lists a project without an update this week as "- 名称（本周无更新）".
NO_UPDATE_MARK = "（本周无更新）"
# An incident's grade: "（C级）" or "（C级，定责0.5）" ending its first line (the export writes it so),
# or "定责C级" anywhere in its text.
INCIDENT_GRADE_RE = re.compile(
    r"\s*[（(]\s*(?P<grade>[ABCD])\s*级(?:\s*[，,]\s*定责\s*(?P<share>[01](?:\.\d+)?))?\s*[）)]\s*$"
)
INCIDENT_BLAME_RE = re.compile(r"定责\s*(?P<grade>[ABCD])\s*级")
# The department's share of an incident: "归属支付中心0.5", "承担0.5", "责任0.5", "定责0.5".
INCIDENT_SHARE_RE = re.compile(r"(?:归属|承担|责任|定责)[^\d，,；;。]{0,8}?(?P<share>0(?:\.\d+)?|1(?:\.0+)?)(?![\d.])")
POSTMORTEM_RE = re.compile(r"(?:已)?复盘(?:完毕|完成|结束)?|已复盘")
# A project's owner written on its line: "（负责人：刘洋）", "负责人: liuyang", "@刘洋".
OWNER_RE = re.compile(
    r"\s*[（(]?\s*(?:负责人|owner|Owner)\s*[:：]\s*(?P<name>[^）)，,；;。\s]{1,30})\s*[）)]?|\s*@(?P<at>[^\s，,；;。）)]{1,30})"
)
# A metric stated on an objective's line. A ratio with a percent ("打标进度77.04%（104/135)") or a
# count as the line's first clause ("数据库195个") makes the line a reading, not a project; a change
# "健康分656降低647" / "健康分从640升到652" / "健康分 656→647" is a reading inside a project's line.
RATIO_METRIC_RE = re.compile(
    r"(?P<title>[\u4e00-\u9fffA-Za-z]{2,12}?)\s*[:：]?\s*(?P<value>\d+(?:\.\d+)?)\s*[%％]\s*[（(]\s*(?P<num>\d+)\s*/\s*(?P<den>\d+)\s*[)）]"
)
CHANGE_METRIC_RE = re.compile(
    r"(?P<title>[\u4e00-\u9fffA-Za-z]{2,8}?)\s*(?:从)?\s*(?P<old>\d+(?:\.\d+)?)\s*(?P<unit>分|个|%|％)?\s*"
    r"(?:→|->|=>|降低到|降低至|降低|降至|降到|下降到|下降至|升到|升至|提升到|提升至|上升到|上升至|增加到|减少到|到)\s*"
    r"(?P<value>\d+(?:\.\d+)?)"
)
MILESTONE_PERCENT_TAIL_RE = re.compile(r"(?:进度|开发|编写|测试|完成)?\s*\d{1,3}(?:\.\d+)?\s*[%％]$")
COUNT_CLAUSE_RE = re.compile(r"^[^\d]{2,30}?\d+(?:\.\d+)?\s*(?:个|次|条|笔|套|台)$")
INCIDENT_FIELD_RE = re.compile(r"^(?P<label>处置|处理|影响|跟进|后续|后续跟进)\s*[:：]\s*(?P<text>.*)$")

# Section kinds.
HIGHLIGHTS, METRICS, OBJECTIVE, INCIDENTS, OTHER, REFLECTIONS, NEXT_WEEK, UNKNOWN, PREAMBLE = (
    "highlights",
    "metrics",
    "objective",
    "incidents",
    "other_work",
    "reflections",
    "next_week",
    "unknown",
    "preamble",
)
TEXT_SECTIONS = (HIGHLIGHTS, OTHER, REFLECTIONS, NEXT_WEEK)
# The export lists key-work projects under 重点工作 with this mark; their data comes from the
# objective sections, so the importer leaves these lines out of the director's text.
KEY_PROJECT_MARK = "重点项目："
KEY_PROJECT_RE = re.compile(r"^[-*]\s*" + KEY_PROJECT_MARK)
INCIDENT_WORDS = ("生产稳定性事件", "生产事件", "生产事故", "稳定性事件")

# Canonical titles of the operating metrics the reports carry (title, unit, lower is better).
GRADE_TITLES = {"AB": "AB级事故", "CD": "CD级事故", "A": "A级事故", "B": "B级事故", "C": "C级事故", "D": "D级事故"}
DOWNTIME_TITLE = "不可用时间"


class ReportFormatError(ValueError):
    """The text is not a weekly report of the department's form."""


@dataclass
class ParsedMetric:
    line: int
    title: str
    value: Decimal
    unit: str
    note: str = ""
    written: str = ""  # the number as written ("99.270"): its precision is kept by the export
    keywords: tuple[str, ...] = ()  # for a metric found on an objective's line: words to match a key result by
    objective: str = ""  # the objective whose line states it ("" for the operating data)
    ref: int | None = None  # the key result's id, once applied

    def __post_init__(self) -> None:
        self.written = self.written or str(self.value)


@dataclass
class ParsedMilestone:
    line: int
    number: int
    title: str
    text: str
    status: str  # a Milestone.Status value
    percent: Decimal | None
    due_date: date | None
    phase_percent: Decimal | None = None  # what its status word stands for (see status.py)


@dataclass
class ParsedProject:
    line: int
    objective: str
    name: str
    summary: str
    percent: Decimal | None
    status_words: list[str]
    qa_date: date | None
    launch_date: date | None
    group: str = ""
    milestones: list[ParsedMilestone] = field(default_factory=list)
    extra_lines: list[str] = field(default_factory=list)
    has_update: bool = True
    status: StatusReading = field(default_factory=StatusReading)
    owner_name: str = ""
    readings: list[ParsedMetric] = field(default_factory=list)
    moved_from: dict[str, date] = field(default_factory=dict)  # "预计1/10 → 1/17上线": {"launch": 1/10}
    ref: int | None = None  # the project's id, once applied

    @property
    def implied_percent(self) -> Decimal | None:
        """The percent its numbered list implies: done 100, a stated percent, else the phase's percent."""
        if not self.milestones:
            return None
        total = sum((m.percent if m.percent is not None else (m.phase_percent or Decimal(0))) for m in self.milestones)
        return (total / len(self.milestones)).quantize(Decimal("0.01"))

    @property
    def note(self) -> str:
        """The week's update note: the line (after the name) and the lines under it, as written."""
        return "\n".join([self.summary, *self.extra_lines]).strip()


@dataclass
class ParsedObjective:
    line: int
    code: str
    title: str
    projects: list[ParsedProject] = field(default_factory=list)


@dataclass
class ParsedIncident:
    line: int
    detected_on: date
    detected_time: time | None
    resolved_time: time | None
    title: str
    description: str
    impact: str = ""
    handling: str = ""
    follow_up: str = ""
    grade: str = ""
    share: Decimal | None = None
    postmortem_done: bool = False
    inline: bool = False  # written inside the operating-data text, not under 生产事件
    ref: int | None = None  # the incident's id, once applied


@dataclass
class Block:
    """Consecutive source lines that went to one place (a project, an incident, a section's text…).

    ``kind``: "raw" (kept verbatim: headings, blank lines, labels, lines not understood), "created",
    "text" (the director's text of ``target``, a section name), "metrics" (operating data; ``target``
    is the list of metrics and inline incidents of the line), "reading" (a metric stated under an
    objective), "project", "incident". ``section`` is where the block sits ("O1", "metrics", …).
    """

    section: str
    kind: str
    lines: list[str]
    target: object = None


@dataclass
class ParsedReport:
    week: Week
    report_date: date
    highlights: str = ""
    other_work: str = ""
    reflections: str = ""
    next_week: str = ""
    metrics: list[ParsedMetric] = field(default_factory=list)
    objectives: list[ParsedObjective] = field(default_factory=list)
    incidents: list[ParsedIncident] = field(default_factory=list)
    unparsed: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    placements: dict[int, str] = field(default_factory=dict)  # line number -> where it went (for --check)
    created_line: str = ""


@dataclass
class _Line:
    number: int
    raw: str

    @property
    def text(self) -> str:
        return self.raw.strip()

    @property
    def indent(self) -> int:
        expanded = self.raw.replace("\t", "    ")
        return len(expanded) - len(expanded.lstrip())


def clean_heading(text: str) -> str:
    """ "【O2系统升级】" -> "O2系统升级", "**其他：**" -> "其他"."""
    text = text.strip().strip("*").strip()
    text = re.sub(r"[【】\[\]〔〕]", " ", text).strip()
    return text.rstrip("：:").strip()


def classify_heading(text: str) -> tuple[str, str | None]:
    """The section a heading opens, and the objective's code for O1/O2/O3 headings."""
    title = clean_heading(text)
    if WEEK_RE.match(title):
        return PREAMBLE, None
    match = OBJECTIVE_RE.match(title)
    if match:
        return OBJECTIVE, f"O{int(match['number'])}"
    if "重点工作" in title:
        return HIGHLIGHTS, None
    if "运行数据" in title:
        return METRICS, None
    if any(word in title for word in INCIDENT_WORDS):
        return INCIDENTS, None
    if title.startswith(("其他", "其它")):
        return OTHER, None
    if "反思" in title or "收获" in title:
        return REFLECTIONS, None
    if title.startswith("下周"):
        return NEXT_WEEK, None
    return UNKNOWN, None


def _list_body(text: str) -> str:
    match = BULLET_RE.match(text) or NUMBERED_RE.match(text)
    return match["body"] if match else text


def _find_week(lines: list[_Line]) -> tuple[Week, date]:
    number = heading_date = created = label_year = None
    for line in lines:
        heading = HEADING_RE.match(line.text)
        if heading and number is None:
            match = WEEK_RE.match(clean_heading(heading[2]))
            if match:
                number = int(match["number"])
                if match["label_year"] and not match["year"]:
                    label_year = int(match["label_year"])
                if match["year"]:
                    try:
                        heading_date = date(int(match["year"]), int(match["month"]), int(match["day"]))
                    except ValueError as exc:
                        raise ReportFormatError(
                            _("Line %(line)s: %(error)s") % {"line": line.number, "error": exc}
                        ) from exc
        created_match = CREATED_RE.match(line.text)
        if created_match and created is None:
            try:
                created = date(int(created_match["year"]), int(created_match["month"]), int(created_match["day"]))
            except ValueError:
                created = None
    if number is None:
        raise ReportFormatError(_("This is not a weekly report: no “# 第N周” heading was found."))
    numbering = configured_numbering()
    if label_year and heading_date is None and 1 <= number <= weeks_in_year(label_year, numbering):
        reference = Week(label_year, number, numbering).friday  # "2023年第53周" names its year
    else:
        reference = heading_date or created
    if reference is None:
        raise ReportFormatError(
            _("Cannot tell the year of week %(number)s: the heading has no date and there is no “Created:” line.")
            % {"number": number}
        )
    candidates = [
        Week(year, number, numbering)
        for year in (reference.year - 1, reference.year, reference.year + 1)
        if 1 <= number <= weeks_in_year(year, numbering)
    ]
    if not candidates:
        raise ReportFormatError(_("There is no week %(number)s.") % {"number": number})
    week = min(candidates, key=lambda w: abs((w.friday - reference).days))
    report_date = heading_date if heading_date and week.contains(heading_date) else week.friday
    if created and week.contains(created) and not heading_date:
        report_date = created
    return week, report_date


class _Parser:
    def __init__(self, text: str) -> None:
        self.lines = [_Line(i, raw.rstrip()) for i, raw in enumerate(text.splitlines(), start=1)]
        self.week, self.report_date = _find_week(self.lines)
        self.report = ParsedReport(week=self.week, report_date=self.report_date)
        self.texts: dict[str, list[str]] = {kind: [] for kind in TEXT_SECTIONS}
        self.section = PREAMBLE
        self.section_key = PREAMBLE
        self.objective: ParsedObjective | None = None
        self.project: ParsedProject | None = None
        self.group = ""
        self.incident: ParsedIncident | None = None
        self.incident_field = "description"

    def run(self) -> ParsedReport:
        for line in self.lines:
            self.feed(line)
        for kind, collected in self.texts.items():
            setattr(self.report, kind, "\n".join(collected).strip("\n"))
        for incident in self.report.incidents:
            if not incident.inline:
                finish_incident(incident)
        if not (self.report.objectives or self.report.metrics or any(self.texts.values()) or self.report.incidents):
            raise ReportFormatError(_("This is not a weekly report: it has a week heading but no known section."))
        return self.report

    # Where each line went: a block for the export, a label for --check.
    def place(self, line: _Line, kind: str, label: str, target: object = None) -> None:
        blocks = self.report.blocks
        last = blocks[-1] if blocks else None
        joins = last is not None and last.section == self.section_key and last.kind == kind and last.target is target
        if kind == "raw" and not line.text and last is not None and last.kind in ("project", "incident", "text"):
            joins = last.section == self.section_key  # a blank line inside a project or incident stays with it
            label = _("blank line")
        if joins:
            last.lines.append(line.raw)
        else:
            blocks.append(Block(self.section_key, kind, [line.raw], target))
        self.report.placements[line.number] = label

    def raw(self, line: _Line, label: str = "") -> None:
        self.place(line, "raw", label or (_("blank line") if not line.text else _("kept verbatim")))

    def unparsed(self, line: _Line) -> None:
        self.report.unparsed.append((line.number, line.raw))
        self.place(line, "raw", _("not understood: kept verbatim in the week's report layout"))

    def open_section(self, kind: str, code: str | None, line: _Line, title: str) -> None:
        self.section, self.project, self.group, self.incident = kind, None, "", None
        self.section_key = code if kind == OBJECTIVE and code else kind
        if kind == OBJECTIVE:
            match = OBJECTIVE_RE.match(clean_heading(title))
            found = next((o for o in self.report.objectives if o.code == code), None)
            if found is None:
                found = ParsedObjective(line.number, code or "", (match["title"] if match else "").strip())
                self.report.objectives.append(found)
            self.objective = found
        elif kind in TEXT_SECTIONS and self.texts[kind]:
            self.texts[kind].append("")
        if kind == UNKNOWN:
            self.unparsed(line)
        else:
            self.raw(line, _("section heading"))

    def feed(self, line: _Line) -> None:
        heading = HEADING_RE.match(line.text)
        if heading:
            kind, code = classify_heading(heading[2])
            if kind == PREAMBLE:
                self.section = self.section_key = PREAMBLE
                self.raw(line, _("week heading"))
                return
            self.open_section(kind, code, line, heading[2])
            return
        # "1. 生产稳定性事件：" inside another section opens the incidents.
        if line.indent == 0 and self.section != HIGHLIGHTS:
            title = clean_heading(_list_body(line.text))
            if any(title == word for word in INCIDENT_WORDS):
                self.open_section(INCIDENTS, None, line, title)
                return
        handler = getattr(self, f"feed_{self.section}", None)
        if self.section == HIGHLIGHTS and KEY_PROJECT_RE.match(line.text):
            self.raw(line, _("key-work project (exported from the project's data)"))
            return
        if self.section in TEXT_SECTIONS:
            self.texts[self.section].append(line.raw)
            label = _("director's text: %(section)s") % {"section": SECTION_LABELS[self.section]}
            self.place(line, "text", label if line.text else _("blank line"), self.section)
        elif handler:
            handler(line)

    # Preamble and unknown sections: only the Created line is understood.
    def feed_preamble(self, line: _Line) -> None:
        if not line.text:
            self.raw(line)
        elif CREATED_RE.match(line.text) and not self.report.created_line:
            self.report.created_line = line.text
            self.place(line, "created", _("report's creation time"))
        else:
            self.unparsed(line)

    def feed_unknown(self, line: _Line) -> None:
        if line.text:
            self.unparsed(line)
        else:
            self.raw(line)

    # System operating data.
    def feed_metrics(self, line: _Line) -> None:
        text = _list_body(line.text)
        if not text or LABEL_RE.match(text):
            self.raw(line, _("label") if text else "")  # blank, or a group label such as "支付成功率："
            return
        found: list[ParsedMetric] = []
        leftovers: list[str] = []
        incident: ParsedIncident | None = None
        for clause in phrases.clauses(text):
            timed = phrases.entry_time(clause, self.report_date) if incident is None else None
            if timed and found:
                day, at, rest = timed
                incident = ParsedIncident(line.number, day, at, None, "", rest, inline=True)
                continue
            if incident is not None:
                incident.description = "，".join(filter(None, [incident.description, clause]))
                continue
            metric = parse_metric(clause, line.number)
            if metric:
                found.append(metric)
            elif found:
                found[-1].note = "，".join(filter(None, [found[-1].note, clause]))
            else:
                leftovers.append(clause)
        if not found:
            self.unparsed(line)
            return
        if leftovers:
            found[0].note = "，".join([*leftovers, found[0].note] if found[0].note else leftovers)
        self.report.metrics.extend(found)
        label = "; ".join(_metric_label(m) for m in found)
        if incident is not None:
            finish_inline_incident(incident)
            self.report.incidents.append(incident)
            label += "; " + _("incident %(when)s “%(title)s” (grade %(grade)s, share %(share)s)") % {
                "when": incident.detected_on.isoformat(),
                "title": incident.title,
                "grade": incident.grade or "—",
                "share": incident.share if incident.share is not None else "—",
            }
        self.place(line, "metrics", label, [*found, *([incident] if incident else [])])

    # O1/O2/O3.
    def feed_objective(self, line: _Line) -> None:
        if not line.text:
            self.raw(line)
            return
        bullet = BULLET_RE.match(line.text)
        numbered = NUMBERED_RE.match(line.text)
        top_level = line.indent < 2 and (bullet or (numbered and self.project is None and not self.group))
        if top_level:
            body = (bullet or numbered)["body"].strip()
            if LABEL_RE.match(body):
                self.group, self.project = body.rstrip("：:").strip(), None
                self.raw(line, _("group heading “%(group)s”") % {"group": self.group})
                return
            self.group = "" if line.indent == 0 and bullet else self.group
            self.start_project(line, body)
            return
        if numbered or (bullet and line.indent >= 2):
            body = (numbered or bullet)["body"].strip()
            if self.group and (self.project is None or self.project.group == self.group) and line.indent < 8:
                self.start_project(line, body)
                return
            if self.project is not None:
                number = int(numbered["number"]) if numbered else len(self.project.milestones) + 1
                marker = f"{number}. " if numbered else "- "
                self.project.extra_lines.append(marker + body)
                if line.indent < 8:
                    milestone = parse_milestone(line.number, number, body, self.report_date)
                    self.project.milestones.append(milestone)
                    label = _("milestone %(number)s “%(title)s” of “%(project)s”") % {
                        "number": number,
                        "title": milestone.title,
                        "project": self.project.name,
                    }
                    self.unusable(line.number, body, label)
                else:
                    label = _("text of the update of “%(project)s”") % {"project": self.project.name}
                self.place(line, "project", label, self.project)
                return
        if self.project is not None:
            self.project.extra_lines.append(line.text)
            self.place(
                line, "project", _("text of the update of “%(project)s”") % {"project": self.project.name}, self.project
            )
            return
        self.unparsed(line)

    def unusable(self, number: int, body: str, what: str) -> None:
        """Warn about each number or date of the line that cannot be used (it is not imported)."""
        names = {
            "percent": _("percent"),
            "qa_date": _("QA date"),
            "launch_date": _("launch date"),
            "due_date": _("due date"),
        }
        for field_name, written in phrases.unusable_values(body, self.report_date):
            self.report.warnings.append(
                _("line %(line)s: %(what)s: %(field)s “%(written)s” is not usable and was not imported.")
                % {"line": number, "what": what, "field": names[field_name], "written": written}
            )

    def start_project(self, line: _Line, body: str) -> None:
        assert self.objective is not None
        readings = objective_readings(body, line.number)
        if readings is not None:  # a metric's reading, not a project
            for metric in readings:
                metric.objective = self.objective.code
            self.report.metrics.extend(readings)
            self.project = None
            label = "; ".join(_metric_label(m) for m in readings)
            self.place(line, "reading", label, readings)
            return
        project = parse_project(line.number, self.objective.code, body, self.report_date)
        self.unusable(line.number, body, _("project “%(name)s”") % {"name": project.name})
        project.group = self.group
        for metric in project.readings:
            metric.objective = self.objective.code
        self.objective.projects.append(project)
        self.report.metrics.extend(project.readings)
        self.project = project
        label = _("update of project “%(name)s” (%(objective)s)") % {
            "name": project.name,
            "objective": self.objective.code,
        }
        if project.readings:
            label += "; " + "; ".join(_metric_label(m) for m in project.readings)
        self.place(line, "project", label, project)

    # Production incidents.
    def feed_incidents(self, line: _Line) -> None:
        if not line.text:
            self.raw(line)
            return
        body = _list_body(line.text) if line.indent < 2 else line.text
        timed = phrases.entry_time(body, self.report_date) if (line.indent < 2 or self.incident is None) else None
        if timed:
            day, at, rest = timed
            self.incident = ParsedIncident(line.number, day, at, None, "", rest)
            graded = INCIDENT_GRADE_RE.search(rest)
            if graded:
                self.incident.description = rest[: graded.start()]
                self.incident.grade = graded["grade"]
                self.incident.share = Decimal(graded["share"]) if graded["share"] else None
            self.incident_field = "description"
            self.report.incidents.append(self.incident)
            self.place(
                line, "incident", _("incident detected %(when)s") % {"when": _when(self.incident)}, self.incident
            )
            return
        if NO_INCIDENT_RE.match(body):
            self.raw(line, _("no incident this week"))
            return
        if self.incident is None:
            self.unparsed(line)
            return
        labelled = INCIDENT_FIELD_RE.match(line.text)
        if labelled:
            label = labelled["label"]
            self.incident_field = (
                "handling" if label in ("处置", "处理") else "impact" if label == "影响" else "follow_up"
            )
            text = labelled["text"].strip()
        else:
            text = line.text
        current = getattr(self.incident, self.incident_field)
        setattr(self.incident, self.incident_field, "\n".join(filter(None, [current, text])))
        names = {
            "description": _("what happened"),
            "handling": _("handling"),
            "impact": _("impact"),
            "follow_up": _("follow-up"),
        }
        self.place(
            line,
            "incident",
            _("incident %(when)s: %(field)s") % {"when": _when(self.incident), "field": names[self.incident_field]},
            self.incident,
        )


SECTION_LABELS = {HIGHLIGHTS: "重点工作", OTHER: "其他", REFLECTIONS: "收获与反思", NEXT_WEEK: "下周工作及目标"}


def _when(incident: ParsedIncident) -> str:
    at = f" {incident.detected_time:%H:%M}" if incident.detected_time else ""
    return f"{incident.detected_on.isoformat()}{at}"


def _metric_label(metric: ParsedMetric) -> str:
    return _("reading of “%(title)s”: %(value)s%(unit)s") % {
        "title": metric.title,
        "value": metric.written,
        "unit": metric.unit,
    }


def finish_incident(incident: ParsedIncident) -> None:
    """Title, impact, handling and resolution time from an entry's text.

    The first clause is the title; "影响…"/"导致…" clauses are the impact; "10:20恢复" gives the
    resolution time and, when no 处置 line says more, the handling; "定责C级" the grade.
    """
    parts = phrases.clauses(incident.description)
    incident.title = (parts[0] if parts else incident.description or "?")[:300]
    if not incident.impact:
        incident.impact = "，".join(p for p in parts[1:] if "影响" in p or p.startswith("导致"))
    incident.resolved_time = phrases.resolved_time(incident.description)
    if not incident.handling:
        incident.handling = "，".join(p for p in parts[1:] if phrases.resolved_time(p))
    blamed = INCIDENT_BLAME_RE.search(incident.description)
    if blamed and not incident.grade:
        incident.grade = blamed["grade"]
    shared = INCIDENT_SHARE_RE.search(incident.description)
    if shared and incident.share is None:
        incident.share = Decimal(shared["share"])
    if POSTMORTEM_RE.search(incident.description):
        incident.postmortem_done = True


def finish_inline_incident(incident: ParsedIncident) -> None:
    """An incident written inside the operating data: "12/7 发版回滚失败复盘完毕，定责C级，归属支付中心0.5"."""
    finish_incident(incident)
    title = POSTMORTEM_RE.sub("", incident.title).strip() or incident.title
    incident.title = title


def parse_metric(clause: str, line: int) -> ParsedMetric | None:
    clause = clause.strip().rstrip("。.")
    match = GRADE_COUNT_RE.match(clause)
    if match:
        return ParsedMetric(line, GRADE_TITLES[match["grade"]], Decimal(match["value"]), "次", written=match["value"])
    match = DOWNTIME_RE.match(clause)
    if match:
        return ParsedMetric(line, DOWNTIME_TITLE, Decimal(match["value"]), "分钟", written=match["value"])
    match = METRIC_COLON_RE.match(clause)
    if match:
        unit = {"％": "%", "min": "分钟"}.get(match["unit"] or "", match["unit"] or "")
        title = match["title"].strip()
        if title.startswith("事故数"):
            return None
        return ParsedMetric(line, title, Decimal(match["value"]), unit, written=match["value"])
    return None


def objective_readings(body: str, line: int) -> list[ParsedMetric] | None:
    """The readings of a metric line under an objective; None when the line is a project's."""
    ratio = RATIO_METRIC_RE.search(body)
    parts = phrases.clauses(body)
    if ratio is None and not (parts and COUNT_CLAUSE_RE.match(parts[0])):
        return None
    if ratio is None:
        return None if CHANGE_METRIC_RE.search(body) is None else change_readings(body, line)
    title = ratio["title"]
    metric = ParsedMetric(
        line, title, Decimal(ratio["value"]), "%", note=f"{ratio['num']}/{ratio['den']}", written=ratio["value"]
    )
    metric.keywords = _keywords(title, body)
    return [metric]


def change_readings(text: str, line: int) -> list[ParsedMetric]:
    """ "健康分656降低647" -> a reading of 健康分 of 647 (the earlier value is last week's)."""
    found = []
    for match in CHANGE_METRIC_RE.finditer(text):
        title = match["title"].removesuffix("从").strip()
        unit = {"％": "%"}.get(match["unit"] or "", match["unit"] or "")
        metric = ParsedMetric(line, title, Decimal(match["value"]), unit, note="", written=match["value"])
        metric.keywords = (title,)
        found.append(metric)
    return found


def _keywords(title: str, text: str) -> tuple[str, ...]:
    """Words a key result's title must contain to be this metric: "打标进度" matches "数据库打标进度"."""
    words = [title]
    for suffix in ("进度", "率"):
        if title.endswith(suffix) and len(title) > len(suffix) + 1:
            words.append(title[: -len(suffix)])
    return tuple(words)


def parse_project(line: int, objective: str, body: str, reference: date) -> ParsedProject:
    body = body.strip()
    if body.endswith(NO_UPDATE_MARK) and body != NO_UPDATE_MARK:
        name = body[: -len(NO_UPDATE_MARK)].strip()
        return ParsedProject(line, objective, name[:200], "", None, [], None, None, has_update=False)
    body, trailer = phrases.split_trailer(body)
    owner_name = ""
    owner = OWNER_RE.search(body)
    if owner:
        owner_name = owner["name"] or owner["at"]
        body = (body[: owner.start()] + body[owner.end() :]).strip()
    head, rest = phrases.split_name(body)
    name = phrases.strip_status_suffix(head)[:200]
    summary = rest if (rest is not None and name == head) else body
    after_name = body[len(name) :] if body.startswith(name) else body
    dates = phrases.planned_dates(body, reference)
    project = ParsedProject(
        line=line,
        objective=objective,
        name=name,
        summary=summary,
        percent=phrases.progress_percent(body),
        status_words=phrases.status_words(body),
        qa_date=dates.get("qa"),
        launch_date=dates.get("launch"),
        status=read_status(after_name),
        owner_name=owner_name,
        readings=change_readings(after_name, line),
        moved_from={kind: old for kind, (old, _new) in phrases.date_moves(body, reference).items() if old},
    )
    if trailer:
        project.percent = trailer.percent
        project.qa_date = trailer.qa_date or project.qa_date
        project.launch_date = trailer.launch_date or project.launch_date
    return project


def parse_milestone(line: int, number: int, body: str, reference: date) -> ParsedMilestone:
    head, _rest = phrases.split_name(body)
    head = MILESTONE_PERCENT_TAIL_RE.sub("", head).strip() or head
    percent = phrases.progress_percent(body)
    reading = read_status(body)
    if percent is not None and percent >= 100:
        status = "done"
    elif percent is not None:
        status = "in_progress"
    elif reading.done or phrases.is_done(body):
        status = "done"
    elif reading.status == "cancelled":
        status = "cancelled"
    elif reading.health == "off_track":
        status = "blocked"
    else:
        status = "in_progress"
    dates = phrases.planned_dates(body, reference)
    due = dates.get("launch") or dates.get("due") or dates.get("qa")
    phase = Decimal(100) if status == "done" else reading.percent
    return ParsedMilestone(line, number, head[:200] or body[:200], body, status, percent, due, phase)


# A department's week fits in far fewer lines; more is a wrong file or several weeks pasted together.
MAX_LINES = 20_000


def parse_report(text: str) -> ParsedReport:
    """Parse one report; raises ReportFormatError when ``text`` is not a weekly report."""
    if "\x00" in text:
        raise ReportFormatError(_("This is not a weekly report: it is not text."))
    lines = text.count("\n") + 1
    if lines > MAX_LINES:
        raise ReportFormatError(
            _("The report has %(lines)s lines; at most %(max)s are imported at once. Import one week per file.")
            % {"lines": lines, "max": MAX_LINES}
        )
    return _Parser(text).run()
