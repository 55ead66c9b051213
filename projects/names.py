"""How people's names are written: 刘洋 (family name first, no space) or Lin Wei."""

from __future__ import annotations


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def person_name(user) -> str:
    """The name to show for a user; the username when they have none."""
    if user is None:
        return ""
    return name_of(user.first_name, user.last_name, user.get_username())


def name_of(first_name: str, last_name: str, username: str) -> str:
    """``person_name`` from a user's fields, for rows read without loading the user."""
    first, last = first_name.strip(), last_name.strip()
    if _is_cjk(first + last):
        return f"{last}{first}"
    return f"{first_name} {last_name}".strip() or username
