"""Bring LDAP users in line with the directory: leavers and disabled accounts lose access.

Every user who signed in through LDAP is looked up again with the service account: someone gone from
the directory (or no longer matching the user filter) is deactivated; everyone else gets the
directory's name, email, mobile, roles and enabled state, as at a login. A directory error stops the
run and changes nothing, so an unreachable server never deactivates anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django_auth_ldap.backend import ldap_error

from .directory import DirectoryBackend
from .methods import ldap_enabled
from .models import DirectoryAccount
from .roles import ROLES


class DirectoryError(Exception):
    """The directory could not be read; nothing was changed."""


@dataclass
class Change:
    """What a sync changed (or would change) for one user."""

    username: str
    deactivated: bool = False
    fields: dict[str, tuple[object, object]] = field(default_factory=dict)  # name -> (old, new)


@dataclass
class SyncResult:
    checked: int = 0
    changes: list[Change] = field(default_factory=list)

    @property
    def deactivated(self) -> int:
        return sum(change.deactivated for change in self.changes)


def _snapshot(user) -> dict[str, object]:
    account = DirectoryAccount.objects.filter(user=user).first()
    return {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "mobile": account.mobile if account else "",
        "active": user.is_active,
        "roles": ", ".join(sorted(user.groups.filter(name__in=ROLES).values_list("name", flat=True))),
    }


def sync_directory(*, dry_run: bool = False, on_change: Callable[[Change], None] | None = None) -> SyncResult:
    """Update every LDAP user from the directory; with ``dry_run`` report the same and roll it back."""
    if not ldap_enabled():
        raise DirectoryError("LDAP_URL is not set.")
    backend = DirectoryBackend()
    errors: list[str] = []

    def record(sender, context, exception, **kwargs):
        errors.append(f"{context}: {exception}")

    result = SyncResult()
    ldap_error.connect(record, sender=DirectoryBackend, dispatch_uid="accounts.sync")
    try:
        with transaction.atomic():
            accounts = DirectoryAccount.objects.filter(source=DirectoryAccount.Source.LDAP).select_related("user")
            for account in accounts.order_by("user__username"):
                user = account.user
                before = _snapshot(user)
                found = backend.populate_user(user.get_username())
                if errors:
                    raise DirectoryError(f"{user.get_username()}: {errors[0]}")
                if found is None and user.is_active:  # gone from the directory
                    user.is_active = False
                    user.save(update_fields=["is_active"])
                user.refresh_from_db()
                after = _snapshot(user)
                result.checked += 1
                changed = {name: (before[name], after[name]) for name in before if before[name] != after[name]}
                if changed:
                    change = Change(user.get_username(), deactivated=before["active"] and not after["active"])
                    change.fields = changed
                    result.changes.append(change)
                    if on_change:
                        on_change(change)
            if dry_run:
                transaction.set_rollback(True)
    finally:
        ldap_error.disconnect(dispatch_uid="accounts.sync", sender=DirectoryBackend)
    return result
