"""The report's status words: what a project line says about status, health and percent.

One table, ``PHRASES``, read in order; the first phrase of each kind that a line contains decides:

- **status** (a ``Project.Status`` value) and, for "done", the percent (100);
- **health** (a ``Health`` value): 风险 → at risk, 延期/推迟 → at risk, 阻塞/受阻 → off track;
- **phase percent**: when a line states no percent and the project has no earlier one, the stage
  it names stands for a conventional percent (kickoff 10, design/review 20, development 40,
  integration 60, QA 70, trial in production 90, done 100). It is never lower than a percent
  reported before, and never used when the line writes one.

A done word counts only in a clause that does not plan something later ("退款上线完成，预计1/11投产"
is not done): a later clause that plans a launch or QA date keeps the project in progress.
Words are matched in the text after the project's name, so a name such as 风险数据指标 is not a risk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

DONE, IN_PROGRESS, ON_HOLD, CANCELLED, PLANNED = "done", "in_progress", "on_hold", "cancelled", "planned"
ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"


@dataclass(frozen=True)
class Phrase:
    """A status word and what it means; ``None`` leaves that field to other words."""

    words: tuple[str, ...]
    status: str | None = None
    health: str | None = None
    percent: int | None = None


# Longest, most specific first within each group. (Documented in the README; tested one by one.)
PHRASES: tuple[Phrase, ...] = (
    # Done: the project (or milestone) is finished.
    Phrase(
        (
            "上线完成",
            "上线完毕",
            "完成上线",
            "完成系统上线",
            "投产完成",
            "投产完毕",
            "完成投产",
            "已上线",
            "已投产",
            "结项完成",
            "已结项",
            "结项",
            "上线验证完成",
            "验收完成",
            "安排完毕",
            "已完成",
        ),
        status=DONE,
        percent=100,
    ),
    # Stopped or paused.
    Phrase(("已取消", "取消", "终止"), status=CANCELLED),
    Phrase(("暂停", "搁置", "挂起", "暂缓"), status=ON_HOLD, health=AT_RISK),
    # Health words.
    Phrase(("阻塞", "受阻", "卡住", "停滞"), health=OFF_TRACK),
    Phrase(("延期", "推迟", "延后", "顺延", "滞后"), health=AT_RISK),
    Phrase(("有风险", "存在风险", "风险"), health=AT_RISK),
    # Stages, latest first: the furthest stage a line names gives its phase percent.
    Phrase(
        ("生产试单", "试单", "切量", "灰度", "验证中", "旁路验证", "演练完成", "演练"), status=IN_PROGRESS, percent=90
    ),
    Phrase(("提测完成", "提测", "测试中", "测试"), status=IN_PROGRESS, percent=70),
    Phrase(("联调", "对接中"), status=IN_PROGRESS, percent=60),
    Phrase(("开发中", "研发中", "开发", "研发", "改造"), status=IN_PROGRESS, percent=40),
    Phrase(("评审完成", "方案评审", "评审", "方案沟通", "方案讨论", "方案设计"), status=IN_PROGRESS, percent=20),
    Phrase(("kickoff", "立项", "启动"), status=IN_PROGRESS, percent=10),
    Phrase(("未启动", "待启动", "未开始"), status=PLANNED, percent=0),
)

# A clause that plans something later: it does not report a finished step.
PLANNING_RE = re.compile(r"预计|计划|待|将|下周|下月|后续|准备")
# A later clause planning a launch or QA keeps a "done" line in progress ("预计1/11投产").
FUTURE_STEP_RE = re.compile(r"(?:预计|计划|准备).{0,12}?(?:上线|投产|提测|试单|切量|完成)")
CLAUSE_RE = re.compile(r"[，,；;。]")
NEGATION_RE = re.compile(r"未|没有|不能|无法|待")


@dataclass
class StatusReading:
    """What a line's words say: the matched words (in order), status, health and phase percent."""

    words: list[str] = field(default_factory=list)
    status: str | None = None
    health: str | None = None
    percent: Decimal | None = None

    @property
    def done(self) -> bool:
        return self.status == DONE


def _find(phrase: Phrase, clause: str) -> str | None:
    lowered = clause.lower()
    for word in phrase.words:
        at = lowered.find(word.lower())
        if at < 0:
            continue
        if NEGATION_RE.search(clause[max(0, at - 2) : at]):
            continue  # 未上线 is not 已上线, 未启动 is not 启动
        return word
    return None


def read_status(text: str) -> StatusReading:
    """The status, health and phase percent that ``text`` (a line after the name) states."""
    result = StatusReading()
    clauses = [c.strip() for c in CLAUSE_RE.split(text) if c.strip()]
    done_at: int | None = None
    stage_percent: int | None = None
    for index, clause in enumerate(clauses):
        planning = bool(PLANNING_RE.search(clause))
        for phrase in PHRASES:
            word = _find(phrase, clause)
            if word is None:
                continue
            if word not in result.words:
                result.words.append(word)
            if phrase.status == DONE:
                if not planning and done_at is None:
                    done_at = index
                continue
            if phrase.health and (result.health is None or _worse(phrase.health, result.health)):
                result.health = phrase.health
            if phrase.status in (CANCELLED, ON_HOLD) and not planning:
                result.status = phrase.status
            if phrase.percent is not None and not planning:
                stage_percent = max(stage_percent or 0, phrase.percent)
                if result.status is None:
                    result.status = phrase.status
    later_plans = done_at is not None and any(FUTURE_STEP_RE.search(c) for c in clauses[done_at + 1 :])
    if done_at is not None and not later_plans and result.status not in (CANCELLED, ON_HOLD):
        result.status, result.percent = DONE, Decimal(100)
    elif stage_percent is not None:
        result.percent = Decimal(stage_percent)
        if done_at is not None:  # a step finished and a later one planned: at least the trial stage
            result.percent = max(result.percent, Decimal(90))
    elif done_at is not None:
        result.percent = Decimal(90)
        result.status = result.status or IN_PROGRESS
    return result


_SEVERITY = {ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2}


def _worse(new: str, old: str) -> bool:
    return _SEVERITY[new] > _SEVERITY[old]
