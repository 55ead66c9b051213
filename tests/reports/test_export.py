"""The week as a Markdown weekly report: section order, built from the data, and a round trip that changes nothing."""

from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects import services
from projects.history import recorded_at
from projects.models import Incident, KeyResultReading
from projects.weeks import Week
from reports.markdown import week_markdown
from reports.rollup import build_rollup
from tests import factories

from .importing_helpers import VARIANTS, WEEK_53, seed, snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECTIONS = [
    "# 第53周 2023/12/29",
    "## 【重点工作】",
    "## 【系统运行数据】",
    "## 【O1 服务业务】",
    "## 【O2 系统升级】",
    "## 【O3 安全稳定、降本提效】",
    "### 【生产事件】",
    "## 【其他】",
    "## 收获与反思",
    "# 下周工作及目标",
]


def import_files(*paths) -> str:
    out = StringIO()
    call_command("import_weekly_report", *map(str, paths), stdout=out)
    return out.getvalue()


def export(week: str, tmp_path) -> tuple[str, object]:
    path = tmp_path / f"{week}.md"
    call_command("export_weekly_report", "--week", week, "--output", str(path), stderr=StringIO())
    return path.read_text("utf-8"), path


def test_export_has_the_reports_sections_in_order(superuser, tmp_path):
    import_files(WEEK_53)
    text, _path = export("2023-W53", tmp_path)
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == SECTIONS
    assert "- 物保二期，退款路径优化已提测，预计1/4上线" in text
    assert "- 入金有效成功率：99.995%" in text and "- CD级事故：2.5次" in text
    assert "- POS收单系统建设（进度67.5%）\n    1. 核心支付链路，上线完成\n" in text
    assert (
        "- 12/26 09:05 监控告警对账文件推送失败，导致两个渠道对账延迟，9:50恢复\n    处置：回滚代理配置并补推文件。"
        in text
    )
    assert text.endswith("# 下周工作及目标\n\n1. 绩效面谈\n2. OKR对齐\n")


@pytest.mark.parametrize("fixture", [WEEK_53, VARIANTS], ids=["week53", "variants"])
def test_round_trip_of_own_reports_changes_nothing(superuser, tmp_path, fixture):
    import_files(fixture)
    week = "2023-W53" if fixture == WEEK_53 else "2024-W02"
    text, path = export(week, tmp_path)
    before = snapshot()
    output = import_files(path)
    assert "changed 0 rows" in output, output
    assert snapshot() == before
    again, _path = export(week, tmp_path)
    assert again.split("\n", 3)[3] == text.split("\n", 3)[3]  # the same report, apart from the Created time


def test_round_trip_of_the_seeds_changes_nothing(superuser, tmp_path):
    seeds = [seed("000"), seed("003")]
    import_files(*seeds)
    exported = [export(week, tmp_path)[1] for week in ("2023-W53", "2023-W38")]
    before = snapshot()
    output = import_files(*exported)
    assert output.count("changed 0 rows") == 2, output
    assert snapshot() == before


THURSDAY_W53 = datetime(2023, 12, 28, 10, tzinfo=SHANGHAI)


@pytest.fixture
def entered_in_the_app(superuser):
    """A week entered through the app (not imported) that Thursday: an update, a stale project, a metric,
    an incident."""
    with recorded_at(THURSDAY_W53):
        return _entered_in_the_app(superuser)


