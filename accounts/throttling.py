"""Sign-in abuse: the real client address, progressive lockouts, and password spraying per address.

- ``client_ip``: behind the documented TLS proxy (``BEHIND_TLS_PROXY``) the client is the address the
  trusted proxies appended to X-Forwarded-For, so one lockout never covers everyone behind the proxy.
- ``lockout_cooloff`` (django-axes' ``AXES_COOLOFF_TIME``): five failures lock a username from an
  address for ``AXES_COOLOFF_FIRST_MINUTES``, doubling with each further failure up to
  ``AXES_COOLOFF_HOURS``.
- ``record_failure`` / ``address_blocked``: failed sign-ins of any account (the form, the admin, API
  tokens) counted per client address in the shared cache; past ``SIGN_IN_FAILURES_PER_ADDRESS`` in
  the window, that address gets 429 until the window ends.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind trusted proxies the address they appended."""
    remote = request.META.get("REMOTE_ADDR", "") or ""
    hops = settings.TRUSTED_PROXY_COUNT if settings.BEHIND_TLS_PROXY else 0
    if hops:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-min(hops, len(forwarded))]
    return remote


def lockout_cooloff(request=None) -> timedelta:
    """How long a locked-out username stays locked from an address: short at first, then doubling."""
    from axes.helpers import get_client_username
    from axes.models import AccessFailureLog

    longest = timedelta(hours=settings.AXES_COOLOFF_HOURS)
    first = timedelta(minutes=settings.AXES_COOLOFF_FIRST_MINUTES)
    if request is None:
        return longest
    username = get_client_username(request)
    failures = AccessFailureLog.objects.filter(
        username=username, ip_address=client_ip(request), attempt_time__gte=timezone.now() - longest * 2
    ).count()
    extra = max(0, failures - settings.AXES_FAILURE_LIMIT)
    return min(longest, first * (2 ** min(extra, 20)))


def _key(address: str) -> str:
    window = settings.SIGN_IN_FAILURE_WINDOW_MINUTES * 60
    return f"sign-in-failures:{address}:{int(timezone.now().timestamp()) // window}"


def record_failure(request) -> None:
    """Count one failed sign-in from the request's client address (any account, any method)."""
    if request is None:
        return
    key = _key(client_ip(request))
    cache.add(key, 0, timeout=settings.SIGN_IN_FAILURE_WINDOW_MINUTES * 60 + 5)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.SIGN_IN_FAILURE_WINDOW_MINUTES * 60 + 5)


def address_blocked(request) -> bool:
    """Whether the client address has failed too often in this window (password spraying)."""
    return (cache.get(_key(client_ip(request))) or 0) >= settings.SIGN_IN_FAILURES_PER_ADDRESS
