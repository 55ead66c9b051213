"""Content-Security-Policy (issue 16): the pages people use run in Chromium without one violation.

The rollup, the admin (list and change form), the API docs and the sign-in and sign-out pages are
opened in headless Chromium with the policy the product sends; any "Refused to …" console message
or securitypolicyviolation event fails the test. Needs Debian's chromium; skipped without it.
"""

from __future__ import annotations

import os
from io import StringIO

import pytest
from django.core.management import call_command

from projects.models import Project
from tests.browser.test_rollup_browser import ARGS, CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));
"""


@pytest.fixture
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def test_every_page_passes_the_content_security_policy(live_server, browser, settings):
    settings.API_DOCS_PUBLIC = False
    call_command("load_demo", stdout=StringIO())
    project = Project.objects.filter(owner__username="chenjing").first()
    context = browser.new_context(locale="en-US")
    context.add_init_script(WATCH)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)

    def visit(path: str) -> None:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status < 400, (path, response.status)
        assert "content-security-policy" in response.headers, path
        page.wait_for_load_state("networkidle")
        violations = page.evaluate("window.__csp")
        assert not violations and not refused, (path, violations, refused)

    visit("/accounts/login/")
    page.fill("#id_username", "chenjing")
    page.fill("#id_password", "owner-demo-2023")
    page.click("input[type=submit]")
    page.wait_for_load_state("networkidle")
    for path in (
        "/rollup/2023-W53/",
        "/admin/projects/project/",
        f"/admin/projects/project/{project.pk}/change/",
        "/admin/projects/project/my-week/",
        "/api/docs/",
        "/me/notifications/",
        "/accounts/logout/",
    ):
        visit(path)
    # The language switch still works without inline script (its handler comes from a file).
    page.goto(f"{live_server.url}/admin/projects/project/")
    page.select_option("#okr-language-select", "zh-hans")
    page.wait_for_load_state("networkidle")
    assert "项目" in page.content()
    swagger = page.goto(f"{live_server.url}/api/docs/")
    assert swagger.status == 200
    page.wait_for_selector(".swagger-ui .info", timeout=15000)  # Swagger UI rendered from its script file
    assert not page.evaluate("window.__csp") and not refused
