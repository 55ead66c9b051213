"""The weekly-report parser: plain data with line numbers from the report text (no database)."""

from datetime import date, time
from decimal import Decimal

import pytest

from reports.importing import phrases
from reports.importing.parser import ReportFormatError, parse_report
from reports.importing.reading import decode_report

from .importing_helpers import NOT_A_REPORT, VARIANTS, WEEK_53, seed


def objective(report, code):
    return next(o for o in report.objectives if o.code == code)


def project(report, name):
    return next(p for o in report.objectives for p in o.projects if p.name == name)


def test_week_metrics_and_text_sections():
    report = parse_report(WEEK_53.read_text("utf-8"))
    assert (report.week.code, report.report_date) == ("2023-W53", date(2023, 12, 29))
    metrics = {m.title: (m.value, m.unit) for m in report.metrics}
    assert metrics == {
        "入金有效成功率": (Decimal("99.995"), "%"),
        "出金有效成功率": (Decimal("99.981"), "%"),
        "一次支付成功率": (Decimal("99.310"), "%"),
        "支付系统年度可用性": (Decimal("99.993"), "%"),
        "不可用时间": (Decimal("31.5"), "分钟"),
        "AB级事故": (Decimal("0"), "次"),
        "CD级事故": (Decimal("2.5"), "次"),
        "打标进度": (Decimal("80.5"), "%"),  # stated under O3 with its ratio: a reading, not a project
    }
    cd = next(m for m in report.metrics if m.title == "CD级事故")
    assert (cd.line, cd.note, cd.written) == (25, "", "2.5")
    assert next(m for m in report.metrics if m.title == "一次支付成功率").written == "99.310"
    tagging = next(m for m in report.metrics if m.title == "打标进度")
    assert (tagging.note, tagging.objective, tagging.keywords) == ("161/200", "O3", ("打标进度", "打标"))
    assert report.highlights.startswith("- 【年终值守】") and "交付提速" in report.highlights
    assert report.other_work == "1. 绩效沟通\n2. 年度预算评审"
    assert report.reflections == "先把事情做完，再把事情做好。"
    assert report.next_week == "1. 绩效面谈\n2. OKR对齐"
    assert report.unparsed == []


def test_projects_percent_status_and_dates_across_new_year():
    report = parse_report(WEEK_53.read_text("utf-8"))
    assert [(o.code, o.title) for o in report.objectives] == [
        ("O1", "服务业务"),
        ("O2", "系统升级"),
        ("O3", "安全稳定、降本提效"),
    ]
    assert [p.name for p in objective(report, "O1").projects] == ["物保二期", "聚合支付", "资金安全", "风险数据指标"]
    # 1/4 and 1/10 in a report of 29 December are next January.
    assert project(report, "物保二期").launch_date == date(2024, 1, 4)
    assert project(report, "物保二期").status_words == ["提测", "上线"]
    assert project(report, "聚合支付").launch_date == date(2024, 1, 10)
    assert project(report, "支付系统双活").launch_date == date(2023, 12, 28)
    # The overall percent wins over a part's percent.
    assert project(report, "风险数据指标").percent == Decimal(45)
    assert project(report, "备付金盘点").percent == Decimal(
        90
    )  # "备付金盘点提测完成" names the project without its status
    assert all(p.name != "数据库打标" for o in report.objectives for p in o.projects)
    assert project(report, "物保二期").summary == "退款路径优化已提测，预计1/4上线"
    assert project(report, "物保二期").line == 29


def test_numbered_sub_items_are_milestones():
    pos = project(parse_report(WEEK_53.read_text("utf-8")), "POS收单系统建设")
    assert [(m.number, m.title, m.status, m.percent, m.due_date) for m in pos.milestones] == [
        (1, "核心支付链路", "done", None, None),
        (2, "终端申请", "done", None, None),
        (3, "商户巡检", "in_progress", Decimal(70), date(2024, 1, 5)),  # 下周 = Friday of next week
        (4, "加密机对接中", "in_progress", None, None),
    ]
    assert [m.phase_percent for m in pos.milestones] == [100, 100, 70, 60]
    assert pos.implied_percent == Decimal("82.50")
    assert pos.note.splitlines()[0] == "POS收单系统建设"
    assert "3. 商户巡检，测试进度70%，预计下周上线" in pos.note


