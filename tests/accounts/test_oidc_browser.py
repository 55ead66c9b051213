"""OpenID Connect sign-in as a person does it: headless Chromium, the product on a live server, and a
real provider (django-oauth-toolkit, tests/oidc_provider) in its own process.

Needs Debian's chromium at /usr/bin/chromium; skipped without it (failed in CI, which installs it).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.models import DirectoryAccount
from tests.conftest import services_required

from . import oidc_provider, slapd

CHROMIUM = "/usr/bin/chromium"  # Debian's, as tests/browser uses
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not services_required(),
        reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)",
    ),
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


@pytest.fixture
def provider(live_server, settings):
    running = oidc_provider.start(live_server.url)
    for name, value in slapd.settings_from_env(running.env()).items():
        setattr(settings, name, value)
    yield running
    running.stop()


def sign_in_at_provider(page, provider, username: str, password: str) -> None:
    page.wait_for_url(f"{provider.url}/login/**")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#provider-login button[type=submit]")


def test_director_and_owner_sign_in_with_the_provider_and_log_out_of_it(live_server, provider, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    page = browser.new_context(locale="en-US").new_page()
    rollup = f"{live_server.url}/rollup/2023-W53/"

    page.goto(rollup)
    assert "/accounts/login/" in page.url  # anonymous readers are sent to the product's sign-in page
    button = page.locator("#oidc-login")
    assert button.inner_text().strip() == "Sign in with Test SSO"
    page.screenshot(path=str(ARTIFACTS / "login-oidc.png"), full_page=True)
    button.click()
    sign_in_at_provider(page, provider, "wuhao", "wuhao-sso-pass")
    page.wait_for_url(rollup)  # the authorization-code flow brings them back where they were going
    assert "2023-W53" in page.locator("h1").inner_text()
    assert "吴昊" in page.locator("nav.site-nav").inner_text()

    wuhao = get_user_model().objects.get(username="wuhao")
    assert set(wuhao.groups.values_list("name", flat=True)) == {"Directors"}
    assert (wuhao.email, wuhao.directory_account.source) == ("wuhao@example.com", DirectoryAccount.Source.OIDC)
    assert wuhao.directory_account.mobile == "+86 139 0000 0009"
    assert not wuhao.has_usable_password()

    # Logging out ends the provider's session too: the next "Sign in with" asks for a password again.
    page.click("nav.site-nav form[action='/admin/logout/'] button")
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.click("#oidc-login")
    sign_in_at_provider(page, provider, "zhengmin", "zhengmin-sso-pass")
    page.wait_for_url(f"{live_server.url}/admin/projects/project/")  # an owner lands on their projects

    zhengmin = get_user_model().objects.get(username="zhengmin")
    assert set(zhengmin.groups.values_list("name", flat=True)) == {"Project owners"}  # "staff" maps to nothing
    assert zhengmin.is_staff
    page.screenshot(path=str(ARTIFACTS / "oidc-owner-landed.png"), full_page=True)


def test_provider_user_deactivated_here_cannot_sign_in(live_server, provider, browser):
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("#oidc-login")
    sign_in_at_provider(page, provider, "wuhao", "wuhao-sso-pass")
    page.wait_for_url(f"{live_server.url}/rollup/")
    get_user_model().objects.filter(username="wuhao").update(is_active=False)

    page.goto(f"{live_server.url}/rollup/")  # the session ends with the account
    assert "/accounts/login/" in page.url
    page.click("#oidc-login")  # the provider still knows them, but the product refuses them
    page.wait_for_url(f"{live_server.url}/accounts/login/?failed=oidc")
    assert "did not succeed" in page.locator(".errors").inner_text()
