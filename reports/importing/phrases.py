"""What one line of a weekly report says: percents, status words, planned dates, times.

Pure functions on strings, shared by the parser and the Markdown export (which asks them what a
line already states, so it only adds what is missing and the export reads back the same).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

# Clause separators in the reports: full- and half-width commas, semicolons, full stops.
CLAUSE_SPLIT_RE = re.compile(r"[，,；;。]")
# What ends a project or milestone name: the first comma, colon, semicolon or full stop.
NAME_SPLIT_RE = re.compile(r"[，,：:；;。]")

# A percent said to be progress: "进度80%", "开发50%", "总体进度50%", "打标进度77.04%", "进展80%".
_PROGRESS_WORDS = r"进度|进展|开发|测试|编写|完成|完成度|研发"
_PERCENT_RE = re.compile(
    rf"(?P<word>(?:总体|整体|项目整体)?(?:{_PROGRESS_WORDS}))\s*[:：]?\s*(?P<value>\d{{1,3}}(?:\.\d+)?)\s*[%％]"
)
_OVERALL_RE = re.compile(r"总体|整体")

# Status words, most specific first; each maps to a short canonical word shown in output.
STATUS_WORDS = (
    "上线完成",
    "上线完毕",
    "完成上线",
    "投产完成",
    "结项完成",
    "提测完成",
    "评审完成",
    "安排完毕",
    "进行中",
    "生产试单",
    "试单",
    "kickoff",
    "立项",
    "提测",
    "上线",
    "投产",
    "切量",
    "联调",
    "showcase",
    "评审",
    "结项",
    "完成",
    "完毕",
)
_STATUS_RE = re.compile("|".join(re.escape(w) for w in STATUS_WORDS), re.IGNORECASE)
_DONE_WORDS = ("上线完成", "上线完毕", "完成上线", "投产完成", "结项完成", "完成", "完毕")
_PLANNING_RE = re.compile(r"预计|计划|待|将|启动|下周")
_IN_PROGRESS_RE = re.compile(r"进行中|中$|开发|测试|对接|研发|推进|沟通|梳理|编写")

# Planned dates: a date, at most a few characters, then what happens on it.
_MD = r"(?:(?P<year>\d{4})[/\-年])?(?P<month>\d{1,2})(?:/(?P<day>\d{1,2})|月(?P<part>\d{1,2}[日号]?|初|中|底|末)?)"
_QA_WORDS = r"提测"
_LAUNCH_WORDS = r"上线|投产|生产试单|试单|切量"
_DATE_EVENT_RE = re.compile(
    rf"(?:{_MD}|(?P<nextweek>下周)|(?P<newyear>元旦后))\s*(?:[^，,；;。\d]{{0,6}}?)"
    rf"(?P<event>{_QA_WORDS}|{_LAUNCH_WORDS}|完成|评审)"
)
# A date token on its own (for moves): "1/18", "2024/1/18", "1月18日", "10月中".
_DATE_TOKEN = r"(?:\d{4}[/\-年])?\d{1,2}(?:/\d{1,2}|月(?:\d{1,2}[日号]?|初|中|底|末)?)"
_DATE_TOKEN_RE = re.compile(_MD)
# Moves of a plan: "推迟到1/18", "延期至1/18上线", "改为1/20提测", "预计1/4上线 → 1/9", "1/4→1/9上线".
_MOVE_TO_RE = re.compile(
    rf"(?:推迟|延期|延后|顺延|改|调整|变更)(?:到|至|为|成)\s*(?P<new>{_DATE_TOKEN})\s*(?P<event>{_QA_WORDS}|{_LAUNCH_WORDS})?"
)
_MOVE_ARROW_RE = re.compile(
    rf"(?P<old>{_DATE_TOKEN})\s*(?P<between>{_QA_WORDS}|{_LAUNCH_WORDS})?\s*(?:→|->|=>|⇒)\s*(?P<new>{_DATE_TOKEN})"
    rf"\s*(?P<event>{_QA_WORDS}|{_LAUNCH_WORDS})?"
)
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")

# Incident time at the start of an entry: "12/26  9:26", "9/11 10:12", "2023-12-26 09:26", "12月26日 9:26".
_ENTRY_TIME_RE = re.compile(
    r"^(?:(?P<year>\d{4})[-/年])?(?P<month>\d{1,2})[/\-月](?P<day>\d{1,2})日?\s*"
    r"(?:(?P<hour>\d{1,2})[:：](?P<minute>\d{2}))?\s*(?P<rest>.*)$"
)
_RESOLVED_RE = re.compile(r"(?P<hour>\d{1,2})[:：](?P<minute>\d{2})\s*(?:已)?(?:恢复|解决|修复)")

# The Markdown export appends what the data knows and the line does not say, in this form:
# "（进度71.43%，提测2024-01-04，上线2024-01-11）". The parser reads it back and drops it from the note.
_TRAILER_RE = re.compile(
    r"\s*[（(]进度\s*(?P<percent>\d{1,3}(?:\.\d+)?)%(?P<dates>(?:[，,]\s*(?:提测|上线)\s*\d{4}-\d{2}-\d{2})*)[）)]\s*$"
)
_TRAILER_DATE_RE = re.compile(r"(提测|上线)\s*(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Trailer:
    percent: Decimal
    qa_date: date | None
    launch_date: date | None


def split_trailer(text: str) -> tuple[str, Trailer | None]:
    """Remove an export trailer from the end of ``text``; return the text and what it said."""
    match = _TRAILER_RE.search(text)
    if not match:
        return text, None
    dates = {kind: date.fromisoformat(value) for kind, value in _TRAILER_DATE_RE.findall(match["dates"])}
    trailer = Trailer(Decimal(match["percent"]), dates.get("提测"), dates.get("上线"))
    return text[: match.start()], trailer


def format_trailer(*, percent: Decimal | None, qa_date: date | None, launch_date: date | None) -> str:
    parts = [f"进度{format_number(percent or Decimal(0))}%"]
    if qa_date:
        parts.append(f"提测{qa_date.isoformat()}")
    if launch_date:
        parts.append(f"上线{launch_date.isoformat()}")
    return "（" + "，".join(parts) + "）"


def format_number(value: Decimal | float | int | str) -> str:
    """99.2700 -> "99.27", 50.00 -> "50", 0.5 -> "0.5"."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def clauses(text: str) -> list[str]:
    return [c.strip() for c in CLAUSE_SPLIT_RE.split(text) if c.strip()]


