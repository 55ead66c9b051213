"""Every fact of a weekly report, checked after importing it into an empty database: in the stored data
and on the week's rollup page. The fact lists are written by hand from the reports (numbers, names and
dates only; the reports' sentences are not copied: text sections are compared with the file itself).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from projects.models import Incident, KeyResult, KeyResultReading, Milestone, ProgressUpdate, Project
from projects.weeks import Week
from reports.models import DirectorNote
from reports.rollup import build_rollup

from .importing_helpers import CONTINUES, LANGUAGE, seed

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = Decimal


@dataclass
class Facts:
    """What one report says. Projects: name -> (objective, status, health, percent, QA date, launch date)."""

    week: str
    metrics: dict[str, str]
    projects: dict[str, tuple]
    milestones: dict[str, list[tuple]] = field(default_factory=dict)  # (title, status, percent, due date)
    incidents: list[tuple] = field(default_factory=list)  # (detected, resolved, grade, share, handling part)
    readings_notes: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str | None] = field(default_factory=dict)
    date_moves: dict[str, list[tuple]] = field(default_factory=dict)  # name -> [(kind, old, new)]
    text_sections: tuple[str, ...] = ("highlights", "other_work", "reflections", "next_week")

    def count(self) -> int:
        return (
            len(self.metrics)
            + sum(6 for _ in self.projects)
            + sum(4 * len(items) for items in self.milestones.values())
            + 5 * len(self.incidents)
            + len(self.readings_notes)
            + len(self.owners)
            + sum(len(moves) for moves in self.date_moves.values())
            + len(self.text_sections)
        )


def at(day: str, hm: str | None = None) -> datetime:
    y, m, d = map(int, day.split("-"))
    hour, minute = map(int, (hm or "00:00").split(":"))
    return datetime(y, m, d, hour, minute, tzinfo=SHANGHAI)


SEED_53 = Facts(
    week="2023-W53",
    metrics={
        "入金有效成功率": "99.997",
        "出金有效成功率": "99.984",
        "一次支付成功率": "99.27",
        "支付系统年度可用性": "99.994",
        "不可用时间": "29.35",
        "AB级事故": "0",
        "CD级事故": "1.5",
    },
    projects={
        "物保二期": ("O1", "in_progress", "on_track", D(70), None, date(2024, 1, 2)),
        "资金安全": ("O1", "done", "on_track", D(100), None, None),
        "交易不成退代": ("O1", "in_progress", "on_track", D(70), None, date(2024, 1, 4)),
        "贝好家意向金": ("O1", "in_progress", "on_track", D(90), None, None),
        "聚合支付": ("O1", "in_progress", "on_track", D(90), None, date(2024, 1, 11)),
        "POS收单系统建设": ("O2", "in_progress", "on_track", D("77.14"), None, None),
        "支付系统双活": ("O2", "in_progress", "on_track", D(90), None, None),
        "风险数据指标": ("O2", "in_progress", "on_track", D(50), None, None),
        "年结保障": ("O3", "done", "on_track", D(100), None, None),
        "营收收入对接EBS": ("O3", "in_progress", "on_track", D(90), None, None),
        "系统稳定性度量与提升": ("O3", "done", "on_track", D(100), None, None),
    },
    milestones={
        "POS收单系统建设": [
            ("核心支付链路", "done", D(100), None),
            ("POS APP与应用市场", "done", D(100), None),
            ("POS机具库存管理", "done", D(100), None),
            ("POS终端申请", "done", D(100), None),
            ("商户巡检", "in_progress", D(80), date(2024, 1, 5)),
            ("ARK过检材料答疑", "in_progress", D(0), None),
            ("金融加密机对接中", "in_progress", D(60), None),
        ]
    },
    incidents=[
        (at("2023-12-07"), None, "C", D("0.5"), ""),
        (at("2023-12-26", "09:26"), at("2023-12-26", "10:20"), "event", None, "10:20恢复"),
    ],
)

SEED_38 = Facts(
    week="2023-W38",
    metrics={
        "入金有效成功率": "99.997",
        "出金有效成功率": "99.965",
        "一次支付成功率": "99.15",
        "支付系统年度可用性": "99.998",
        "AB级事故": "0",
        "CD级事故": "1",
        "打标进度": "77.04",
        "健康分": "647",
    },
    readings_notes={"打标进度": "104/135"},
    # Week 38 is imported after week 53: today's state is week 53's, week 38 keeps its own updates.
    projects={
        "家家盈平台（小贝项目）": ("O1", "in_progress", "on_track", D(0), date(2023, 9, 27), date(2023, 10, 15)),
        "存管衍生-银行卡办理": ("O1", "in_progress", "on_track", D(20), None, None),
        "房屋交割保障": ("O1", "in_progress", "on_track", D(0), None, date(2023, 9, 26)),
        "分账升级": ("O1", "in_progress", "on_track", D(90), None, None),
        "定转X能力建设": ("O1", "in_progress", "on_track", D(70), None, date(2023, 9, 21)),
        "平安存管": ("O1", "in_progress", "on_track", D(0), None, date(2023, 9, 30)),
        "杭州政府存管": ("O1", "in_progress", "on_track", D(80), None, date(2023, 9, 26)),
        "济南公积金对接": ("O1", "in_progress", "on_track", D(70), None, date(2023, 9, 22)),
        "商户品质优化": ("O1", "in_progress", "on_track", D(60), None, date(2023, 9, 5)),
        "店东看懂帐": ("O1", "in_progress", "on_track", D(90), None, None),
        "账单数据质量治理": ("O2", "in_progress", "on_track", D(50), None, None),
        "POS收单系统建设": ("O2", None, "on_track", D("61.25"), None, None),
        "机房双活": ("O2", "in_progress", "on_track", D(20), None, None),
        "风控反洗钱数据指标建设": ("O2", "in_progress", "on_track", D(20), None, None),
        "两联合规改造三期": ("O3", "done", "on_track", D(100), None, None),
        "备付金盘点": ("O3", "in_progress", "on_track", D(90), None, None),
        "静默开户合规治理": ("O3", "in_progress", "on_track", D(0), None, None),
        "健康分与稳定性提升": ("O3", "in_progress", "on_track", D(0), None, None),
    },
    milestones={
        "账单数据质量治理": [
            ("账单验证环境", "done", D(100), None),
            ("二合一出仓方案的开发和报警配置", "in_progress", D(50), None),
            ("梳理账单字段逻辑和血缘关系", "in_progress", D(0), None),
        ],
    },
    incidents=[
        (at("2023-09-10", "09:29"), None, "event", None, "异常分片手动改成空分片"),
        (at("2023-09-11", "10:12"), None, "event", None, "运维排查未发现网络问题"),
        (at("2023-09-14", "18:02"), None, "event", None, "修改撤销单状态"),
    ],
)

LANGUAGE_52 = Facts(
    week="2023-W52",
    metrics={
        "入金有效成功率": "99.996",
        "出金有效成功率": "99.98",
        "一次支付成功率": "99.26",
        "支付系统年度可用性": "99.995",
        "不可用时间": "27.6",
        "AB级事故": "0",
        "CD级事故": "2",
        "巡检进度": "75",
        "健康分": "630",
    },
    readings_notes={"巡检进度": "66/88"},
    projects={
        "商户分账": ("O1", "in_progress", "on_track", D(60), date(2024, 1, 8), None),
        "电子回单": ("O1", "done", "on_track", D(100), None, None),
        "对公代发": ("O1", "in_progress", "at_risk", D(0), None, date(2024, 1, 18)),
        "发票直连": ("O1", "in_progress", "off_track", D(0), None, None),
        "积分兑换": ("O1", "on_hold", "at_risk", D(0), None, None),
        "跨境收款": ("O1", "in_progress", "at_risk", D(20), None, date(2024, 2, 1)),
        "账户注销": ("O1", "done", "on_track", D(100), None, None),
        "余额理财": ("O1", "in_progress", "on_track", D(20), None, date(2024, 1, 25)),
        "清结算重构": ("O2", "in_progress", "on_track", D("73.33"), None, None),
        "消息中台": ("O2", "in_progress", "on_track", D(20), None, None),
        "密钥托管": ("O2", "in_progress", "on_track", D(10), None, None),
        "风控模型升级": ("O2", "in_progress", "on_track", D(35), None, date(2024, 1, 17)),
        "容量治理专项": ("O3", "in_progress", "on_track", D(0), None, None),
        "证书轮换": ("O3", "done", "on_track", D(100), None, None),
    },
    milestones={
        "清结算重构": [
            ("对账引擎", "done", D(100), None),
            ("差错处理", "in_progress", D(60), None),
            ("资金调拨", "in_progress", D(60), date(2024, 1, 12)),
        ]
    },
    incidents=[
        (at("2023-12-19"), None, "D", D("0.5"), ""),
        (at("2023-12-20", "14:02"), at("2023-12-20", "14:35"), "event", None, "扩大连接池并限流"),
        (at("2023-12-21", "08:40"), None, "event", None, ""),
    ],
    owners={"商户分账": "liuyang", "发票直连": None, "风控模型升级": "zhaolei", "电子回单": None},
    date_moves={"风控模型升级": [("launch", date(2024, 1, 10), date(2024, 1, 17))]},
)


def run(*paths) -> str:
    out = StringIO()
    call_command("import_weekly_report", *map(str, paths), stdout=out)
    return out.getvalue()


def section_text(path: Path, heading: str) -> str:
    """The body under a heading of the report file, read independently of the importer."""
    lines = path.read_text("utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip("#").strip().strip("【】") == heading)
    body = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        body.append(line.rstrip())
    return "\n".join(body).strip("\n")


HEADINGS = {"highlights": "重点工作", "other_work": "其他", "reflections": "收获与反思", "next_week": "下周工作及目标"}


def check(facts: Facts, path: Path) -> list[str]:
    """The facts that are missing or wrong in the stored data and on the rollup data of the week."""
    week = Week.parse(facts.week)
    wrong: list[str] = []
    readings = {
        r.key_result.title: r
        for r in KeyResultReading.objects.filter(week_start=week.monday).select_related("key_result")
    }
    for title, value in facts.metrics.items():
        reading = readings.get(title)
        if reading is None or reading.value != D(value):
            wrong.append(f"metric {title}={value}: {reading and reading.value}")
    for title, note in facts.readings_notes.items():
        if title not in readings or readings[title].note != note:
            wrong.append(f"reading note {title}")
    rollup = build_rollup(week)
    rows = {p["name"]: p for o in rollup["objectives"] for p in o["projects"]}
    for name, (code, status, health, percent, qa, launch) in facts.projects.items():
        project = Project.objects.filter(name=name).first()
        update = ProgressUpdate.objects.filter(project=project, week_start=week.monday).first() if project else None
        row = rows.get(name)
        checks = {
            "objective": project is not None and project.objective.code == code,
            "status": status is None or (project is not None and project.status == status),
            "health": update is not None and update.health == health,
            "percent": update is not None and update.percent == percent and row and D(str(row["percent"])) == percent,
            "qa": project is not None and (qa is None or project.qa_date == qa),
            "launch": project is not None and (launch is None or project.launch_date == launch),
        }
        wrong += [f"project {name}: {what}" for what, ok in checks.items() if not ok]
    for name, items in facts.milestones.items():
        stored = {m.title: m for m in Milestone.objects.filter(project__name=name)}
        for title, status, percent, due in items:
            m = stored.get(title)
            checks = {
                "exists": m is not None,
                "status": m is not None and m.status == status,
                "percent": m is not None and m.percent == percent,
                "due": m is not None and m.due_date == due,
            }
            wrong += [f"milestone {name}/{title}: {what}" for what, ok in checks.items() if not ok]
    for detected, resolved, grade, share, handling in facts.incidents:
        found = Incident.objects.filter(detected_at=detected).first()
        checks = {
            "exists": found is not None,
            "resolved": found is not None and found.resolved_at == resolved,
            "grade": found is not None and found.grade == grade,
            "share": found is not None and found.responsibility_share == share,
            "handling": found is not None and handling in found.handling,
        }
        wrong += [f"incident {detected:%m-%d %H:%M}: {what}" for what, ok in checks.items() if not ok]
    for name, username in facts.owners.items():
        project = Project.objects.filter(name=name).first()
        if project is None or (project.owner.username if project.owner else None) != username:
            wrong.append(f"owner of {name}")
    for name, moves in facts.date_moves.items():
        stored = {(c.kind, c.old_date, c.new_date) for c in Project.objects.get(name=name).date_changes.all()}
        wrong += [f"date move {name} {move}" for move in moves if move not in stored]
    note = DirectorNote.objects.filter(week_start=week.monday).first()
    for section in facts.text_sections:
        expected = section_text(path, HEADINGS[section])
        if note is None or getattr(note, section) != expected:
            wrong.append(f"text {section}")
    return wrong


def check_page(client, director, facts: Facts) -> list[str]:
    client.force_login(director)
    page = client.get(f"/rollup/{facts.week}/").content.decode()
    page = re.sub(r"\s+", " ", page)
    wrong = [f"page: project {name}" for name in facts.projects if name not in page]
    wrong += [f"page: metric {title}" for title in facts.metrics if title not in page]
    return wrong


@pytest.fixture
def seeds_imported(db):
    run(seed("000"), seed("003"))  # the seeds' order: week 53, then week 38


@pytest.mark.parametrize("facts", [SEED_53, SEED_38], ids=["week53", "week38"])
def test_every_fact_of_the_seeds(seeds_imported, client, director, facts):
    path = seed("000") if facts is SEED_53 else seed("003")
    wrong = check(facts, path) + check_page(client, director, facts)
    assert wrong == [], f"{len(wrong)} of {facts.count()} facts wrong or missing"


def test_every_fact_of_the_language_fixture(db, client, director):
    from tests import factories

    factories.UserFactory(username="liuyang", first_name="洋", last_name="刘")
    factories.UserFactory(username="zhaolei", first_name="磊", last_name="赵")
    output = run(LANGUAGE)
    assert "owners not found (projects left without an owner): 钱多多 (line 28)" in output
    wrong = check(LANGUAGE_52, LANGUAGE) + check_page(client, director, LANGUAGE_52)
    assert wrong == [], f"{len(wrong)} of {LANGUAGE_52.count()} facts wrong or missing"
    cd = KeyResult.objects.get(title="CD级事故")
    assert cd.target_value is None and cd.is_on_target() is None  # no target, no "below target" flag
    assert Incident.objects.get(detected_at=at("2023-12-19")).postmortem_done


def test_seed_rollups_agree_with_the_reports(db):
    run(seed("000"))
    o1 = next(o for o in build_rollup(Week.parse("2023-W53"))["objectives"] if o["code"] == "O1")
    assert round(o1["progress"], 2) == 84.0  # (70 + 100 + 70 + 90 + 90) / 5: no 0 % for unstated percents
    run(seed("003"))
    week53 = build_rollup(Week.parse("2023-W53"))
    rows = {p["name"]: p for o in week53["objectives"] for p in o["projects"]}
    pos = rows["POS收单系统建设"]
    assert pos["percent"] == 77.14  # (4 × 100 + 80 + 0 + 60) / 7: the week-53 list
    assert [m["is_overdue"] for m in pos["milestones"]] == [False] * 7  # no September items in week 53
    assert [rows[name]["percent"] for name in ("物保二期", "资金安全", "交易不成退代", "贝好家意向金", "聚合支付")] == [
        70.0,
        100.0,
        70.0,
        90.0,
        90.0,
    ]  # the older report does not move week 53's numbers
    metric = {m["title"]: m for m in week53["metrics"]}
    assert (metric["CD级事故"]["value"], metric["CD级事故"]["on_target"]) == ("1.5", None)
    assert week53["incident_counts"]["ytd"]["C"] == "0.5"  # the 12/7 incident inside the metrics line
    assert week53["incident_counts"]["week_incidents"] == 1
    week38 = build_rollup(Week.parse("2023-W38"))
    pos38 = next(p for o in week38["objectives"] for p in o["projects"] if p["name"] == "POS收单系统建设")
    assert pos38["percent"] == 61.25  # (100 + 85 + 20 + 40) / 4: the week-38 list


CONTINUES_01 = Facts(
    week="2024-W01",
    metrics={
        "入金有效成功率": "99.998",
        "出金有效成功率": "99.985",
        "一次支付成功率": "99.3",
        "支付系统年度可用性": "100",
        "不可用时间": "0",
        "AB级事故": "0",
        "CD级事故": "0",
        "巡检进度": "79.55",
        "健康分": "641",
    },
    readings_notes={"巡检进度": "70/88"},
    projects={
        "商户分账": ("O1", "in_progress", "on_track", D(70), date(2024, 1, 8), date(2024, 1, 15)),
        "对公代发": ("O1", "in_progress", "on_track", D(0), None, date(2024, 1, 18)),
        "清结算重构": ("O2", "in_progress", "on_track", D("93.33"), None, None),
        "风控模型升级": ("O2", "in_progress", "on_track", D(50), None, date(2024, 1, 17)),
        "容量治理专项": ("O3", "in_progress", "on_track", D(0), None, None),
    },
    milestones={
        "清结算重构": [
            ("对账引擎", "done", D(100), None),
            ("差错处理", "in_progress", D(80), None),
            ("资金调拨", "done", D(100), date(2024, 1, 12)),
        ]
    },
    owners={"商户分账": "liuyang", "风控模型升级": "zhaolei"},
    date_moves={"风控模型升级": [("launch", date(2024, 1, 10), date(2024, 1, 17))]},
    text_sections=("highlights", "other_work", "reflections", "next_week"),
)


def test_a_2024_report_continues_the_2023_projects_and_metrics(db, client, director, tmp_path):
    from tests import factories

    factories.UserFactory(username="liuyang", first_name="洋", last_name="刘")
    factories.UserFactory(username="zhaolei", first_name="磊", last_name="赵")
    run(LANGUAGE, CONTINUES)
    wrong = check(CONTINUES_01, CONTINUES) + check_page(client, director, CONTINUES_01)
    assert wrong == [], f"{len(wrong)} of {CONTINUES_01.count()} facts wrong or missing"
    # One project and one metric series across the two cycles, not copies.
    for name in CONTINUES_01.projects:
        (project,) = Project.objects.filter(name=name)
        assert project.objective.cycle.name == "2024"
        assert project.updates.filter(week_start=date(2023, 12, 18)).exists()  # week 52's update is kept
    (health,) = KeyResult.objects.filter(title="健康分")
    assert list(health.readings.values_list("value", flat=True)) == [D(641), D(630)]
    # Week 52 still reads as it was: the 2023 cycle, its percents and its plans.
    week52 = build_rollup(Week.parse("2023-W52"))
    rows = {p["name"]: p for o in week52["objectives"] for p in o["projects"]}
    assert week52["cycle"]["name"] == "2023"
    assert (rows["风控模型升级"]["percent"], rows["清结算重构"]["percent"]) == (35.0, 73.33)
    assert rows["商户分账"]["launch"]["date"] is None  # the 1/15 launch was planned in 2024-W01
    # The export of week 1 is the report; importing it changes nothing.
    out = tmp_path / "w01.md"
    call_command("export_weekly_report", "--week", "2024-W01", "--output", str(out), stderr=StringIO())
    from reports.markdown import normalise_source

    assert out.read_text("utf-8") == normalise_source(CONTINUES.read_text("utf-8"))
    assert "changed 0 rows" in run(out)
