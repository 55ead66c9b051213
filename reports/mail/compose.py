"""The one email helper: a subject/text/html template triple rendered in the recipient's language.

Templates live in ``reports/templates/emails/<name>/`` as ``subject.txt``, ``body.txt`` and
``body.html``. Links are absolute (``links``).
"""

from __future__ import annotations

import re
from email.message import Message
from email.policy import compat32
from email.utils import formatdate, make_msgid
from functools import lru_cache

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import DNS_NAME, EmailAlternative, forbid_multi_line_headers, sanitize_address
from django.template.loader import render_to_string
from django.utils import translation

from ..merge import merged

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


def render_parts_merged(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """``render_parts`` rendered once per language and shape of ``context`` and filled in with its text
    (``reports.merge``): for the mailings that write one template to many people."""
    subject, text, html = merged(
        lambda stand_ins: render_parts(template=template, context=stand_ins, language=language),
        key=(f"emails/{template}/", language, settings.SITE_URL),
        context=context,
        escape=(False, False, True),
    )
    return " ".join(subject.split()), text, html


def _headers(unsubscribe: str | None, extra: dict | None = None) -> dict[str, str]:
    """Every message's headers; List-Unsubscribe ones when there is a link."""
    headers = {"Auto-Submitted": "auto-generated", **(extra or {})}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    return headers


_LONG_LINE = re.compile(r"^.{300,}$", re.MULTILINE)  # characters; up to 3 bytes each in UTF-8


def _short_lines(html: str) -> str:
    """Break long HTML lines between tags, so the part travels as plain 8-bit text, not quoted-printable
    (which would also split the placeholders of a prepared message)."""
    return _LONG_LINE.sub(lambda line: line[0].replace("><", ">\n<").replace("<br>", "<br>\n"), html)


def compose(
    *, parts: tuple[str, str, str], to: str, unsubscribe: str | None = None, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The message from rendered parts, with List-Unsubscribe headers when there is a link."""
    subject, text, html = parts
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to], headers=_headers(unsubscribe, headers))
    message.attach_alternative(_short_lines(html), "text/html")
    return message


# Many messages share everything but their address, subject, bodies, unsubscribe link, id and date:
# Django composes and encodes one skeleton with stand-ins for those (bodies travel as 8-bit UTF-8), and
# each message is that skeleton with its own values swapped in, without MIME-encoding every copy. A
# message that cannot travel so (a line longer than SMTP allows, an address that is not ASCII) is
# composed in full instead; a test holds both ways equal.
TO_STAND_IN = "okrtracker-recipient-5b1e@stand-in.invalid"
LINK_STAND_IN = "https://stand-in.invalid/okrtracker-unsubscribe-5b1e"
ID_STAND_IN = "<okrtracker-message-id-5b1e@stand-in.invalid>"
DATE_STAND_IN = "okrtracker-date-5b1e"
SUBJECT_STAND_IN = "okrtracker-subject-5b1e"
TEXT_STAND_IN = "okrtracker-text-5b1e 正文"  # not ASCII, so the part is declared 8-bit UTF-8
HTML_STAND_IN = "okrtracker-html-5b1e 正文"
MAX_LINE = 998  # bytes, RFC 5322


class _Encoded:
    """What an email backend asks of a prepared message: its bytes."""

    def __init__(self, data: bytes):
        self.data = data

    def as_bytes(self, linesep: str = "\n", **kwargs) -> bytes:
        return self.data if linesep == "\r\n" else self.data.replace(b"\r\n", linesep.encode())


def _crlf(text: str) -> bytes | None:
    data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode()
    return None if max(map(len, data.split(b"\r\n"))) > MAX_LINE else data


@lru_cache(maxsize=256)  # a mailing has a few subjects (per language and count) for many recipients
def _subject_header(subject: str) -> bytes:
    """The Subject header's value as Django writes it (RFC 2047 words, folded)."""
    if subject.isascii() and len(subject) < 70:
        return subject.encode()
    header = Message(policy=compat32.clone(linesep="\r\n"))
    header["Subject"] = forbid_multi_line_headers("Subject", subject, "utf-8")[1]
    return header.as_bytes().rstrip(b"\r\n")[len(b"Subject: ") :]


@lru_cache(maxsize=8)
def _skeleton(with_unsubscribe: bool) -> bytes:
    message = compose(
        parts=(SUBJECT_STAND_IN, TEXT_STAND_IN, HTML_STAND_IN),
        to=TO_STAND_IN,
        unsubscribe=LINK_STAND_IN if with_unsubscribe else None,
        headers={"Message-ID": ID_STAND_IN, "Date": DATE_STAND_IN},
    )
    return message.message().as_bytes(linesep="\r\n")


class PreparedEmail(EmailMultiAlternatives):
    """A message whose bytes are the shared skeleton with its own values swapped in."""

    def __init__(self, *, parts: tuple[str, str, str], to: str, unsubscribe: str | None, encoded: tuple[bytes, bytes]):
        subject, text, html = parts
        super().__init__(subject=subject, body=text, to=[to], headers=_headers(unsubscribe))
        self.alternatives = [EmailAlternative(html, "text/html")]
        self.unsubscribe, self.encoded = unsubscribe, encoded

    def send(self, fail_silently: bool = False) -> int:
        """Over an open SMTP connection the bytes go straight to the server (the address is plain, so
        there is nothing for Django's backend to sanitise); otherwise the message goes as any other."""
        backend = self.get_connection(fail_silently)
        smtp = backend.connection if isinstance(backend, SMTPBackend) else None
        if smtp is None:
            return super().send(fail_silently)
        smtp.sendmail(_sender(self.from_email), self.to, self.message().as_bytes(linesep="\r\n"))
        return 1

    def message(self, *, policy=None):
        text, html = self.encoded
        data = (
            _skeleton(bool(self.unsubscribe))
            .replace(TO_STAND_IN.encode(), self.to[0].encode())
            .replace(SUBJECT_STAND_IN.encode(), _subject_header(self.subject))
            .replace(ID_STAND_IN.encode(), make_msgid(domain=DNS_NAME).encode())
            .replace(DATE_STAND_IN.encode(), formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode())
            .replace(TEXT_STAND_IN.encode(), text)
            .replace(HTML_STAND_IN.encode(), html)
        )
        if self.unsubscribe:
            data = data.replace(LINK_STAND_IN.encode(), self.unsubscribe.encode())
        return _Encoded(data)


@lru_cache(maxsize=8)
def _sender(from_email: str) -> str:
    return sanitize_address(from_email, settings.DEFAULT_CHARSET)


# An address the skeleton can carry as it is: ASCII, no display name, no white space or line break.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*")


def encode_bodies(parts: tuple[str, str, str]) -> tuple[bytes, bytes] | None:
    """The text and HTML bodies as they travel (CRLF, UTF-8), or None when one cannot travel so."""
    text, html = _crlf(parts[1]), _crlf(_short_lines(parts[2]))
    return None if text is None or html is None else (text, html)


def prepared_or_composed(
    *, parts: tuple[str, str, str], to: str, unsubscribe: str | None, encoded: tuple[bytes, bytes] | None
) -> EmailMultiAlternatives:
    """The fast copy when the bodies were encoded and the address is plain, else the full message."""
    if encoded is not None and _PLAIN_ADDRESS.fullmatch(to):
        return PreparedEmail(parts=parts, to=to, unsubscribe=unsubscribe, encoded=encoded)
    return compose(parts=parts, to=to, unsubscribe=unsubscribe)


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
    return prepared_or_composed(parts=parts, to=to, unsubscribe=unsubscribe, encoded=encode_bodies(parts))
