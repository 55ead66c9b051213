"""Links in emails: absolute (settings.SITE_URL), and signed one-click unsubscribe links.

Unsubscribe links are signed, so one click from the mail works without a login; the GET only
confirms, the POST unsubscribes.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from ..paths import path_for

UNSUBSCRIBE_SALT = "reports.unsubscribe"
# What an unsubscribe link may switch off: NotificationPreference fields.
UNSUBSCRIBABLE = ("update_reminders", "milestone_alerts", "weekly_digest")


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def absolute_link(name: str, arg: int | str) -> str:
    """``absolute_url(reverse(name, args=[arg]))``, reversed once per URL name (``reports.paths``)."""
    return absolute_url(path_for(name, arg))


def unsubscribe_token(*, user_id: int, topic: str) -> str:
    if topic not in UNSUBSCRIBABLE:
        raise ValueError(f"Unknown topic {topic!r}")
    return signing.dumps({"u": user_id, "t": topic}, salt=UNSUBSCRIBE_SALT)  # too short to gain from zlib


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, topic) from a token; signing.BadSignature when it was not made here or is older than
    ``UNSUBSCRIBE_LINK_DAYS`` (signing.SignatureExpired). Within that time it works, confirm and click."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=settings.UNSUBSCRIBE_LINK_DAYS * 86400)
    if not isinstance(data, dict) or data.get("t") not in UNSUBSCRIBABLE or not isinstance(data.get("u"), int):
        raise signing.BadSignature("Malformed unsubscribe token")
    return data["u"], data["t"]


def unsubscribe_url(*, user_id: int, topic: str) -> str:
    return absolute_link("notifications:unsubscribe", unsubscribe_token(user_id=user_id, topic=topic))
