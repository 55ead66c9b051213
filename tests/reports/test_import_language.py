"""The report's language: status words, planned dates and their moves, owners, metrics on objective lines."""

from datetime import date
from decimal import Decimal

import pytest

from reports.importing import phrases
from reports.importing.parser import objective_readings, parse_project
from reports.importing.status import PHRASES, read_status

DEC_29 = date(2023, 12, 29)


@pytest.mark.parametrize(
    ("text", "status", "health", "percent"),
    [
        # Done: 100 %.
        ("，上线完毕", "done", None, 100),
        ("，退款功能上线完成", "done", None, 100),
        ("，投产完成", "done", None, 100),
        ("，已上线", "done", None, 100),
        ("结项完成，长效机制待完善", "done", None, 100),
        ("，三期上线验证完成", "done", None, 100),
        ("安排完毕", "done", None, 100),
        # A finished step with a later plan is not done.
        ("，退款上线完成，预计1/11投产", "in_progress", None, 90),
        ("，一期9/5完成上线；数据匹配预计9/10完成", "in_progress", None, 90),
        ("，尚未上线", None, None, None),
        # Stages: their conventional percent.
        ("，生产试单验证中", "in_progress", None, 90),
        ("，优化提测，计划元旦后上线", "in_progress", None, 70),
        ("，全链路改造范围测试中", "in_progress", None, 70),
        ("，规则引擎联调中", "in_progress", None, 60),
        ("，研发进展80%", "in_progress", None, 40),
        ("，方案评审完成", "in_progress", None, 20),
        ("，kickoff", "in_progress", None, 10),
        ("，未启动", "planned", None, 0),
        # Health and pauses.
        ("，合规评审存在风险", "in_progress", "at_risk", 20),
        ("，上线延期", None, "at_risk", None),
        ("，上线推迟到1/18", None, "at_risk", None),
        ("，接口阻塞，等待答复", None, "off_track", None),
        ("，需求调整，项目暂停", "on_hold", "at_risk", None),
        ("，业务取消", "cancelled", None, None),
        ("，风险已解除上线完成", "done", "at_risk", 100),
    ],
)
def test_status_words(text, status, health, percent):
    reading = read_status(text)
    assert (reading.status, reading.health) == (status, health)
    assert reading.percent == (None if percent is None else Decimal(percent))


def test_every_phrase_of_the_table_is_understood_on_its_own():
    for phrase in PHRASES:
        for word in phrase.words:
            reading = read_status(f"，{word}")
            assert word in reading.words, word
            if phrase.status == "done":
                assert reading.done, word
            if phrase.health:
                assert reading.health == phrase.health, word


def test_a_name_with_a_status_word_is_not_a_status():
    project = parse_project(1, "O2", "风险数据指标，核查单开发50%", DEC_29)
    assert (project.name, project.percent, project.status.health) == ("风险数据指标", Decimal(50), None)


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("预计1/4上线", DEC_29, {"launch": date(2024, 1, 4)}),
        ("计划元旦后上线", DEC_29, {"launch": date(2024, 1, 2)}),
        ("预计9/27提测，10月中上线", date(2023, 9, 15), {"qa": date(2023, 9, 27), "launch": date(2023, 10, 15)}),
        ("预计9月底完成", date(2023, 9, 15), {"due": date(2023, 9, 30)}),
        ("预计下周上线", DEC_29, {"launch": date(2024, 1, 5)}),
        ("上线推迟到1/18", DEC_29, {"launch": date(2024, 1, 18)}),
        ("上线改为1/25", DEC_29, {"launch": date(2024, 1, 25)}),
        ("提测延期至1月10日", DEC_29, {"launch": date(2024, 1, 10)}),
        ("改为1/9提测", DEC_29, {"qa": date(2024, 1, 9)}),
        ("预计1/10 → 1/17上线", DEC_29, {"launch": date(2024, 1, 17)}),
        ("预计1/4上线->1/9", DEC_29, {"launch": date(2024, 1, 9)}),
        ("2024-01-12完成", DEC_29, {"due": date(2024, 1, 12)}),
    ],
)
def test_dates_and_their_moves(text, reference, expected):
    assert phrases.planned_dates(text, reference) == expected


def test_a_move_keeps_the_earlier_plan():
    assert phrases.date_moves("预计1/10 → 1/17上线", DEC_29) == {"launch": (date(2024, 1, 10), date(2024, 1, 17))}
    project = parse_project(1, "O2", "风控模型升级，整体进度35%，预计1/10 → 1/17上线", DEC_29)
    assert (project.launch_date, project.moved_from) == (date(2024, 1, 17), {"launch": date(2024, 1, 10)})


@pytest.mark.parametrize(
    ("line", "name", "owner"),
    [
        ("商户分账，联调中（负责人：刘洋）", "商户分账", "刘洋"),
        ("商户分账，联调中，负责人: liuyang", "商户分账", "liuyang"),
        ("商户分账 @赵磊，联调中", "商户分账", "赵磊"),
        ("商户分账，联调中", "商户分账", ""),
    ],
)
def test_owner_written_on_the_line(line, name, owner):
    project = parse_project(1, "O1", line, DEC_29)
    assert (project.name, project.owner_name) == (name, owner)
    assert "负责人" not in project.summary and "@" not in project.summary


def test_metric_lines_under_an_objective():
    (tagging,) = objective_readings("核心库共有88个，已完成巡检66个，巡检进度75.00%（66/88)", 7)
    assert (tagging.title, tagging.value, tagging.written, tagging.unit, tagging.note) == (
        "巡检进度",
        Decimal("75.00"),
        "75.00",
        "%",
        "66/88",
    )
    (count,) = objective_readings("接入渠道共12个，健康分从80升到85", 8)  # a count first: a metric line
    assert (count.title, count.value) == ("健康分", Decimal(85))
    assert objective_readings("容量治理专项，健康分从612升到630", 9) is None  # a project's line…
    project = parse_project(9, "O3", "容量治理专项，健康分从612升到630", DEC_29)
    assert [(m.title, m.value) for m in project.readings] == [("健康分", Decimal(630))]  # …with a reading
    assert objective_readings("对账平台，联调进度60%", 10) is None