def test_incident_time_impact_handling_and_recovery():
    inline, incident = parse_report(WEEK_53.read_text("utf-8")).incidents
    # Written inside the metrics line: date, grade, post-mortem done; no time, no share written.
    assert (inline.detected_on, inline.detected_time, inline.title, inline.grade, inline.share) == (
        date(2023, 12, 20),
        None,
        "清算任务延迟",
        "D",
        None,
    )
    assert inline.postmortem_done and inline.inline
    assert (incident.detected_on, incident.detected_time, incident.resolved_time) == (
        date(2023, 12, 26),
        time(9, 5),
        time(9, 50),
    )
    assert incident.title == "监控告警对账文件推送失败"
    assert incident.impact == "导致两个渠道对账延迟"
    assert incident.handling == "回滚代理配置并补推文件。"


def test_variants_heading_spellings_groups_and_incidents_inside_an_objective():
    report = parse_report(VARIANTS.read_text("utf-8"))
    # The heading date wins over a later Created line.
    assert (report.week.code, report.report_date) == ("2024-W02", date(2024, 1, 12))
    assert [(o.code, o.title) for o in report.objectives] == [
        ("O1", "服务业务"),
        ("O2", "系统升级"),
        ("O3", "安全稳定"),
    ]
    assert {m.title: m.value for m in report.metrics} == {
        "入金有效成功率": Decimal("99.990"),
        "退款成功率": Decimal("99.5"),
        "健康分": Decimal("652"),  # "健康分从640升到652" on the project's line
    }
    new = project(report, "新客户接入")
    assert (new.qa_date, new.launch_date) == (date(2024, 2, 20), date(2024, 3, 31))
    assert "kickoff" in new.status_words
    # "项目筹备：" groups projects: its numbered items are projects, not milestones.
    assert [(p.name, p.group) for p in objective(report, "O2").projects][:2] == [
        ("机房双活", "项目筹备"),
        ("商户系统升级", "项目筹备"),
    ]
    pos = project(report, "POS收单系统建设")
    assert [(m.title, m.status, m.percent, m.due_date) for m in pos.milestones] == [
        ("商户巡检", "done", None, None),
        ("加密机对接", "in_progress", Decimal(30), date(2024, 1, 26)),
    ]
    assert pos.note.endswith("补充：厂商排期已确认")
    health = project(report, "健康分提升")
    assert [m.title for m in health.milestones] == ["告警分级"]
    assert "重点：" in health.note
    # "1. 生产稳定性事件：" under O3 opens the incidents.
    assert [(i.title, i.impact, i.handling) for i in report.incidents] == [
        ("网关证书即将过期触发告警", "对业务无影响", "更换证书。"),
        ("批量任务超时", "报表晚到一小时", "扩容后重跑"),
    ]
    assert (report.other_work, report.reflections) == ("", "")


def test_unparsed_lines_are_listed_with_their_numbers():
    report = parse_report(VARIANTS.read_text("utf-8"))
    assert report.unparsed == [
        (4, "这一行不属于任何部分"),
        (14, "- 本周数据平台升级，部分指标延迟"),
        (43, "## 附录"),
        (45, "一些附带的材料链接"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (NOT_A_REPORT.read_text("utf-8"), "no “# 第N周” heading"),
        ("# 第12周\n\n## 【其他】\n\n1. 开会\n", "Cannot tell the year"),
        ("# 第12周 2023/03/24\n\nCreated: 2023年3月24日 10:00\n", "no known section"),
        ("", "no “# 第N周” heading"),
    ],
)
def test_text_that_is_not_a_report_is_refused(text, message):
    with pytest.raises(ReportFormatError, match=message):
        parse_report(text)


def test_binary_and_non_utf8_files_are_refused():
    with pytest.raises(ReportFormatError, match="not a text file"):
        decode_report(b"\x89PNG\r\n\x1a\n\x00\x00", "chart.png")
    with pytest.raises(ReportFormatError, match="not UTF-8"):
        decode_report("# 第1周".encode("gbk"), "old.md")
    assert decode_report("\ufeff# 第1周".encode()) == "# 第1周"


@pytest.mark.parametrize(
    ("text", "reference", "expected"),
    [
        ("预计1/4上线", date(2023, 12, 29), {"launch": date(2024, 1, 4)}),
        ("计划9/26上线", date(2023, 9, 15), {"launch": date(2023, 9, 26)}),
        ("9/30系统上线", date(2023, 9, 15), {"launch": date(2023, 9, 30)}),
        ("预计9/27提测，10月中上线", date(2023, 9, 15), {"qa": date(2023, 9, 27), "launch": date(2023, 10, 15)}),
        ("12/20 复盘完毕", date(2024, 1, 5), {}),
        ("预计9月底完成", date(2023, 9, 15), {"due": date(2023, 9, 30)}),
        ("分账2.0切量", date(2023, 9, 15), {}),
    ],
)
def test_planned_dates(text, reference, expected):
    assert phrases.planned_dates(text, reference) == expected


