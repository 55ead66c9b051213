"""Rendered once, filled in many times: templates whose output differs between uses only in text.

A weekly reminder says the same to every owner but for their name, their projects and their
unsubscribe link; every project of the rollup page is the same article but for its own words and
numbers. Rendering such a template (and, for an email, inlining its CSS) for each use costs more than
the work around it, so ``merged`` renders it once per *shape* of its context, with a stand-in for each
text value, and each use is that rendering with its own values swapped in — escaped where the
template escapes them (HTML) — so what is written is what the template writes for those values. The
tests hold merged renderings equal to full ones.

The shape is what in the context is not text: how long each list is, numbers, flags, None (an absent
text is None, never ""). Templates test those freely (``{% if p.next_milestone %}``, a plural by a
count) and a context that carries more of them has more shapes. Text values are only printed, as
they are: never compared or filtered (a filter would see the stand-in, and a rendering that changed
one is refused). Values marked safe (already HTML: a chart, ``linebreaksbr``'d text) go in as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from html import escape as escape_html
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

_STAND_IN = "MRG5B1E{}Z"  # letters and digits: unchanged by escaping, CSS inlining and line breaks
_STAND_IN_RE = re.compile(r"MRG5B1E(\d+)Z")
_PLAIN = (type(None), bool, int, float, Decimal, date)
_RENDERED: dict[tuple, list[list[str]]] = {}
_MAX_SHAPES = 2048


def _shape(value: Any, values: list[str]) -> Any:
    """The value's shape; its strings, in order, go to ``values``."""
    if isinstance(value, str):
        values.append(value)
        return "html" if isinstance(value, SafeString) else "text"
    if isinstance(value, dict):
        return tuple([(key, _shape(item, values)) for key, item in value.items()])
    if isinstance(value, list | tuple):
        return ("list", *[_shape(item, values) for item in value])
    if isinstance(value, _PLAIN):
        return (type(value), value)
    raise TypeError(f"A merged context holds plain data (text, numbers, lists, dicts), not {type(value)!r}")


def _stand_ins(value: Any, count: list[int]) -> Any:
    """The value with its strings replaced by stand-ins numbered in ``_shape``'s order."""
    if isinstance(value, str):
        count[0] += 1
        return _STAND_IN.format(count[0] - 1)
    if isinstance(value, dict):
        return {key: _stand_ins(item, count) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_stand_ins(item, count) for item in value]
    return value


def _fill(pieces: list[str], values: list[str]) -> str:
    # Text at even positions, value numbers at odd ones (what re.split gives for one group).
    return "".join(piece if i % 2 == 0 else values[int(piece)] for i, piece in enumerate(pieces))


def merged(
    render: Callable[[dict], tuple[str, ...]], *, key: tuple, context: dict, escape: tuple[bool, ...]
) -> tuple[str, ...]:
    """``render(context)`` (parts of text), rendered once per ``key`` and shape of ``context`` and filled
    in with this context's text; ``escape`` says which parts are HTML (their values are escaped)."""
    values: list[str] = []
    shape = _shape(context, values)
    parts = _RENDERED.get((key, shape))
    if parts is None:
        rendered = render(_stand_ins(context, [0]))
        if any("MRG" in _STAND_IN_RE.sub("", part).upper() for part in rendered):  # a stand-in cut or changed
            raise ValueError(f"{key[0]} filtered a merged value; print text values as they are")
        parts = [_STAND_IN_RE.split(part) for part in rendered]
        if len(_RENDERED) >= _MAX_SHAPES:
            _RENDERED.clear()
        _RENDERED[(key, shape)] = parts
    escaped = [value if isinstance(value, SafeString) else escape_html(value) for value in values]  # as |escape
    return tuple(_fill(part, escaped if html else values) for part, html in zip(parts, escape, strict=True))


def merged_html(template: str, context: dict) -> SafeString:
    """``render_to_string(template, context)`` of an HTML template, merged (in the active language)."""
    [html] = merged(
        lambda stand_ins: (render_to_string(template, stand_ins),),
        key=(template, get_language()),
        context=context,
        escape=(True,),
    )
    return mark_safe(html)


def clear() -> None:
    """Forget what was rendered (templates or translations changed, as in tests)."""
    _RENDERED.clear()
