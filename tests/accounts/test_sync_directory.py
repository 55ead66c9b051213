"""sync_directory against a real slapd: leavers and disabled accounts lose access, and their email."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from accounts.tasks import sync_directory_task
from projects.weeks import Week
from reports.mail.recipients import digest_recipients, owners_missing_updates
from tests import factories

from . import slapd

pytestmark = pytest.mark.django_db
PEOPLE = {"liuyang": "liuyang-pass", "sunli": "sunli-pass", "chenjing": "chenjing-pass", "zhaolei": "zhaolei-pass"}


@pytest.fixture
def signed_in(client, ldap_on):
    """Everyone in PEOPLE has signed in once, so the product knows them."""
    for username, password in PEOPLE.items():
        assert client.post("/accounts/login/", {"username": username, "password": password}).status_code == 302
        client.logout()
    return {user.username: user for user in get_user_model().objects.filter(username__in=PEOPLE)}


def sync(*args: str) -> str:
    out = StringIO()
    call_command("sync_directory", *args, stdout=out)
    return out.getvalue()


def state(username: str) -> tuple:
    user = get_user_model().objects.get(username=username)
    return user.is_active, user.email, sorted(user.groups.values_list("name", flat=True))


def change_the_directory(directory: slapd.Directory) -> None:
    directory.change(slapd.person_dn("zhaolei"), "employeeType", "disabled")  # disabled
    directory.delete(slapd.person_dn("chenjing"))  # left the company (and so the owners' group)
    directory.remove_member(slapd.DIRECTORS_DN, "liuyang")  # no longer a director
    directory.change(slapd.person_dn("sunli"), "mail", "li.sun@example.com")


def test_dry_run_prints_what_would_change_and_changes_nothing(signed_in, ldap_on):
    change_the_directory(ldap_on)
    before = {name: state(name) for name in PEOPLE}

    out = sync("--dry-run")

    assert "would change zhaolei: active: True → False" in out
    assert "would change chenjing: active: True → False" in out
    assert "would change liuyang: roles: 'Directors' → ''" in out
    assert "would change sunli: email: 'sunli@example.com' → 'li.sun@example.com'" in out
    assert "4 directory users checked, 4 changed, 2 deactivated (dry run: nothing saved)" in out
    assert {name: state(name) for name in PEOPLE} == before


def test_sync_deactivates_leavers_and_updates_roles_and_emails(signed_in, ldap_on):
    change_the_directory(ldap_on)

    out = sync()

    assert "changed zhaolei: active: True → False" in out and "2 deactivated" in out
    assert state("zhaolei")[0] is False and state("chenjing")[0] is False
    assert state("liuyang") == (True, "liuyang@example.com", [])
    assert state("sunli") == (True, "li.sun@example.com", ["Directors"])
    assert sync().strip().endswith("4 directory users checked, 0 changed, 0 deactivated")  # nothing more to do


def test_local_users_are_left_alone(signed_in, ldap_on, superuser):
    sync()
    assert get_user_model().objects.get(username="root").is_active


def test_unreachable_directory_changes_nothing(signed_in, ldap_on):
    ldap_on.stop()

    with pytest.raises(CommandError, match="nothing was changed"):
        sync()

    assert all(state(name)[0] for name in PEOPLE)


def test_directory_disabled_owner_and_director_get_no_reminder_or_digest(signed_in, ldap_on):
    week = Week.parse("2023-W53")
    project = factories.ProjectFactory(name="Merchant inspection", owner=signed_in["zhaolei"])
    assert [reminder.user.username for reminder in owners_missing_updates(week)] == ["zhaolei"]
    assert {user.username for user in digest_recipients()} == {"liuyang", "sunli"}
    out = StringIO()
    call_command("send_reminders", "--week", "2023-W53", "--dry-run", stdout=out)
    assert "zhaolei@example.com" in out.getvalue() and project.name in out.getvalue()

    ldap_on.change(slapd.person_dn("zhaolei"), "employeeType", "disabled")
    ldap_on.delete(slapd.person_dn("sunli"))
    sync()

    assert owners_missing_updates(week) == []
    assert {user.username for user in digest_recipients()} == {"liuyang"}
    out = StringIO()
    call_command("send_reminders", "--week", "2023-W53", "--dry-run", stdout=out)
    assert "zhaolei@example.com" not in out.getvalue()


def test_daily_beat_row_is_off_by_default_and_its_task_syncs(signed_in, ldap_on):
    row = PeriodicTask.objects.get(task="accounts.sync_directory")
    assert not row.enabled and row.crontab.hour == "6"

    ldap_on.change(slapd.person_dn("zhaolei"), "employeeType", "disabled")
    assert sync_directory_task() == 1
    assert state("zhaolei")[0] is False
