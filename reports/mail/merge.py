"""Mail merge: an email rendered once for many recipients, then filled in for each of them.

Reminders and milestone alerts say the same to every owner but for a few values: their name, their
projects or milestones, their unsubscribe link. Rendering three templates and inlining the CSS per
owner costs more than sending the message, so a message is rendered once per template, language and
*shape* with a stand-in for each text value of its context, and each recipient's copy is that
rendering with their values swapped in — escaped in the HTML part, as the template escapes them.
A test holds the merged message equal to the one rendered in full.

The shape is what in the context is not text: how long each list is, numbers, flags, dates. Templates
may test those freely (``{% if overdue %}``, a plural by a count), and a context that carries them
simply has more shapes. Text values must be printed as they are — a filter would see the stand-in,
not the value — and the render refuses a template that changed a stand-in. Subject and text parts are
written unescaped (``{% autoescape off %}``), the HTML part escaped; values marked safe (a rendered
progress bar) go in as they are.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from html import escape
from typing import Any

from django.conf import settings
from django.utils.safestring import SafeString

from .compose import render_parts

_STAND_IN = "MRG5B1E{}Z"  # letters and digits: unchanged by escaping, CSS inlining and line breaks
_STAND_IN_RE = re.compile(r"MRG5B1E(\d+)Z")
_PLAIN = (type(None), bool, int, float, Decimal, date)
_RENDERED: dict[tuple, tuple[str, str, str]] = {}
_MAX_SHAPES = 512


def _stand_ins(value: Any, values: list[str]) -> tuple[Any, Any]:
    """(the value with each string replaced by a stand-in, its shape); the strings go to ``values``."""
    if isinstance(value, str):
        values.append(value)
        return _STAND_IN.format(len(values) - 1), "html" if isinstance(value, SafeString) else "text"
    if isinstance(value, dict):
        pairs = [(key, _stand_ins(item, values)) for key, item in value.items()]
        return {key: item for key, (item, _shape) in pairs}, tuple((key, shape) for key, (_item, shape) in pairs)
    if isinstance(value, list | tuple):
        pairs = [_stand_ins(item, values) for item in value]
        return [item for item, _shape in pairs], ("list", *(shape for _item, shape in pairs))
    if isinstance(value, _PLAIN):
        return value, (type(value).__name__, value)
    raise TypeError(f"A merged email's context holds plain data (text, numbers, lists, dicts), not {type(value)!r}")


def _render(template: str, language: str, context: dict, shape: Any) -> list[list[str]]:
    """The three parts rendered with stand-ins, each split into text and value numbers in turn."""
    key = (template, language, shape, settings.SITE_URL)
    parts = _RENDERED.get(key)
    if parts is None:
        rendered = render_parts(template=template, context=context, language=language)
        if any("MRG" in _STAND_IN_RE.sub("", part).upper() for part in rendered):  # a stand-in cut or changed
            raise ValueError(f"emails/{template}/ filtered a merged value; print text values as they are")
        parts = [_STAND_IN_RE.split(part) for part in rendered]
        if len(_RENDERED) >= _MAX_SHAPES:
            _RENDERED.clear()
        _RENDERED[key] = parts
    return parts


def _fill(pieces: list[str], values: list[str]) -> str:
    # Text at even positions, value numbers at odd ones (what re.split gives for one group).
    return "".join(piece if i % 2 == 0 else values[int(piece)] for i, piece in enumerate(pieces))


def render_merged(*, template: str, context: dict, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML of ``emails/<template>/`` for ``context``, as ``render_parts`` writes them,
    rendered once per language and shape and filled in with this context's text."""
    values: list[str] = []
    stand_in_context, shape = _stand_ins(context, values)
    subject, text, html = _render(template, language, stand_in_context, shape)
    escaped = [value if isinstance(value, SafeString) else escape(value) for value in values]  # as |escape does
    return " ".join(_fill(subject, values).split()), _fill(text, values), _fill(html, escaped)


def clear() -> None:
    """Forget what was rendered (templates or translations changed, as in tests)."""
    _RENDERED.clear()
