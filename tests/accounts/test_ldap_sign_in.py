"""Signing in with the company directory: a real slapd, the login form and the API."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from accounts.models import DirectoryAccount
from projects.names import person_name

from . import slapd

pytestmark = pytest.mark.django_db
LOGIN = "/accounts/login/"


def sign_in(client, username: str, password: str, next_url: str = ""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def test_director_from_the_directory_signs_in_and_lands_on_the_rollup(client, ldap_on):
    response = sign_in(client, "liuyang", "liuyang-pass")

    assert response.status_code == 302 and response.url == reverse("accounts:landing")
    assert client.get(response.url).url == reverse("reports:rollup-current")
    user = get_user_model().objects.get(username="liuyang")
    assert person_name(user) == "刘洋"  # family name first
    assert (user.first_name, user.last_name, user.email) == ("洋", "刘", "liuyang@example.com")
    assert roles(user) == {"Directors"} and user.is_staff and not user.has_usable_password()
    account = user.directory_account
    assert account.source == DirectoryAccount.Source.LDAP
    assert account.external_id == slapd.person_dn("liuyang") and account.mobile == "+86 138 0000 0001"
    assert client.get(reverse("reports:rollup-current")).status_code == 200


def test_owner_lands_on_their_projects_in_the_admin(client, ldap_on):
    response = sign_in(client, "chenjing", "chenjing-pass")

    assert client.get(response.url).url == reverse("admin:projects_project_changelist")
    assert roles(get_user_model().objects.get(username="chenjing")) == {"Project owners"}
    assert client.get(reverse("admin:projects_project_changelist")).status_code == 200


def test_someone_in_no_mapped_group_reads_the_rollup_only(client, ldap_on):
    sign_in(client, "linwei", "linwei-pass")

    user = get_user_model().objects.get(username="linwei")
    assert roles(user) == set() and not user.is_staff
    assert person_name(user) == "Lin Wei"
    assert client.get(reverse("reports:rollup-current")).status_code == 200
    assert client.get("/admin/").status_code == 302


def test_next_page_is_followed(client, ldap_on):
    response = sign_in(client, "liuyang", "liuyang-pass", next_url="/rollup/2023-W53/")
    assert response.url == "/rollup/2023-W53/"


def test_wrong_password_unknown_user_and_disabled_account_get_the_same_error(client, ldap_on):
    pages = [
        sign_in(client, "liuyang", "wrong-password"),
        sign_in(client, "nobody", "whatever-pass"),
        sign_in(client, "wanghong", "wanghong-pass"),  # right password, disabled in the directory
    ]

    assert [page.status_code for page in pages] == [200, 200, 200]
    errors = [page.context["form"].non_field_errors() for page in pages]
    assert errors[0] == errors[1] == errors[2] and "correct username and password" in str(errors[0])
    assert "_auth_user_id" not in client.session
    # The disabled person exists (the directory confirmed the password) but cannot do anything.
    assert not get_user_model().objects.get(username="wanghong").is_active


def test_moved_out_of_the_directors_group_loses_the_role_at_next_login(client, ldap_on):
    sign_in(client, "liuyang", "liuyang-pass")
    client.post(reverse("accounts:logout"))
    ldap_on.remove_member(slapd.DIRECTORS_DN, "liuyang")

    sign_in(client, "liuyang", "liuyang-pass")

    user = get_user_model().objects.get(username="liuyang")
    assert roles(user) == set() and not user.is_staff
    assert client.get(reverse("admin:reports_directornote_changelist")).status_code == 302


def test_directory_keeps_other_django_groups_and_updates_names(client, ldap_on):
    sign_in(client, "chenjing", "chenjing-pass")
    user = get_user_model().objects.get(username="chenjing")
    user.groups.add(Group.objects.get(name="Directors"))  # given by hand, not by the directory
    ldap_on.change(slapd.person_dn("chenjing"), "mail", "jing.chen@example.com")

    sign_in(client, "chenjing", "chenjing-pass")

    user.refresh_from_db()
    assert user.email == "jing.chen@example.com"
    assert roles(user) == {"Project owners"}  # the directory decides the two roles


def test_api_token_works_for_a_directory_user_until_they_are_deactivated(client, ldap_on):
    sign_in(client, "chenjing", "chenjing-pass")
    key = client.post("/api/v1/me/token/").json()["key"]
    client.logout()

    me = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}")
    assert me.status_code == 200
    body = me.json()
    assert (body["username"], body["full_name"], body["groups"]) == ("chenjing", "陈静", ["Project owners"])

    ldap_on.change(slapd.person_dn("chenjing"), "employeeType", "disabled")
    call_command("sync_directory")
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401


def test_session_of_a_deactivated_directory_user_ends(client, ldap_on):
    sign_in(client, "liuyang", "liuyang-pass")
    get_user_model().objects.filter(username="liuyang").update(is_active=False)

    assert client.get(reverse("reports:rollup-current")).status_code == 302


def test_local_accounts_still_sign_in_beside_the_directory(client, ldap_on, superuser):
    response = sign_in(client, "root", "pass")
    assert response.status_code == 302 and client.get(response.url).url == reverse("admin:index")


def test_local_break_glass_account_works_when_the_directory_is_down(client, directory, use_directory, superuser):
    use_directory(directory)
    directory.stop()

    response = sign_in(client, "root", "pass")
    assert response.status_code == 302
    assert sign_in(client, "liuyang", "liuyang-pass").status_code == 200


def test_starttls_with_the_company_ca(client, tls_directory, use_directory, tls_files):
    use_directory(tls_directory, LDAP_START_TLS="true", LDAP_CA_FILE=str(tls_files.ca))

    assert sign_in(client, "liuyang", "liuyang-pass").status_code == 302


def test_ldaps_with_the_company_ca(client, tls_directory, use_directory, tls_files):
    use_directory(tls_directory, LDAP_URL=tls_directory.ldaps_url, LDAP_CA_FILE=str(tls_files.ca))

    assert sign_in(client, "liuyang", "liuyang-pass").status_code == 302


@pytest.mark.parametrize("ldaps", [False, True], ids=["starttls", "ldaps"])
def test_tls_refuses_a_server_the_ca_file_does_not_vouch_for(client, tls_directory, use_directory, tmp_path, ldaps):
    (tmp_path / "other").mkdir()
    other = slapd.make_tls(tmp_path / "other")  # a CA that did not sign the server's certificate
    if ldaps:
        use_directory(tls_directory, LDAP_URL=tls_directory.ldaps_url, LDAP_CA_FILE=str(other.ca))
    else:
        use_directory(tls_directory, LDAP_START_TLS="true", LDAP_CA_FILE=str(other.ca))

    assert sign_in(client, "liuyang", "liuyang-pass").status_code == 200
    assert not get_user_model().objects.filter(username="liuyang").exists()


def test_login_page_shows_the_directory_and_speaks_chinese(client, ldap_on):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "公司目录" in page and "登录" in page
    english = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "company directory" in english and "OKR tracker" in english
    assert "Sign in with" not in english  # OpenID Connect is not configured


def test_repeated_wrong_directory_passwords_lock_the_login(client, ldap_on):
    for _ in range(5):
        sign_in(client, "liuyang", "wrong-password")
    locked = sign_in(client, "liuyang", "liuyang-pass")
    assert locked.status_code == 429 and "_auth_user_id" not in client.session