def split_name(text: str) -> tuple[str, str | None]:
    """("name", "rest") at the first separator; ("whole text", None) when there is none."""
    match = NAME_SPLIT_RE.search(text)
    if not match:
        return text.strip().rstrip("。."), None
    return text[: match.start()].strip(), text[match.end() :].strip()


def strip_status_suffix(name: str) -> str:
    """ "备付金盘点提测完成" -> "备付金盘点": a status word at the end of a name is not the name."""
    for word in sorted(STATUS_WORDS, key=len, reverse=True):
        if name.endswith(word) and len(name) > len(word) + 1:
            return name[: -len(word)].rstrip()
    return name


def progress_percent(text: str) -> Decimal | None:
    """The progress percent a line states: an overall one if it says so, else the first one."""
    found = [(m["word"], Decimal(m["value"])) for m in _PERCENT_RE.finditer(text)]
    found = [(word, value) for word, value in found if value <= 100]
    if not found:
        return None
    for word, value in found:
        if _OVERALL_RE.search(word):
            return value
    return found[0][1]


# A progress percent with a sign or over 100 ("进度-5%", "进度150%"): reported, never used.
_ANY_PERCENT_RE = re.compile(
    rf"(?P<word>(?:总体|整体|项目整体)?(?:{_PROGRESS_WORDS}))\s*[:：]?\s*(?P<sign>[-−–+])?\s*"
    r"(?P<value>\d+(?:\.\d+)?)\s*[%％]"
)


def unusable_values(text: str, reference: date) -> list[tuple[str, str]]:
    """Numbers and dates a line writes that cannot be used: (field, the text as written).

    Fields: "percent" (signed, or above 100), "qa_date" / "launch_date" / "due_date" (no such day,
    like 2/30 or 13/5). The import lists each with its line and project; ``--strict`` refuses it.
    """
    found = []
    for match in _ANY_PERCENT_RE.finditer(text):
        value = Decimal(match["value"])
        if match["sign"] in ("-", "−", "–") or value > 100:
            found.append(("percent", match.group(0)))
    for match in _DATE_EVENT_RE.finditer(text):
        if match["month"] is None or _match_date(match, reference) is not None:
            continue
        event = match["event"]
        kind = "qa" if re.fullmatch(_QA_WORDS, event) else "launch" if re.fullmatch(_LAUNCH_WORDS, event) else "due"
        found.append((f"{kind}_date", match.group(0)))
    return found


def status_words(text: str) -> list[str]:
    """Status words in the order they appear ("提测", "上线完成", "kickoff", …)."""
    return [m.group(0).lower() if m.group(0).isascii() else m.group(0) for m in _STATUS_RE.finditer(text)]


