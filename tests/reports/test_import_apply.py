"""Applying imported weekly reports: what lands where, idempotence, dry runs, the command and the admin page."""

import re
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from projects.models import Incident, KeyResult, KeyResultReading, Objective, ProgressUpdate, Project
from reports.importing.apply import report_apply
from reports.importing.parser import parse_report
from reports.models import DirectorNote, ReportLayout
from tests import factories

from .importing_helpers import LANGUAGE, NOT_A_REPORT, VARIANTS, WEEK_53, seed, snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY_53 = date(2023, 12, 25)


def run(*args) -> str:
    out = StringIO()
    call_command("import_weekly_report", *map(str, args), stdout=out)
    return out.getvalue()


@pytest.fixture
def imported(superuser):
    run(WEEK_53)
    return superuser


def test_objectives_projects_and_updates(imported):
    assert list(Objective.objects.filter(cycle__name="2023").values_list("code", "title")) == [
        ("O1", "服务业务"),
        ("O2", "系统升级"),
        ("O3", "安全稳定、降本提效"),
    ]
    insurance = Project.objects.get(name="物保二期")
    # The report names no owner: nobody is assumed (not the importing user).
    assert (insurance.objective.code, insurance.owner, insurance.launch_date) == ("O1", None, date(2024, 1, 4))
    assert insurance.launch_date_baseline == date(2024, 1, 4)
    update = ProgressUpdate.objects.get(project=insurance)
    assert (update.week_start, update.summary) == (MONDAY_53, "退款路径优化已提测，预计1/4上线")
    risk = Project.objects.get(name="风险数据指标")
    assert (risk.percent, risk.updates.get().percent) == (Decimal(45), Decimal(45))


def test_pos_milestones_drive_the_percent(imported):
    pos = Project.objects.get(name="POS收单系统建设")
    rows = list(pos.milestones.values_list("order", "title", "status", "percent", "due_date", "completed_on"))
    assert rows == [
        (1, "核心支付链路", "done", Decimal(100), None, date(2023, 12, 29)),
        (2, "终端申请", "done", Decimal(100), None, date(2023, 12, 29)),
        (3, "商户巡检", "in_progress", Decimal(70), date(2024, 1, 5), None),
        (4, "加密机对接中", "in_progress", Decimal(60), None, None),  # 对接中: the integration phase, 60
    ]
    assert pos.percent == Decimal("82.50")  # (100 + 100 + 70 + 60) / 4
    assert "4. 加密机对接中" in pos.updates.get().summary


def test_metrics_incidents_and_director_text(imported):
    readings = {
        r.key_result.title: r.value
        for r in KeyResultReading.objects.filter(week_start=MONDAY_53).select_related("key_result")
    }
    assert readings["入金有效成功率"] == Decimal("99.995")
    assert readings["CD级事故"] == Decimal("2.5")
    cd = KeyResult.objects.get(title="CD级事故")
    assert (cd.is_operating_metric, cd.objective.code, cd.unit, cd.direction) == (True, "O3", "次", "at_most")
    # The incident written inside the metrics line is an incident, not a note of the reading.
    assert KeyResultReading.objects.get(key_result=cd).note == ""
    inline = Incident.objects.get(detected_at__date=date(2023, 12, 20))
    assert (inline.title, inline.grade, inline.responsibility_share, inline.postmortem_done) == (
        "清算任务延迟",
        "D",
        Decimal(1),  # graded, no share written: the whole
        True,
    )
    assert cd.target_value is None  # a new key result has no target until someone sets one
    incident = Incident.objects.get(detected_at__date=date(2023, 12, 26))
    assert (incident.grade, incident.responsibility_share) == ("event", None)
    assert incident.detected_at == datetime(2023, 12, 26, 9, 5, tzinfo=SHANGHAI)
    assert incident.resolved_at == datetime(2023, 12, 26, 9, 50, tzinfo=SHANGHAI)
    assert (incident.impact, incident.handling) == ("导致两个渠道对账延迟", "回滚代理配置并补推文件。")
    note = DirectorNote.objects.get(week_start=MONDAY_53)
    assert note.reflections == "先把事情做完，再把事情做好。"
    assert note.next_week == "1. 绩效面谈\n2. OKR对齐"
    assert "明年规划" in note.highlights


def test_reimporting_the_same_file_changes_nothing(imported):
    before = snapshot()
    output = run(WEEK_53)
    assert "changed 0 rows" in output
    assert snapshot() == before


