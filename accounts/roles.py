"""Directory groups to roles: the one place that says which groups make a director or a project owner.

The roles are the Django groups "Directors" and "Project owners" (created by the projects app's
migrations). A directory user's roles follow the directory at every login and sync: a person moved
out of the directors' group loses that role. Other Django groups are left alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.contrib.auth.models import Group

DIRECTORS = "Directors"
PROJECT_OWNERS = "Project owners"
ROLES = (DIRECTORS, PROJECT_OWNERS)


def roles_for(directory_groups: Iterable[str], mapping: Mapping[str, Iterable[str]]) -> set[str]:
    """The roles that ``directory_groups`` grant under ``mapping`` (role -> groups), case-insensitively."""
    held = {group.strip().lower() for group in directory_groups}
    return {role for role in ROLES if held & {group.strip().lower() for group in mapping.get(role, ())}}


def apply_roles(user, roles: set[str]) -> tuple[set[str], set[str]]:
    """Give ``user`` exactly ``roles`` among the managed roles; returns (added, removed).

    Directory users with a role work in the admin, so they are staff; without one they only read the
    rollup. Superusers keep their flags.
    """
    current = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
    added, removed = roles - current, current - roles
    if added:
        user.groups.add(*Group.objects.filter(name__in=added))
    if removed:
        user.groups.remove(*Group.objects.filter(name__in=removed))
    staff = bool(roles) or user.is_superuser
    if user.is_staff != staff:
        user.is_staff = staff
        user.save(update_fields=["is_staff"])
    return added, removed
