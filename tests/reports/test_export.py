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
from projects.models import Incident, KeyResultReading, ProgressUpdate, Project
from projects.weeks import Week
from reports.importing.parser import parse_report
from reports.markdown import NORMALISATIONS, normalise_source, week_markdown
from reports.rollup import build_rollup
from tests import factories

from .importing_helpers import CONTINUES, LANGUAGE, VARIANTS, WEEK_53, seed, snapshot

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


@pytest.mark.parametrize("fixture", [WEEK_53, VARIANTS, LANGUAGE, CONTINUES], ids=["53", "variants", "52", "2024"])
def test_export_of_an_imported_week_is_the_report_up_to_the_normalisations(superuser, tmp_path, fixture):
    import_files(fixture)
    week = parse_report(fixture.read_text("utf-8")).week.code
    text, _path = export(week, tmp_path)
    # Source order, group headings, the Created line, numbers as written, lines not understood: all kept.
    assert text == normalise_source(fixture.read_text("utf-8"))


@pytest.mark.parametrize("prefix", ["000", "003"])
def test_export_of_a_seed_is_the_seed_up_to_the_normalisations(superuser, tmp_path, prefix):
    path = seed(prefix)
    import_files(seed("000"), seed("003"))  # both, in the seeds' order (53, then 38)
    week = parse_report(path.read_text("utf-8")).week.code
    text, _path = export(week, tmp_path)
    assert text == normalise_source(path.read_text("utf-8"))
    assert "29.35分钟" not in text and "（进度" not in text and "〔" not in text


def test_normalisations_are_the_documented_ones():
    source = "\ufeff# 第1周 2024/01/05\r\n\r\n- 一行   \r\n    \r\n\tx\t\r\n\r\n\r\n"
    assert normalise_source(source) == "# 第1周 2024/01/05\n\n- 一行\n\n\tx\n"
    assert len(NORMALISATIONS) == 4


def test_what_changed_in_the_app_after_the_import_shows_in_the_export(superuser, tmp_path):
    import_files(WEEK_53)
    with recorded_at(CUTOFF_W53):  # corrected in the app before the report went out
        reading = KeyResultReading.objects.get(key_result__title="一次支付成功率")
        services.key_result_record_reading(
            key_result=reading.key_result, week_start=reading.week_start, value=Decimal("99.3")
        )
        update = ProgressUpdate.objects.get(project__name="物保二期")
        update.summary = "退款路径优化测试通过，预计1/4上线"
        services.progress_update_save(update=update)
        incident = Incident.objects.get(detected_at__date=date(2023, 12, 26))
        incident.handling = "回滚代理配置，补推文件。"
        incident.save()
    text, path = export("2023-W53", tmp_path)
    # The metric keeps the precision it was written with; the rest of its line is as written.
    assert "- 出金有效成功率：99.981% ，一次支付成功率：99.300%。" in text
    assert "- 物保二期，退款路径优化测试通过，预计1/4上线" in text
    assert "    处置：回滚代理配置，补推文件。" in text
    # Everything else is still the report's own text, in its order.
    assert "- 聚合支付：账单功能上线完成，计划1/10投产\n" in text
    assert text.index("- 物保二期") < text.index("- 聚合支付") < text.index("- 资金安全")
    before = snapshot()
    assert "changed 0 rows" in import_files(path)
    assert snapshot() == before
    assert export("2023-W53", tmp_path)[0] == text


def test_projects_and_incidents_added_in_the_app_are_appended_to_their_section(superuser, tmp_path):
    import_files(WEEK_53)
    o1 = Project.objects.get(name="物保二期").objective
    with recorded_at(CUTOFF_W53):
        extra = factories.ProjectFactory(objective=o1, name="新增项目", owner=superuser)
        factories.ProgressUpdateFactory(project=extra, week_start=date(2023, 12, 25), summary="方案评审", percent=20)
    text, path = export("2023-W53", tmp_path)
    o1_section = text.split("## 【O1 服务业务】")[1].split("## 【O2")[0]
    assert o1_section.rstrip().endswith(
        "- 资金安全，提醒功能上线完毕\n- 风险数据指标，核查单开发60%，总体进度45%\n- 新增项目，方案评审"
    )
    before = snapshot()
    assert "changed 0 rows" in import_files(path)
    assert snapshot() == before
    assert export("2023-W53", tmp_path)[0] == text


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
CUTOFF_W53 = datetime(2023, 12, 29, 17, tzinfo=SHANGHAI)


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
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert headings == [*SECTIONS[:3], "## 【O1 Serve the business】", "## 【O3 Stability】", *SECTIONS[6:]]
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