def test_dry_run_prints_changes_and_writes_nothing(superuser):
    output = run(WEEK_53, "--dry-run")
    assert "would change" in output and "create project “POS收单系统建设”" in output
    assert "line 36:" in output
    assert "Dry run: nothing was written." in output
    assert not Project.objects.exists() and not DirectorNote.objects.exists() and not Objective.objects.exists()


def test_unparsed_lines_are_kept_and_listed_with_line_numbers(superuser):
    output = run(VARIANTS)
    assert "line 4 not understood, kept in the notes: 这一行不属于任何部分" in output
    assert "line 43 not understood" in output and "line 45 not understood" in output
    # Kept verbatim in the week's layout (so the export has them), not as tool text in the director's notes.
    assert DirectorNote.objects.get(week_start=date(2024, 1, 8)).other_work == ""
    kept = [line for block in ReportLayout.objects.get().blocks for line in block["lines"]]
    for line in ("这一行不属于任何部分", "- 本周数据平台升级，部分指标延迟", "## 附录", "一些附带的材料链接"):
        assert line in kept
    before = snapshot()
    run(VARIANTS)
    assert snapshot() == before


def test_several_files_show_progress_and_a_bad_one_stops_before_any_write(superuser):
    with pytest.raises(CommandError, match=r"not_a_report\.md: This is not a weekly report"):
        run(WEEK_53, NOT_A_REPORT)
    assert not Project.objects.exists()
    output = run(WEEK_53, VARIANTS)
    assert "[1/2]" in output and "[2/2]" in output
    # A 2024 report naming a 2023 project carries it over: one project, one history.
    pos = Project.objects.get(name="POS收单系统建设")
    assert (pos.objective.cycle.name, pos.objective.code) == ("2024", "O2")
    assert "update project “POS收单系统建设”: objective O2 系统升级 → O2 系统升级" in output
    assert list(pos.updates.values_list("week_start", flat=True)) == [date(2024, 1, 8), date(2023, 12, 25)]
    assert pos.milestones.count() == 4  # the week-53 list, matched by name: 商户巡检 done, 加密机对接 30 %


def test_missing_file_and_owner_are_clear_errors(db, tmp_path):
    factories.UserFactory(username="ops")
    with pytest.raises(CommandError, match="no user “nobody”"):
        run(WEEK_53, "--owner", "nobody")
    with pytest.raises(CommandError, match="Cannot read"):
        run(tmp_path / "missing.md", "--owner", "ops")
    run(WEEK_53, "--owner", "ops")
    assert set(Project.objects.values_list("owner__username", flat=True)) == {"ops"}


def test_projects_match_existing_names_loosely(superuser):
    cycle = factories.CycleFactory()
    o2 = factories.ObjectiveFactory(cycle=cycle, code="O2", title="Upgrades")
    existing = factories.ProjectFactory(objective=o2, name="POS 收单系统建设：一期", start_date=None)
    report_apply(parse_report(WEEK_53.read_text("utf-8")), owner=superuser)
    assert Project.objects.filter(name__contains="POS").get() == existing
    assert existing.milestones.count() == 4
    assert Objective.objects.get(code="O2").title == "Upgrades"  # an existing objective keeps its title


def test_an_older_report_does_not_move_newer_plans(superuser):
    run(WEEK_53)
    older = WEEK_53.read_text("utf-8").replace("# 第53周", "# 第52周").replace("12月29日", "12月22日")
    older = older.replace("预计1/4上线", "预计1/2上线")
    report_apply(parse_report(older), owner=superuser)
    project = Project.objects.get(name="物保二期")
    assert project.launch_date == date(2024, 1, 4)
    assert list(project.updates.values_list("week_start", flat=True)) == [date(2023, 12, 25), date(2023, 12, 18)]


def test_a_changed_plan_is_recorded_as_a_slip(superuser):
    run(WEEK_53)
    later = WEEK_53.read_text("utf-8").replace("预计1/4上线", "预计1/9上线")
    result = report_apply(parse_report(later), owner=superuser)
    project = Project.objects.get(name="物保二期")
    assert (project.launch_date, project.launch_date_baseline) == (date(2024, 1, 9), date(2024, 1, 4))
    assert project.date_changes.get().days_moved == 5
    assert any("launch_date 2024-01-04 → 2024-01-09" in str(c) for c in result.changes)


def test_apply_without_owner_leaves_projects_without_one(db):
    report_apply(parse_report(WEEK_53.read_text("utf-8")))
    assert Project.objects.count() == 7 and not Project.objects.filter(owner__isnull=False).exists()


