"""URL paths whose last argument is an id or a token, reversed once per name (and leading arguments):
a rollup page and a mailing write thousands of them, and ``reverse`` walks the URL patterns each time."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from urllib.parse import quote

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

_SLOT = 918273645546372819  # reversed in place of the last argument, then cut out
_SAFE = RFC3986_SUBDELIMS + "/~:@"  # what reverse() leaves unquoted


@lru_cache(maxsize=256)
def _around(name: str, leading: tuple, urlconf: str | None, prefix: str) -> tuple[str, str]:
    before, after = reverse(name, args=[*leading, _SLOT]).split(str(_SLOT))
    return before, after


def path_for(name: str, *args: int | str) -> str:
    """``reverse(name, args=args)``; the last argument must be one the URL accepts (an id, a token)."""
    *leading, last = args
    before, after = _around(name, tuple(leading), get_urlconf(), get_script_prefix())
    return f"{before}{quote(str(last), safe=_SAFE)}{after}"


def paths_for(name: str, *leading: int | str) -> Callable[[int | str], str]:
    """``path_for`` with the leading arguments (and the request's URL configuration) fixed: for a page
    that links many rows."""
    before, after = _around(name, tuple(leading), get_urlconf(), get_script_prefix())
    return lambda last: f"{before}{quote(str(last), safe=_SAFE)}{after}"
