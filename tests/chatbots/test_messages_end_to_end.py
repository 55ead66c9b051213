"""Each platform end to end through the local platform server (posted inline, as the command does):
who is mentioned, what the messages say, cards, signatures, size limits and splitting."""

from __future__ import annotations

from datetime import date

import pytest

from chatbots import fanout
from chatbots.models import ChatDelivery, Kind
from projects.models import Project
from projects.weeks import Week
from reports.mail import mailings
from tests import factories
from tests.chatbots.conftest import make_channel
from tests.chatbots.platform_server import mentions
from tests.reports.conftest import DEMO_WEEK

pytestmark = pytest.mark.django_db

MONDAY = date(2023, 12, 25)
PLATFORMS = [("wecom", None), ("dingtalk", "SEC0123456789abcdef"), ("feishu", "feishu-signing-secret")]
# Olivia (payments) and Oscar (platform) as each platform mentions them; Oscar has no DingTalk id: his mobile.
OLIVIA = {"wecom": "olivia.w", "dingtalk": "olivia_dt", "feishu": "ou_olivia"}
OSCAR = {"wecom": "oscar.w", "dingtalk": "13800000002", "feishu": "ou_oscar"}


@pytest.mark.parametrize(("platform", "secret"), PLATFORMS)
def test_each_team_group_gets_one_reminder_mentioning_exactly_its_owners_without_an_update(
    platforms, teams, owner, other_owner, platform, secret
):
    _payments, payments_bot = make_channel(platforms, platform, team=teams["payments"], secret=secret)
    _platform, platform_bot = make_channel(platforms, platform, team=teams["platform"], secret=secret)
    _department, department_bot = make_channel(platforms, platform, secret=secret)

    outcomes = fanout.deliver_inline(fanout.plan(Kind.UPDATE_REMINDER, MONDAY))

    assert outcomes == {"sent": 3}
    assert mentions(payments_bot) == [[OLIVIA[platform]]]
    assert mentions(platform_bot) == [[OSCAR[platform]]]
    assert sorted(mentions(department_bot)[0]) == sorted([OLIVIA[platform], OSCAR[platform]])
    [text] = payments_bot.texts()
    assert "Bank virtual accounts" in text  # Olivia's project without this week's update
    assert "POS acquiring" not in text  # updated this week
    assert f"https://okr.example.com/admin/projects/project/?owner__id__exact={owner.pk}&updated=no" in text
    assert "2023-W53" in text
    [text] = platform_bot.texts()
    assert "Risk data indicators" in text and "Retired gateway" not in text  # done projects need no update
    assert set(ChatDelivery.objects.values_list("status", flat=True)) == {"sent"}
    assert payments_bot.refused == [] and platform_bot.refused == [] and department_bot.refused == []


@pytest.mark.parametrize(("platform", "secret"), PLATFORMS)
def test_milestone_alert_mentions_the_owner(platforms, teams, platform, secret):
    _channel, bot = make_channel(platforms, platform, team=teams["payments"], secret=secret)

    fanout.deliver_inline(fanout.plan(Kind.MILESTONE_ALERT, date(2023, 12, 28)))

    [mentioned] = mentions(bot)
    assert set(mentioned) == {OLIVIA[platform]}
    [text] = bot.texts()
    assert "Shift traffic to the new system" in text and "overdue by 1 day " in text
    assert "Partner integration test" in text  # due 2 January: within three working days
    assert "Go live" not in text


@pytest.mark.parametrize(
    ("platform", "secret", "card_type"),
    [("wecom", None, "markdown"), ("dingtalk", "SECdigest", "actionCard"), ("feishu", "fs", "interactive")],
)
def test_friday_digest_is_a_card_with_objectives_slips_incidents_and_the_not_updated(
    platforms, teams, platform, secret, card_type
):
    Project.objects.filter(name="Bank virtual accounts").update(launch_date=date(2024, 1, 31))
    Project.objects.filter(name="Bank virtual accounts").update(launch_date_baseline=date(2024, 1, 10))
    _channel, bot = make_channel(platforms, platform, secret=secret, receives_digest=True, receives_reminders=False)
    mailings.freeze_for_digest(Week.parse(DEMO_WEEK))

    assert fanout.deliver_inline(fanout.plan(Kind.DIGEST, MONDAY)) == {"sent": 1}

    [body] = bot.received
    assert (body.get("msgtype") or body.get("msg_type")) == card_type
    text = bot.texts()[0]
    assert "2023-W53 weekly report" in text
    assert "O2 Upgrade the systems" in text and "O1 Serve the business" in text
    assert "Card channel timeouts" in text  # the week's incident
    assert "Risk data indicators" in text and "Bank virtual accounts" in text  # not updated
    assert "https://okr.example.com/rollup/2023-W53/" in str(body)


def test_a_team_channels_digest_lists_only_its_teams_slips_and_stale_projects(platforms, teams):
    _channel, bot = make_channel(platforms, "wecom", team=teams["platform"], receives_digest=True)
    mailings.freeze_for_digest(Week.parse(DEMO_WEEK))

    fanout.deliver_inline(fanout.plan(Kind.DIGEST, MONDAY))

    text = bot.texts()[0]
    assert "Risk data indicators" in text and "Bank virtual accounts" not in text


