"""LDAP / Active Directory sign-in (django-auth-ldap), answering only when ``LDAP_URL`` is set.

On each login the user is created or updated from the directory (given and family name, email,
mobile), their roles follow their directory groups (``LDAP_ROLE_GROUPS``), and an account matching
``LDAP_DISABLED_FILTER`` is deactivated and refused with the same error as a wrong password.
"""

from __future__ import annotations

import ldap
from django.conf import settings
from django.utils import timezone
from django_auth_ldap.backend import LDAPBackend, _LDAPUser

from .methods import ldap_enabled
from .models import DirectoryAccount
from .roles import apply_roles, roles_for


def is_disabled(ldap_user: _LDAPUser) -> bool:
    """Whether the directory marks this account disabled (``LDAP_DISABLED_FILTER`` matches its entry)."""
    if not settings.LDAP_DISABLED_FILTER:
        return False
    found = ldap_user.connection.search_s(ldap_user.dn, ldap.SCOPE_BASE, settings.LDAP_DISABLED_FILTER, ["1.1"])
    return bool(found)


class DirectoryBackend(LDAPBackend):
    """django-auth-ldap's backend, plus roles, mobile, disabled accounts, and no sessions for leavers."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not ldap_enabled():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def authenticate_ldap_user(self, ldap_user, password):
        user = super().authenticate_ldap_user(ldap_user, password)
        if user is None:
            return None
        self.finish_populating(user, ldap_user)
        return user if user.is_active else None

    def populate_user(self, username):
        """Update the user from the directory without their password (what ``sync_directory`` does)."""
        ldap_user = _LDAPUser(self, username=username)
        user = ldap_user.populate_user()
        if user is not None:
            self.finish_populating(user, ldap_user)
        return user

    def finish_populating(self, user, ldap_user: _LDAPUser) -> None:
        """What django-auth-ldap does not: active flag, roles and mobile, once the user is saved."""
        active = not is_disabled(ldap_user)
        if user.is_active != active:
            user.is_active = active
            user.save(update_fields=["is_active"])
        apply_roles(user, roles_for(ldap_user.group_dns, settings.LDAP_ROLE_GROUPS))
        mobile = (ldap_user.attrs.get(settings.LDAP_ATTR_MOBILE) or [""])[0]
        DirectoryAccount.objects.update_or_create(
            user=user,
            defaults={
                "source": DirectoryAccount.Source.LDAP,
                "external_id": ldap_user.dn,
                "mobile": mobile,
                "synced_at": timezone.now(),
            },
        )

    def get_user(self, user_id):
        # Unlike Django's ModelBackend, django-auth-ldap keeps serving a deactivated user's session.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None
