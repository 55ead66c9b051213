"""The product's sign-in page: what it says, which ways in it offers, and where people land."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


@pytest.fixture
def oidc_configured(settings):
    settings.OIDC_ISSUER = "http://127.0.0.1:9/o"  # never contacted by these tests
    settings.OIDC_RP_CLIENT_ID = "okr-tracker"
    settings.OIDC_PROVIDER_NAME = "Example SSO"


def test_local_only_page_explains_the_product_in_both_languages(client):
    chinese = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "登录" in chinese and "周报" in chinese
    english = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "directors read the weekly rollup" in english
    assert 'id="oidc-login"' not in english and "company directory" not in english


def test_configured_provider_gets_a_button_that_keeps_the_next_page(client, oidc_configured):
    html = client.get(LOGIN + "?next=/rollup/2023-W53/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in with Example SSO" in html
    assert 'href="/accounts/oidc/authenticate/?next=/rollup/2023-W53/"' in html
    assert "使用 Example SSO 登录" in client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_provider_start_is_not_found_when_not_configured(client):
    assert client.get(reverse("accounts:oidc-login")).status_code == 404


def test_provider_failure_is_explained(client, oidc_configured):
    html = client.get(LOGIN + "?failed=oidc", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Signing in with Example SSO did not succeed" in html


def test_admin_and_rollup_use_the_product_sign_in_page(client):
    assert client.get("/admin/").url == "/admin/login/?next=/admin/"
    admin_login = client.get("/admin/login/?next=/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "directors read the weekly rollup" in admin_login
    assert client.get("/rollup/").url == "/accounts/login/?next=/rollup/"


def test_signed_in_without_the_role_is_told_so(client):
    reader = factories.UserFactory(username="reader", is_staff=False)
    client.force_login(reader)
    html = client.get("/admin/login/?next=/admin/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You are signed in as reader, but that page needs another role" in html


def test_local_director_lands_on_the_rollup_and_logs_out_with_post(client, director):
    response = client.post(LOGIN, {"username": "director", "password": "pass"})
    assert client.get(response.url).url == reverse("reports:rollup-current")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).url == LOGIN
    assert "_auth_user_id" not in client.session


def test_local_owner_lands_on_their_projects(client, owner):
    response = client.post(LOGIN, {"username": "owner", "password": "pass"})
    assert client.get(response.url).url == reverse("admin:projects_project_changelist")


def test_sync_without_a_directory_says_so(settings):
    from django.core.management import CommandError, call_command

    settings.LDAP_URL = ""
    with pytest.raises(CommandError, match="LDAP_URL is not set"):
        call_command("sync_directory")


def test_provider_identity_never_takes_over_a_local_account_with_a_password(superuser):
    from django.core.exceptions import SuspiciousOperation

    from accounts.oidc import ProviderBackend

    backend = ProviderBackend()
    claims = {"sub": "attacker-1", "preferred_username": "ROOT", "email": "x@example.com"}
    assert list(backend.filter_users_by_claims(claims)) == []
    with pytest.raises(SuspiciousOperation):
        backend.create_user(claims)
    superuser.refresh_from_db()
    assert superuser.has_usable_password() and not hasattr(superuser, "directory_account")


def test_provider_identity_claims_a_user_made_for_them_beforehand(settings):
    from accounts.oidc import ProviderBackend

    settings.OIDC_ROLE_GROUPS = {"Directors": ["okr-directors"], "Project owners": []}
    made = factories.UserFactory(username="wuhao", is_staff=False, password=None)
    made.set_unusable_password()
    made.save()
    backend = ProviderBackend()
    claims = {"sub": "s-42", "preferred_username": "wuhao", "given_name": "昊", "family_name": "吴"}
    claims["groups"] = ["okr-directors"]
    [found] = backend.filter_users_by_claims(claims)
    user = backend.update_user(found, claims)

    assert user.pk == made.pk and user.directory_account.external_id == "s-42"
    assert set(user.groups.values_list("name", flat=True)) == {"Directors"} and user.is_staff
    assert list(backend.filter_users_by_claims(claims)) == [user]  # from now on by its subject