def test_admin_upload_previews_then_applies(client, superuser):
    client.force_login(superuser)
    url = reverse("admin:reports_import_weekly_report")
    with WEEK_53.open("rb") as handle:
        response = client.post(url, {"file": handle, "owner": superuser.pk, "preview": "1"})
    assert response.status_code == 200
    assert "create project “POS收单系统建设”" in response.content.decode()
    assert not Project.objects.exists()
    text = response.context["form"]["text"].value()
    response = client.post(url, {"text": text, "owner": "", "apply": "1"})
    assert response.status_code == 200 and response.context["applied"]
    assert Project.objects.get(name="POS收单系统建设").owner is None


def test_admin_upload_refuses_other_files_and_other_users(client, superuser, owner):
    client.force_login(superuser)
    url = reverse("admin:reports_import_weekly_report")
    with NOT_A_REPORT.open("rb") as handle:
        response = client.post(url, {"file": handle, "owner": superuser.pk, "preview": "1"})
    assert "This is not a weekly report" in response.content.decode()
    client.force_login(owner)
    assert client.get(url).status_code == 403
    assert get_user_model().objects.count() == 2


def test_seeds_import_and_reimport(superuser):
    paths = [seed("000"), seed("003")]
    output = run(*paths)
    assert "line 113 not understood" in output
    assert list(Objective.objects.values_list("code", flat=True)) == ["O1", "O2", "O3"]
    pos = Project.objects.get(name="POS收单系统建设")
    assert pos.milestones.count() == 7  # the older week's list adds no open milestones to today's
    assert not Project.objects.filter(name__contains="数据库").exists()  # a metric line is not a project
    before = snapshot()
    assert "changed 0 rows" in run(*paths).split("\n")[0]
    assert snapshot() == before


def test_check_prints_where_every_line_went_and_writes_nothing(superuser):
    output = run(LANGUAGE, "--check")
    assert "Dry run: nothing was written." in output and not Project.objects.exists()
    placed = dict(re.findall(r"^\s*(\d+) │ (.+)$", output, flags=re.M))
    lines = LANGUAGE.read_text("utf-8").splitlines()
    assert sorted(map(int, placed)) == list(range(1, len(lines) + 1))  # every line, none left out
    assert placed["3"] == "report's creation time"
    assert placed["21"] == (
        "reading of “AB级事故”: 0次; reading of “CD级事故”: 2次; "
        "incident 2023-12-19 “清分文件重复生成” (grade D, share 0.5)"
    )
    assert placed["38"] == "milestone 2 “差错处理” of “清结算重构”"
    assert placed["40"] == "group heading “项目筹备”"
    assert placed["47"] == "reading of “巡检进度”: 75.00%"
    assert placed["48"] == "update of project “容量治理专项” (O3); reading of “健康分”: 630"
    assert placed["54"] == "incident 2023-12-20 14:02: handling"
    assert placed["64"] == "director's text: 收获与反思"
    assert "   │   - 清结算重构" in output  # each line is shown under its place


def test_the_newest_list_is_the_milestone_list(superuser):
    run(WEEK_53)
    later = WEEK_53.read_text("utf-8").replace("# 第53周", "# 第1周 2024/01/05").replace("    4. 加密机对接中\n", "")
    later = later.replace("    3. 商户巡检，测试进度70%，预计下周上线", "    3. 商户巡检，上线完成")
    result = report_apply(parse_report(later))
    pos = Project.objects.get(name="POS收单系统建设")
    assert dict(pos.milestones.values_list("title", "status")) == {
        "核心支付链路": "done",
        "终端申请": "done",
        "商户巡检": "done",
        "加密机对接中": "cancelled",  # no longer listed: not left open and overdue
    }
    assert pos.percent == Decimal(100)
    assert any("加密机对接中" in warning and "no longer listed" in warning for warning in result.warnings)


def test_a_line_without_a_percent_keeps_the_previous_one(superuser):
    run(WEEK_53)  # 风险数据指标: 总体进度45%
    later = WEEK_53.read_text("utf-8").replace("# 第53周", "# 第1周 2024/01/05")
    later = later.replace("- 风险数据指标，核查单开发60%，总体进度45%", "- 风险数据指标，等待数据源排期")
    later = later.replace("- 资金安全，提醒功能上线完毕", "- 资金安全，提醒功能联调中")
    report_apply(parse_report(later))
    risk = Project.objects.get(name="风险数据指标")
    assert [u.percent for u in risk.updates.order_by("week_start")] == [Decimal(45), Decimal(45)]  # not 0
    done = Project.objects.get(name="资金安全")
    # Done at 100 % last week; "联调中" (60) does not take it back.
    assert [u.percent for u in done.updates.order_by("week_start")] == [Decimal(100), Decimal(100)]
