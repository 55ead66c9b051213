"""How people's names are written: 刘洋 (family name first, no space) or Lin Wei."""

from __future__ import annotations


def _is_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" for ch in text)


def person_name(user) -> str:
    """The name to show for a user; the username when they have none."""
    if user is None:
        return ""
    first, last = user.first_name.strip(), user.last_name.strip()
    if _is_cjk(first + last):
        return f"{last}{first}"
    return user.get_full_name() or user.get_username()
