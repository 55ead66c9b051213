"""Sign-in abuse and stale credentials (issue 16): lockouts keyed on the real client, progressive
delays, password spraying, throttled token guessing, the shared-cache rule, tokens that end with the
password or their lifetime, unsubscribe links that expire, and where login and logout land."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.throttling import AnonRateThrottle

from projects.models import Project
from reports.mail.links import unsubscribe_token
from reports.models import NotificationPreference
from tests import factories

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"
PROXY = "10.0.0.2"  # nginx, the documented TLS proxy
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXY_COUNT = 1


def attempt(client, username, password, client_address):
    return client.post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=client_address,
    )


# --- 5. lockouts ---------------------------------------------------------------------------------


def test_behind_the_proxy_a_lockout_covers_the_attackers_address_only(client, owner, behind_proxy):
    for _ in range(6):
        attempt(client, "owner", "wrong", "203.0.113.9")
    assert attempt(client, "owner", "pass", "203.0.113.9").status_code == 429  # locked from there
    own_desk = attempt(client, "owner", "pass", "198.51.100.7")
    assert own_desk.status_code == 302, "the owner signs in from their own address"


def test_the_client_address_is_the_one_the_proxy_appended(behind_proxy):
    from accounts.throttling import client_ip

    request = APIRequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7")
    assert client_ip(request) == "198.51.100.7"  # the first entry is whatever the client claimed


def test_a_first_lockout_lasts_minutes_not_an_hour(client, owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            client.post(LOGIN, {"username": "owner", "password": "wrong"})
        assert client.post(LOGIN, {"username": "owner", "password": "pass"}).status_code == 429
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        assert client.post(LOGIN, {"username": "owner", "password": "pass"}).status_code == 302


def test_the_delay_grows_with_more_failures(client, owner):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(9):
            client.post(LOGIN, {"username": "owner", "password": "wrong"})
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        assert client.post(LOGIN, {"username": "owner", "password": "pass"}).status_code == 429
    with time_machine.travel(start + timedelta(hours=1, minutes=1), tick=False):
        assert client.post(LOGIN, {"username": "owner", "password": "pass"}).status_code == 302


def test_password_spraying_from_one_address_is_throttled(client, settings, owner):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 10
    for n in range(10):
        factories.owner(username=f"victim{n}")
        client.post(LOGIN, {"username": f"victim{n}", "password": "Summer2023!"}, REMOTE_ADDR="203.0.113.50")
    sprayed = client.post(LOGIN, {"username": "owner", "password": "pass"}, REMOTE_ADDR="203.0.113.50")
    assert sprayed.status_code == 429
    assert "Too many failed sign-ins from your address" in sprayed.content.decode()
    assert client.post(LOGIN, {"username": "owner", "password": "pass"}, REMOTE_ADDR="198.51.100.7").status_code == 302


# --- 8. API throttling ---------------------------------------------------------------------------


def test_anonymous_throttling_ignores_a_forged_forwarded_for():
    throttle = AnonRateThrottle()
    idents = {
        throttle.get_ident(APIRequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}"))
        for n in range(5)
    }
    assert idents == {"203.0.113.9"}


def test_failed_token_authentication_is_throttled(settings, owner):
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 10
    good = Token.objects.create(user=owner)
    guesser = APIClient(REMOTE_ADDR="203.0.113.77")
    for n in range(10):
        assert guesser.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token guess{n:036d}").status_code == 401
    assert guesser.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {good.key}").status_code == 429
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.7")
    assert elsewhere.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {good.key}").status_code == 200


def _start_settings(**env) -> subprocess.CompletedProcess:
    unset = ("CACHE_URL", "ALLOW_LOCAL_CACHE", "DJANGO_SETTINGS_MODULE")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    base.update(DEBUG="false", SECRET_KEY="x" * 50, **env)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='okrtracker.settings'; django.setup()"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)


def test_production_refuses_to_start_without_a_shared_cache():
    refused = _start_settings()
    assert refused.returncode != 0
    assert "CACHE_URL must name a shared cache" in refused.stderr
    assert _start_settings(CACHE_URL="redis://127.0.0.1:6379/4").returncode == 0
    assert _start_settings(ALLOW_LOCAL_CACHE="true").returncode == 0  # one process, on purpose


# --- 10. tokens and unsubscribe links -------------------------------------------------------------


def test_a_password_change_revokes_api_tokens(owner):
    token = Token.objects.create(user=owner)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/me/").status_code == 200
    owner.set_password("a-new-long-passphrase")
    owner.save()
    assert api.get("/api/v1/me/").status_code == 401
    owner.first_name = "Olive"
    owner.save()  # other changes keep a new token
    fresh = Token.objects.create(user=owner)
    owner.save()
    assert Token.objects.filter(pk=fresh.pk).exists()


def test_tokens_may_carry_a_lifetime(settings, owner):
    settings.API_TOKEN_DAYS = 30
    token = Token.objects.create(user=owner)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/me/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        expired = api.get("/api/v1/me/")
    assert expired.status_code == 401
    assert "expired" in expired.json()["detail"]


def test_unsubscribe_links_expire_but_work_for_one_click_until_then(client, owner, settings):
    settings.UNSUBSCRIBE_LINK_DAYS = 90
    made = timezone.now()
    with time_machine.travel(made):
        token = unsubscribe_token(user_id=owner.pk, topic="weekly_digest")
    with time_machine.travel(made + timedelta(days=91)):
        assert client.get(f"/unsubscribe/{token}/").status_code == 400
        assert client.post(f"/unsubscribe/{token}/").status_code == 400
    with time_machine.travel(made + timedelta(days=89)):
        assert client.post(f"/unsubscribe/{token}/", {"List-Unsubscribe": "One-Click"}).status_code == 200
    assert NotificationPreference.objects.get(user=owner).weekly_digest is False


# --- 15. where login and logout land ----------------------------------------------------------------


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/", "http://testserver.evil/"])
def test_unsafe_next_after_login_lands_on_the_users_page(client, director, unsafe):
    response = client.post(f"{LOGIN}?next={unsafe}", {"username": "director", "password": "pass", "next": unsafe})
    assert response.status_code == 302
    assert client.get(response.url).url == "/rollup/"


def test_logout_lands_on_the_login_page_whatever_next_says(client, owner):
    client.force_login(owner)
    response = client.post("/accounts/logout/?next=https://evil.example/", {"next": "https://evil.example/"})
    assert response.url == LOGIN
    assert client.get("/accounts/logout/").url == LOGIN  # signed out: GET goes to the sign-in page
    assert client.get("/admin/logout/").url == LOGIN
    client.force_login(owner)
    assert client.get("/admin/logout/").status_code == 200  # signed in: asks to confirm, not 405
    assert Project.objects.count() == 0
