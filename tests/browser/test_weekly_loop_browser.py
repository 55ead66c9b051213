"""The weekly loop as its people meet it, in headless Chromium at desktop (1366 px) and phone (390 px) widths:
an owner's two-minute check-in in *My week*, a director reading what changed and answering an update,
the owner's email about it, and the digest at 320, 390 and 600 px with the page's numbers.

Screenshots of every page go to ``test-artifacts/``; axe-core checks the sign-in page, the rollup and
My week for serious or critical accessibility problems.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from projects.models import ProgressUpdate, Project, UpdateComment
from projects.weeks import Week
from reports.mail.compose import render_parts
from reports.mail.mailings import deliver_one
from reports.mail.messages import digest_context
from reports.models import Delivery
from reports.rollup import read_week

from .conftest import DESKTOP, PHONE, assert_accessible, no_sideways_scroll, shot, sign_in

pytestmark = [
    pytest.mark.browser,
    # The live server answers from another thread, so the data must be committed; serialized
    # rollback puts back the groups the migrations created for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WEEK = "2023-W53"
POS = "POS收单系统建设"
OWNER_PASSWORD = "owner-demo-2023"


@pytest.fixture
def demo():
    call_command("load_demo", stdout=StringIO())


def test_sign_in_page_says_what_the_product_is(live_server, chromium, axe_script, demo):
    for name, options in (("desktop", DESKTOP), ("phone", PHONE)):
        page = chromium.new_context(locale="zh-CN", **options).new_page()
        page.goto(f"{live_server.url}/rollup/{WEEK}/")
        assert "/accounts/login/" in page.url
        assert page.locator("h1").inner_text()
        assert "周报汇总" in page.locator(".next-note").inner_text()  # says why you are asked to sign in
        assert no_sideways_scroll(page)
        assert_accessible(page, axe_script, f"sign-in ({name})")
        shot(page, f"login-{name}")


def test_owner_checks_in_on_a_phone(live_server, chromium, axe_script, demo):
    owner_projects = Project.objects.filter(owner__username="chenjing").active()
    assert owner_projects.exists(), "the demo owner has active projects"
    context = chromium.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    sign_in(page, live_server.url, "chenjing", OWNER_PASSWORD)

    # Their project list shows their own projects first, with people's names.
    page.goto(f"{live_server.url}/admin/projects/project/")
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == Project.objects.filter(owner__username="chenjing").count()
    assert "陈静" in page.locator("#user-tools").inner_text()
    assert "陈静" in page.locator("#result_list").inner_text()
    shot(page, "owner-projects-phone")

    page.get_by_role("link", name="我的本周").first.click()
    page.wait_for_load_state()
    cards = page.locator("section.mw-card")
    assert cards.count() == owner_projects.count()
    assert no_sideways_scroll(page)
    assert_accessible(page, axe_script, "My week (phone)")
    shot(page, "my-week-phone")

    first = cards.first
    name = first.get_attribute("data-project")
    project = Project.objects.get(name=name)
    first.locator("textarea[name$=summary]").fill("联调完成，准备提测。")
    first.locator("textarea[name$=next_steps]").fill("下周提测")
    first.locator("select[name$=health]").select_option("at_risk")
    ticks = first.locator("input[type=checkbox]")
    ticked = ticks.count() > 0
    if ticked:
        ticks.first.check()
    page.get_by_role("button", name="全部保存").click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").is_visible()
    shot(page, "my-week-saved-phone")

    update = ProgressUpdate.objects.get(project=project, week_start=Week.current().monday)
    assert update.summary == "联调完成，准备提测。" and update.health == "at_risk"
    assert update.author.username == "chenjing"
    # Untouched cards wrote nothing.
    assert ProgressUpdate.objects.filter(week_start=Week.current().monday).count() == 1
    saved = page.locator(f'section.mw-card[data-project="{name}"]')
    assert "mw-card done" in saved.get_attribute("class")

    desktop = chromium.new_context(locale="zh-CN", storage_state=context.storage_state(), **DESKTOP).new_page()
    desktop.goto(f"{live_server.url}/admin/projects/project/my-week/")
    assert_accessible(desktop, axe_script, "My week (desktop)")
    shot(desktop, "my-week-desktop")
    desktop.goto(f"{live_server.url}/admin/projects/project/")
    shot(desktop, "owner-projects-desktop")


def test_director_reads_what_changed_comments_and_the_owner_is_told(live_server, chromium, axe_script, demo):
    pos = Project.objects.get(name=POS)
    context = chromium.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    sign_in(page, live_server.url, "director", "director-demo-2023")
    page.goto(f"{live_server.url}/rollup/{WEEK}/")

    changed = page.locator("#what-changed")
    assert changed.is_visible()
    assert "支付系统双活" in changed.inner_text()  # at risk this week, on track the week before
    index = page.locator("nav.section-index")
    assert index.get_by_role("link", name="O2").is_visible()
    page.mouse.wheel(0, 3000)
    assert index.is_visible() and index.bounding_box()["y"] <= 1  # stays in reach while reading
    page.evaluate("window.scrollTo(0, 0)")
    assert page.title().startswith("周报汇总")
    assert_accessible(page, axe_script, "rollup (desktop)")
    shot(page, "rollup-desktop")

    card = page.locator(f'article[data-project="{POS}"]')
    assert card.get_by_role("link", name=f"历史 {POS}").get_attribute("href").endswith(f"/{pos.pk}/history/")
    card.locator("summary").click()  # the comment box opens on demand, so the page stays short on a phone
    card.locator("textarea[name=text]").fill("巡检测试的风险需要我协调吗？")
    card.get_by_role("button", name="评论").click()
    page.wait_for_load_state()
    card = page.locator(f'article[data-project="{POS}"]')
    assert "巡检测试的风险需要我协调吗？" in card.locator(".comments").inner_text()
    card.get_by_role("button", name="已阅").click()
    page.wait_for_load_state()
    assert page.locator(f'article[data-project="{POS}"] .badge.ack').first.is_visible()
    shot(page, "rollup-commented-desktop")

    # The owner is told: one email per comment, sent by the worker's code from its Delivery row.
    rows = Delivery.objects.filter(kind=Delivery.Kind.UPDATE_COMMENT, email=pos.owner.email).order_by("pk")
    assert rows.count() == 2
    for row in rows:
        deliver_one(row.pk)
    subjects = [m.subject for m in mail.outbox]
    assert any(POS in s for s in subjects) and len(subjects) == 2
    assert "巡检测试的风险需要我协调吗？" in mail.outbox[0].body
    assert UpdateComment.objects.filter(update__project=pos, acknowledged=True).exists()

    phone = chromium.new_context(locale="zh-CN", storage_state=context.storage_state(), **PHONE).new_page()
    phone.goto(f"{live_server.url}/rollup/{WEEK}/")
    assert no_sideways_scroll(phone)
    assert phone.locator("nav.section-index").is_visible()
    assert_accessible(phone, axe_script, "rollup (phone)")
    shot(phone, "rollup-phone")

    # The owner reads the thread in the project's history too.
    owner_page = chromium.new_context(locale="zh-CN", **DESKTOP).new_page()
    sign_in(owner_page, live_server.url, pos.owner.username, OWNER_PASSWORD)
    owner_page.goto(f"{live_server.url}/rollup/{WEEK}/#project-{pos.pk}")
    assert "巡检测试的风险需要我协调吗？" in owner_page.locator(f"#project-{pos.pk} .comments").inner_text()


@pytest.mark.parametrize("width", [320, 390, 600])
def test_digest_fits_and_says_what_the_page_says(live_server, chromium, demo, width):
    week = Week.parse(WEEK)
    _subject, _text, html = render_parts(
        template="digest", context=digest_context(read_week(week), week), language="zh-hans"
    )
    page = chromium.new_context(viewport={"width": width, "height": 800}).new_page()
    page.set_content(html)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    shot(page, f"digest-{width}")
    assert overflow <= 0, f"the digest is {overflow} px wider than a {width} px screen"
    digest = page.evaluate(
        "Object.fromEntries([...document.querySelectorAll('strong.pct[data-project]')]"
        ".map(e => [e.dataset.project, e.textContent.trim()]))"
    )

    reader = chromium.new_context(locale="zh-CN", **DESKTOP).new_page()
    sign_in(reader, live_server.url, "director", "director-demo-2023")
    reader.goto(f"{live_server.url}/rollup/{WEEK}/")
    on_page = reader.evaluate(
        "Object.fromEntries([...document.querySelectorAll('article[data-project]')]"
        ".map(e => [e.dataset.project, e.querySelector('.percent').textContent.trim()]))"
    )
    assert on_page and set(on_page) <= set(digest)
    assert {name: digest[name] for name in on_page} == on_page
    assert on_page[POS] == "81.4%"


def test_director_home_and_notification_settings_at_both_widths(live_server, chromium, axe_script, demo):
    context = chromium.new_context(locale="zh-CN", **DESKTOP)
    page = context.new_page()
    sign_in(page, live_server.url, "director", "director-demo-2023")
    for name, options in (("desktop", DESKTOP), ("phone", PHONE)):
        page = chromium.new_context(locale="zh-CN", storage_state=context.storage_state(), **options).new_page()
        page.goto(f"{live_server.url}/admin/")
        assert page.locator(".okr-home").is_visible()
        assert page.get_by_role("link", name="导入周报").first.is_visible()
        shot(page, f"director-home-{name}")
        page.goto(f"{live_server.url}/me/notifications/")
        assert page.get_by_role("button", name="给我发一封测试邮件").count() == 3
        assert page.locator("select[name=language]").count() == 1
        assert no_sideways_scroll(page)
        assert_accessible(page, axe_script, f"notification settings ({name})")
        shot(page, f"notifications-{name}")
