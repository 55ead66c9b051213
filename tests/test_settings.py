"""Production settings fail loudly instead of falling back to something unsafe."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent


def load_settings(**env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS")}
    clean.update(env, DJANGO_SETTINGS_MODULE="okrtracker.settings")
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE, settings.ALLOWED_HOSTS)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_secret_key_is_required_when_debug_is_off():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_defaults_are_secure():
    result = load_settings(DEBUG="false", SECRET_KEY="x" * 50)
    assert result.stdout.strip() == "True []"


def test_unknown_week_numbering_is_refused():
    result = load_settings(DEBUG="true", WEEK_NUMBERING="us")
    assert "WEEK_NUMBERING must be 'jan1' or 'iso'." in result.stderr


@pytest.mark.django_db
def test_login_attempts_are_rate_limited(client, owner):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "owner", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post(url, {"username": "owner", "password": "pass"}, REMOTE_ADDR="10.0.0.1")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    # Another address is not locked out by someone else's failures.
    assert client.post(url, {"username": "owner", "password": "pass"}, REMOTE_ADDR="10.0.0.2").status_code == 302


@pytest.mark.django_db
def test_admin_speaks_chinese_and_english(client, owner):
    client.force_login(owner)
    assert "修改密码" in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Change password" in client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/"})
    assert response.status_code == 302
    assert 'name="language"' in client.get("/admin/").content.decode()