def is_done(text: str) -> bool:
    """True when a clause not about plans says something is finished ("上线完成", "配置完成")."""
    for clause in clauses(text):
        if _PLANNING_RE.search(clause):
            continue
        if any(word in clause for word in _DONE_WORDS):
            return True
    return False


def is_in_progress(text: str) -> bool:
    return any(_IN_PROGRESS_RE.search(clause) for clause in clauses(text))


def resolve_month_day(month: int, day: int, reference: date) -> date | None:
    """The date nearest ``reference`` with this month and day: 1/4 in late December is next January."""
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidates.append(date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    return min(candidates, key=lambda d: abs((d - reference).days))


def _match_date(match: re.Match, reference: date) -> date | None:
    if match.groupdict().get("newyear"):
        return resolve_month_day(1, 2, reference)  # "元旦后": the first day after New Year's Day
    if match.groupdict().get("nextweek"):
        monday = reference - timedelta(days=reference.weekday()) + timedelta(weeks=1)
        return monday + timedelta(days=4)
    month = int(match["month"])
    if not 1 <= month <= 12:
        return None
    if match["day"]:
        day = int(match["day"])
    else:
        part = (match["part"] or "").rstrip("日号")
        last = calendar.monthrange(reference.year, month)[1]
        day = {"": 0, "初": 5, "中": 15, "底": last, "末": last}.get(part) if not part.isdigit() else int(part)
        if not day:
            return None
    if match["year"]:
        try:
            return date(int(match["year"]), month, day)
        except ValueError:
            return None
    return resolve_month_day(month, day, reference)


def planned_dates(text: str, reference: date) -> dict[str, date]:
    """The first QA ("qa") and launch ("launch") date a line plans, and any other dated step ("due")."""
    found: dict[str, date] = {}
    for match in _DATE_EVENT_RE.finditer(text):
        day = _match_date(match, reference)
        if day is None:
            continue
        event = match["event"]
        kind = "qa" if re.fullmatch(_QA_WORDS, event) else "launch" if re.fullmatch(_LAUNCH_WORDS, event) else "due"
        found.setdefault(kind, day)
    for year, month, day in _ISO_DATE_RE.findall(text):
        try:
            found.setdefault("due", date(int(year), int(month), int(day)))
        except ValueError:
            continue
    found.update({kind: new for kind, (_old, new) in date_moves(text, reference).items()})
    return found


def _token_date(token: str, reference: date) -> date | None:
    match = _DATE_TOKEN_RE.fullmatch(token.strip())
    return _match_date(match, reference) if match else None


def _event_kind(*events: str | None) -> str:
    for event in events:
        if event:
            return "qa" if re.fullmatch(_QA_WORDS, event) else "launch"
    return "launch"


def date_moves(text: str, reference: date) -> dict[str, tuple[date | None, date]]:
    """Plans a line moves: {"qa"|"launch": (old date or None, new date)}; without an event, the launch."""
    moved: dict[str, tuple[date | None, date]] = {}
    for match in _MOVE_ARROW_RE.finditer(text):
        new = _token_date(match["new"], reference)
        if new:
            moved[_event_kind(match["event"], match["between"])] = (_token_date(match["old"], reference), new)
    for match in _MOVE_TO_RE.finditer(text):
        new = _token_date(match["new"], reference)
        if new:
            moved.setdefault(_event_kind(match["event"]), (None, new))
    return moved


def entry_time(text: str, reference: date) -> tuple[date, time | None, str] | None:
    """An incident entry's date and time at the start of ``text`` and the text after them."""
    match = _ENTRY_TIME_RE.match(text.strip())
    if not match:
        return None
    month, day = int(match["month"]), int(match["day"])
    if match["year"]:
        try:
            day_found = date(int(match["year"]), month, day)
        except ValueError:
            return None
    else:
        day_found = resolve_month_day(month, day, reference) if 1 <= month <= 12 else None
    if day_found is None:
        return None
    at = None
    if match["hour"] is not None:
        hour, minute = int(match["hour"]), int(match["minute"])
        if hour > 23 or minute > 59:
            return None
        at = time(hour, minute)
    return day_found, at, match["rest"].strip()


def resolved_time(text: str) -> time | None:
    match = _RESOLVED_RE.search(text)
    if not match:
        return None
    hour, minute = int(match["hour"]), int(match["minute"])
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def normalise_name(name: str) -> str:
    """Lower-case, without punctuation or spaces: how names are compared."""
    return re.sub(r"[\W_]+", "", name, flags=re.UNICODE).lower()
