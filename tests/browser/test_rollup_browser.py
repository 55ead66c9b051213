"""The directors' rollup as a person sees it: headless Chromium at desktop and phone widths.

Needs Debian's chromium at /usr/bin/chromium (``apt-get install -y chromium``); skipped without it.
Screenshots are saved under ``test-artifacts/`` for a human to look at.
"""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from projects.models import Incident
from projects.weeks import Week
from reports.rollup import read_week
from reports.templatetags.rollup_tags import format_percent

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
POS = "POS收单系统建设"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
    # The live server answers from another thread, so the data must be committed; serialized
    # rollback puts back the groups the migrations created for the tests that follow.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs an event loop in this thread
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def test_director_reads_week_53_on_desktop_and_phone(live_server, browser):
    call_command("load_demo", stdout=StringIO())
    week = Week.parse("2023-W53", "jan1")
    # The week as it was (the demo goes on into 2024-W01, so today's percent is later's), as reports write it.
    rollup = read_week(week)
    pos_percent = (
        format_percent(next(p for o in rollup["objectives"] for p in o["projects"] if p["name"] == POS)["percent"])
        + "%"
    )
    assert pos_percent == "81.4%"
    start, end = week.bounds()
    incidents = list(
        Incident.objects.filter(detected_at__gte=start, detected_at__lt=end).values_list("title", flat=True)
    )
    assert incidents, "the demo week 53 has incidents"
    ARTIFACTS.mkdir(exist_ok=True)
    url = f"{live_server.url}/rollup/{week.code}/"

    desktop = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = desktop.new_page()
    page.goto(url)
    assert "/accounts/login/" in page.url  # anonymous readers are sent to the sign-in page first
    page.fill("#id_username", "director")
    page.fill("#id_password", "director-demo-2023")
    page.click("input[type=submit]")
    page.wait_for_url(url)
    check_page(page, pos_percent, incidents)
    page.screenshot(path=str(ARTIFACTS / "rollup-w53-desktop.png"), full_page=True)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="en-US",
        storage_state=desktop.storage_state(),  # the same signed-in director
    )
    page = phone.new_page()
    page.goto(url)
    check_page(page, pos_percent, incidents)
    # Nothing spills sideways on a phone: the page is no wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "rollup-w53-phone.png"), full_page=True)


def check_page(page, pos_percent: str, incidents: list[str]) -> None:
    for code in ("O1", "O2", "O3"):
        heading = page.locator(f"#objective-{code} h2")
        assert heading.is_visible()
        assert heading.inner_text().startswith(code)
    pos = page.locator(f'#objective-O2 article[data-project="{POS}"]')
    assert pos.is_visible()
    assert pos_percent in pos.locator(".percent").inner_text()
    incident_table = page.locator("#incidents")
    for title in incidents:
        assert incident_table.get_by_text(title).is_visible()
    assert "2023-W53" in page.locator("h1").inner_text()