def test_percent_and_export_trailer():
    assert phrases.progress_percent("核查单开发50%；总体进度60%") == Decimal(60)
    assert phrases.progress_percent("打标进度77.04%（104/135)") == Decimal("77.04")
    assert phrases.progress_percent("新增数据保存正常 100%") is None  # not said to be progress
    trailer = phrases.format_trailer(percent=Decimal("62.50"), qa_date=None, launch_date=date(2024, 1, 11))
    assert trailer == "（进度62.5%，上线2024-01-11）"
    text, parsed = phrases.split_trailer("联调中" + trailer)
    assert (text, parsed.percent, parsed.launch_date) == ("联调中", Decimal("62.5"), date(2024, 1, 11))


def test_seed_week_53():
    report = parse_report(seed("000").read_text("utf-8"))
    assert (report.week.code, report.week.monday, report.report_date) == (
        "2023-W53",
        date(2023, 12, 25),
        date(2023, 12, 29),
    )
    assert [o.code for o in report.objectives] == ["O1", "O2", "O3"]
    pos = project(report, "POS收单系统建设")
    assert len(pos.milestones) == 7
    assert [m.status for m in pos.milestones[:4]] == ["done"] * 4
    assert (pos.milestones[4].percent, pos.milestones[4].due_date) == (Decimal(80), date(2024, 1, 5))
    assert project(report, "风险数据指标").percent == Decimal(50)
    assert project(report, "交易不成退代").launch_date == date(2024, 1, 4)
    assert project(report, "聚合支付").launch_date == date(2024, 1, 11)
    assert {m.title: m.value for m in report.metrics}["CD级事故"] == Decimal("1.5")
    assert {m.title: m.value for m in report.metrics}["入金有效成功率"] == Decimal("99.997")
    inline, incident = report.incidents
    assert (inline.detected_on, inline.grade, inline.share, inline.postmortem_done) == (
        date(2023, 12, 7),
        "C",
        Decimal("0.5"),
        True,
    )
    assert (incident.detected_on, incident.detected_time, incident.resolved_time) == (
        date(2023, 12, 26),
        time(9, 26),
        time(10, 20),
    )
    assert report.unparsed == []


def test_seed_week_38():
    report = parse_report(seed("003").read_text("utf-8"))
    assert (report.week.code, report.report_date) == ("2023-W38", date(2023, 9, 15))  # heading date, not Created
    assert {m.title: (m.value, m.note) for m in report.metrics}["打标进度"] == (Decimal("77.04"), "104/135")
    assert {m.title: m.value for m in report.metrics}["健康分"] == Decimal(647)
    assert all("数据库" not in p.name for o in report.objectives for p in o.projects)
    assert project(report, "杭州政府存管").launch_date == date(2023, 9, 26)
    assert project(report, "家家盈平台（小贝项目）").qa_date == date(2023, 9, 27)
    assert len(project(report, "POS收单系统建设").milestones) == 4
    assert [i.detected_on.day for i in report.incidents] == [10, 11, 14]
    assert [number for number, _raw in report.unparsed] == [113]


def test_incident_grade_and_share():
    text = VARIANTS.read_text("utf-8").replace("- 1/11 08:15 批量任务超时", "- 1/11 08:15 批量任务超时（C级，定责0.5）")
    text = text.replace("对业务无影响", "对业务无影响，定责D级")
    first, second = parse_report(text).incidents
    assert (first.grade, first.share) == ("D", None)
    assert (second.title, second.description, second.grade, second.share) == (
        "批量任务超时",
        "批量任务超时",
        "C",
        Decimal("0.5"),
    )


def test_year_in_the_heading_windows_line_ends_tabs_and_full_width_signs():
    text = (
        "# 2023年第53周\r\n\r\n"
        "## 【O1】服务业务\r\n\r\n"
        "- 对账平台，联调进度60％，预计1/8上线\r\n"
        "\t1. 接口改造，上线完成\r\n"
        "## 【系统运行数据】\r\n"
        "- 入金有效成功率：99.99％\r\n"
    )
    report = parse_report(text)
    assert (report.week.code, report.report_date) == ("2023-W53", date(2023, 12, 29))
    (o1,) = report.objectives
    assert (o1.code, o1.title) == ("O1", "服务业务")
    (line,) = o1.projects
    assert (line.name, line.percent, line.launch_date) == ("对账平台", Decimal(60), date(2024, 1, 8))
    assert [(m.title, m.status) for m in line.milestones] == [("接口改造", "done")]
    assert [(m.title, m.value, m.unit) for m in report.metrics] == [("入金有效成功率", Decimal("99.99"), "%")]
