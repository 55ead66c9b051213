"""The one email helper: a subject/text/html template triple rendered in the recipient's language.

Templates live in ``reports/templates/emails/<name>/`` as ``subject.txt``, ``body.txt`` and
``body.html``. Links are absolute (settings.SITE_URL). Unsubscribe links are signed, so one click
from the mail works without a login; the GET only confirms, the POST unsubscribes.
"""

from __future__ import annotations

import re
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import DNS_NAME
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
    """(user id, topic) from a token; signing.BadSignature when it was not made here or is older than
    ``UNSUBSCRIBE_LINK_DAYS`` (signing.SignatureExpired). Within that time it works, confirm and click."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=settings.UNSUBSCRIBE_LINK_DAYS * 86400)
    if not isinstance(data, dict) or data.get("t") not in UNSUBSCRIBABLE or not isinstance(data.get("u"), int):
        raise signing.BadSignature("Malformed unsubscribe token")
    return data["u"], data["t"]


def unsubscribe_url(*, user_id: int, topic: str) -> str:
    return absolute_url(reverse("notifications:unsubscribe", args=[unsubscribe_token(user_id=user_id, topic=topic)]))


def render_parts(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of ``emails/<template>/`` rendered in ``language``."""
    context = {**context, "site_url": settings.SITE_URL}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        text = render_to_string(f"emails/{template}/body.txt", context)
        html = render_to_string(f"emails/{template}/body.html", context)
    return subject, text, html


_LONG_LINE = re.compile(r"^.{900,}$", re.MULTILINE)


def _short_lines(html: str) -> str:
    """Break long HTML lines between tags, so the part travels as plain 8-bit text, not quoted-printable
    (which would also split the placeholders of a prepared message)."""
    return _LONG_LINE.sub(lambda line: line[0].replace("><", ">\n<"), html)


def compose(
    *, parts: tuple[str, str, str], to: str, unsubscribe: str | None = None, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The message from rendered parts, with List-Unsubscribe headers when there is a link."""
    subject, text, html = parts
    headers = {"Auto-Submitted": "auto-generated", **(headers or {})}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=headers)
    message.attach_alternative(_short_lines(html), "text/html")
    return message


# A message sent to many recipients alike is encoded once with these stand-ins; each copy swaps in
# its own address, unsubscribe link, id and date (byte replacements, no MIME encoding per copy).
TO_STAND_IN = "okrtracker-recipient-5b1e@stand-in.invalid"
LINK_STAND_IN = "https://stand-in.invalid/okrtracker-unsubscribe-5b1e"
ID_STAND_IN = "<okrtracker-message-id-5b1e@stand-in.invalid>"
DATE_STAND_IN = "okrtracker-date-5b1e"


class _Encoded:
    """What an email backend asks of a prepared message: its bytes."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, linesep: str = "\n", **kwargs) -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())


class PreparedEmail(EmailMultiAlternatives):
    """One copy of a message encoded once (``prepare``) for many recipients."""

    def __init__(self, *, template: EmailMultiAlternatives, encoded: bytes, to: str, unsubscribe: str | None):
        super().__init__(subject=template.subject, body=template.body, to=[to], headers=dict(template.extra_headers))
        self.alternatives = template.alternatives
        self.encoded, self.unsubscribe = encoded, unsubscribe
        if unsubscribe:
            self.body = self.body.replace(LINK_STAND_IN, unsubscribe)
            self.extra_headers["List-Unsubscribe"] = f"<{unsubscribe}>"

    def message(self, *, policy=None):
        data = (
            self.encoded.replace(TO_STAND_IN.encode(), self.to[0].encode())
            .replace(ID_STAND_IN.encode(), make_msgid(domain=DNS_NAME).encode())
            .replace(DATE_STAND_IN.encode(), formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode())
        )
        if self.unsubscribe:
            data = data.replace(LINK_STAND_IN.encode(), self.unsubscribe.encode())
        return _Encoded(data)


def prepare(parts: tuple[str, str, str], *, with_unsubscribe: bool) -> tuple[EmailMultiAlternatives, bytes] | None:
    """Encode a message once for many recipients; None when its stand-ins did not survive encoding
    (then each copy is composed in full, which is slower but the same)."""
    link = LINK_STAND_IN if with_unsubscribe else None
    template = compose(
        parts=parts,
        to=TO_STAND_IN,
        unsubscribe=link,
        headers={"Message-ID": ID_STAND_IN, "Date": DATE_STAND_IN},
    )
    encoded = template.message().as_bytes(linesep="\r\n")
    wanted = sum(part.count(LINK_STAND_IN) for part in parts[1:]) + (1 if link else 0)
    if encoded.count(LINK_STAND_IN.encode()) != wanted or encoded.count(TO_STAND_IN.encode()) != 1:
        return None
    return template, encoded


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