@pytest.mark.parametrize(("platform", "limit"), [("wecom", 2048), ("dingtalk", 20000), ("feishu", 18000)])
def test_a_long_reminder_is_split_within_the_platforms_limit_and_every_owner_is_mentioned_once(
    platforms, teams, platform, limit
):
    from chatbots.models import ChatIdentity

    team = teams["payments"]
    objective = Project.objects.first().objective
    count = 40 if platform == "wecom" else 260
    for n in range(count):
        user = factories.owner(username=f"owner{n:03d}")
        ChatIdentity.objects.create(
            user=user, wecom_user_id=f"w{n:03d}", dingtalk_user_id=f"d{n:03d}", feishu_open_id=f"ou_{n:03d}"
        )
        factories.ProjectFactory(objective=objective, team=team, owner=user, name=f"项目 {n:03d} " + "支付系统升级" * 6)
    _channel, bot = make_channel(platforms, platform, team=team)

    assert fanout.deliver_inline(fanout.plan(Kind.UPDATE_REMINDER, MONDAY)) == {"sent": 1}

    assert len(bot.received) > 1 and bot.refused == []
    texts = bot.texts()
    assert all(len(text.encode()) <= limit for text in texts)
    assert texts[0].splitlines()[0].endswith(f"(1/{len(texts)})") or f"(1/{len(texts)})" in texts[0]
    everyone = [m for part in mentions(bot) for m in part]
    expected = {"wecom": "w", "dingtalk": "d", "feishu": "ou_"}[platform]
    assert sorted(everyone) == sorted([f"{expected}{n:03d}" for n in range(count)] + [OLIVIA[platform]])
    assert ChatDelivery.objects.get().parts_sent == len(texts)


def test_a_wrong_secret_fails_with_the_platforms_code_and_never_shows_the_secret(platforms, teams):
    channel, bot = make_channel(platforms, "dingtalk", team=teams["payments"], secret="SECright")
    channel.secret = "SECwrong-do-not-show"
    channel.save()

    assert fanout.deliver_inline(fanout.plan(Kind.UPDATE_REMINDER, MONDAY)) == {"failed": 1}

    delivery = ChatDelivery.objects.get()
    assert (delivery.status, delivery.error_code) == ("failed", "310000")
    assert "sign not match" in delivery.last_error
    assert "SECwrong" not in delivery.last_error and bot.token not in delivery.last_error
    assert bot.received == []


def test_nothing_left_to_say_is_skipped_and_posts_nothing(platforms, teams):
    _channel, bot = make_channel(platforms, "feishu", team=teams["payments"])
    rows = fanout.plan(Kind.UPDATE_REMINDER, MONDAY)
    for project in Project.objects.filter(team=teams["payments"]).exclude(updates__week_start=MONDAY):
        factories.ProgressUpdateFactory(project=project, week_start=MONDAY)

    assert fanout.deliver_inline(rows) == {"skipped": 1}
    assert bot.received == []


def test_director_comments_are_a_choice_but_nothing_is_sent_yet(platforms, teams):
    _channel, bot = make_channel(platforms, "wecom", receives_director_comments=True)

    assert fanout.deliver_inline(fanout.plan(Kind.DIRECTOR_COMMENT, MONDAY)) == {"skipped": 1}
    assert bot.received == []


def test_the_command_posts_now_with_progress_and_not_twice(platforms, teams):
    from io import StringIO

    from django.core.management import call_command

    _channel, bot = make_channel(platforms, "feishu", team=teams["payments"])
    out = StringIO()
    call_command("send_chat", "reminders", "--week", DEMO_WEEK, "--dry-run", stdout=out)
    assert "Bank virtual accounts" in out.getvalue() and bot.received == []

    call_command("send_chat", "reminders", "--week", DEMO_WEEK, stdout=out)
    call_command("send_chat", "reminders", "--week", DEMO_WEEK, stdout=out)
    assert "[1/1] sent" in out.getvalue() and "0 channel(s) waiting" in out.getvalue()
    assert len(bot.received) == 1


def test_messages_are_written_in_the_channels_language(platforms, teams, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    _zh, zh_bot = make_channel(platforms, "wecom", team=teams["payments"])
    _en, en_bot = make_channel(platforms, "wecom", team=teams["payments"], language="en")

    fanout.deliver_inline(fanout.plan(Kind.UPDATE_REMINDER, MONDAY))

    assert zh_bot.texts()[0].startswith("2023年第53周：以下项目本周还没有更新进展")
    assert "请在周五汇总周报前更新。" in zh_bot.texts()[0]
    assert en_bot.texts()[0].startswith("2023-W53: projects without this week's update")


def test_building_a_message_takes_as_many_queries_for_thirty_owners_as_for_three(teams, platforms):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chatbots import messages
    from chatbots.models import ChatIdentity

    channel, _bot = make_channel(platforms, "wecom", team=teams["payments"])
    objective = Project.objects.first().objective

    def queries(kind: str, period: date) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert messages.build(ChatDelivery(kind=kind, period=period, channel=channel)) is not None
        return len(captured)

    def add_owners(count: int, start: int) -> None:
        for n in range(start, start + count):
            user = factories.owner(username=f"q{n}")
            ChatIdentity.objects.create(user=user, wecom_user_id=f"q{n}")
            project = factories.ProjectFactory(objective=objective, team=teams["payments"], owner=user)
            factories.MilestoneFactory(project=project, due_date=date(2023, 12, 27), owner=user)

    add_owners(2, 0)
    few = (queries(Kind.UPDATE_REMINDER, MONDAY), queries(Kind.MILESTONE_ALERT, date(2023, 12, 28)))
    add_owners(27, 2)
    many = (queries(Kind.UPDATE_REMINDER, MONDAY), queries(Kind.MILESTONE_ALERT, date(2023, 12, 28)))
    assert many == few, "a query per owner or milestone crept in"