def _entered_in_the_app(superuser):
    cycle = factories.CycleFactory()
    o1 = factories.ObjectiveFactory(cycle=cycle, code="O1", title="Serve the business", order=1)
    o3 = factories.ObjectiveFactory(cycle=cycle, code="O3", title="Stability", order=3)
    project = factories.ProjectFactory(
        objective=o1, name="Bank accounts", owner=superuser, launch_date=date(2024, 1, 11), is_key_work=True
    )
    services.project_save(project=project)
    update = factories.ProgressUpdateFactory.build(
        project=project, week_start=date(2023, 12, 25), percent=Decimal(40), summary="Integration testing with the bank"
    )
    update.next_steps = "Trial payments"
    services.progress_update_save(update=update)
    quiet = factories.ProjectFactory(objective=o1, name="Custody", owner=superuser)
    factories.ProgressUpdateFactory(project=quiet, week_start=date(2023, 12, 18), summary="Waiting")
    kr = factories.KeyResultFactory(objective=o3, title="Pay-in success rate", unit="%", is_operating_metric=True)
    services.key_result_record_reading(key_result=kr, week_start=date(2023, 12, 25), value=Decimal("99.991"))
    Incident.objects.create(
        title="Settlement delay",
        description="The nightly job ran late",
        handling="Re-ran it",
        detected_at=datetime(2023, 12, 27, 3, 14, 27, tzinfo=SHANGHAI),
        grade=Incident.Grade.D,
        responsibility_share=Decimal("0.5"),
    )
    return project


def test_export_of_data_entered_in_the_app(entered_in_the_app, tmp_path):
    text, path = export("2023-W53", tmp_path)
    assert "- Bank accounts，Integration testing with the bank（进度40%，上线2024-01-11）" in text
    assert "- Custody（本周无更新）" in text
    assert "- Pay-in success rate：99.991%" in text
    assert "- 12/27 03:14 Settlement delay，The nightly job ran late（D级，定责0.5）\n    处置：Re-ran it" in text
    assert "# 下周工作及目标\n\n1. Bank accounts：Trial payments\n" in text  # no director text: the owners' next steps
    assert "## 【重点工作】\n\n- 重点项目：Bank accounts（进度40%）\n" in text  # key-work projects from the data
    with recorded_at(THURSDAY_W53):
        factories.DirectorNoteFactory(week_start=date(2023, 12, 25), next_week="1. Plan 2024")
    text, path = export("2023-W53", tmp_path)
    assert "Year-end support arranged.\n\n- 重点项目：Bank accounts（进度40%）\n" in text
    before = snapshot()
    assert "changed 0 rows" in import_files(path)
    assert snapshot() == before


def test_download_requires_login_and_is_an_attachment(client, entered_in_the_app, director):
    url = reverse("rollup-markdown", args=["2023-W53"])
    assert url == "/rollup/2023-W53/report.md"
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    client.force_login(director)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="weekly-report-2023-W53.md"'
    assert response.content.decode("utf-8").startswith("# 第53周 2023/12/29\n")
    assert client.get(reverse("rollup-markdown", args=["2023-W99"])).status_code == 404


def test_download_query_count_does_not_grow_with_projects(client, entered_in_the_app, director):
    client.force_login(director)
    url = reverse("rollup-markdown", args=["2023-W53"])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    objective = entered_in_the_app.objective
    with recorded_at(THURSDAY_W53):
        for n in range(6):
            extra = factories.ProjectFactory(objective=objective, name=f"Extra {n}")
            factories.ProgressUpdateFactory(project=extra, week_start=date(2023, 12, 25), summary=f"Step {n}")
            factories.MilestoneFactory(project=extra)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert "Extra 5" in response.content.decode()
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_export_command_prints_and_refuses_bad_weeks(db):
    out = StringIO()
    call_command("export_weekly_report", "--week", "2023-W53", stdout=out)
    assert out.getvalue().startswith("# 第53周 2023/12/29\n")
    with pytest.raises(CommandError, match="is not a week"):
        call_command("export_weekly_report", "--week", "last week")
    with pytest.raises(CommandError, match="has no week 54"):
        call_command("export_weekly_report", "--week", "2023-W54")


def test_week_markdown_renders_a_frozen_dict_without_the_database(superuser):
    import_files(WEEK_53)
    data = build_rollup(Week.parse("2023-W53"))
    KeyResultReading.objects.all().delete()
    text = week_markdown(data)
    assert "- 入金有效成功率：99.995%" in text  # from the dict, not from the (now changed) database
