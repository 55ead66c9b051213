"""The one email helper: a subject/text/html template triple rendered in the recipient's language.

Templates live in ``reports/templates/emails/<name>/`` as ``subject.txt``, ``body.txt`` and
``body.html``. Links are absolute (settings.SITE_URL). Unsubscribe links are signed, so one click
from the mail works without a login; the GET only confirms, the POST unsubscribes.
"""

from __future__ import annotations

import css_inline
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

UNSUBSCRIBE_SALT = "reports.unsubscribe"
# What an unsubscribe link may switch off: NotificationPreference fields.
UNSUBSCRIBABLE = ("update_reminders", "milestone_alerts", "weekly_digest")


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token(*, user_id: int, topic: str) -> str:
    if topic not in UNSUBSCRIBABLE:
        raise ValueError(f"Unknown topic {topic!r}")
    return signing.dumps({"u": user_id, "t": topic}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, topic) from a token; signing.BadSignature when it was not made here."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    if not isinstance(data, dict) or data.get("t") not in UNSUBSCRIBABLE or not isinstance(data.get("u"), int):
        raise signing.BadSignature("Malformed unsubscribe token")
    return data["u"], data["t"]


def unsubscribe_url(*, user_id: int, topic: str) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user_id, topic=topic)]))


# The templates write their CSS once, in a <style> block; mail clients that drop <style> (Outlook's
# Word engine, Gmail's older apps, Foxmail) read the inlined copy. The block stays for media queries.
INLINER = css_inline.CSSInliner(keep_style_tags=True, load_remote_stylesheets=False)


def inline_css(html: str) -> str:
    """``html`` with its <style> rules copied into style attributes (css-inline)."""
    return INLINER.inline(html)


def render_parts(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of ``emails/<template>/`` rendered in ``language``."""
    context = {**context, "site_url": settings.SITE_URL}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        text = render_to_string(f"emails/{template}/body.txt", context)
        html = inline_css(render_to_string(f"emails/{template}/body.html", context))
    return subject, text, html


def compose(*, parts: tuple[str, str, str], to: str, unsubscribe: str | None = None) -> EmailMultiAlternatives:
    """The message from rendered parts, with List-Unsubscribe headers when there is a link."""
    subject, text, html = parts
    headers = {"Auto-Submitted": "auto-generated"}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def render_email(
    *,
    template: str,
    context: dict,
    to: str,
    language: str,
    unsubscribe: str | None = None,
) -> EmailMultiAlternatives:
    """Build the message for one recipient from ``emails/<template>/{subject,body}.*`` in ``language``.

    ``unsubscribe`` (an absolute URL) goes in the body's context and in the List-Unsubscribe headers.
    """
    parts = render_parts(template=template, context={**context, "unsubscribe_url": unsubscribe}, language=language)
    return compose(parts=parts, to=to, unsubscribe=unsubscribe)
