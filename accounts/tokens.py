"""API token authentication with an optional lifetime, and failed tokens counted like failed logins."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .throttling import address_blocked, record_failure


def token_expires_at(token):
    """When ``token`` stops working (``API_TOKEN_DAYS`` after it was made), or None without a lifetime."""
    days = settings.API_TOKEN_DAYS
    return token.created + timedelta(days=days) if days and token is not None else None


class ThrottledExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication; an expired token is refused, and an address guessing tokens gets 429."""

    def authenticate(self, request):
        sends_token = request.META.get("HTTP_AUTHORIZATION", "").startswith(self.keyword)
        if sends_token and address_blocked(request):
            raise exceptions.Throttled(detail=_("Too many failed sign-ins from your address; try again later."))
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            record_failure(request)
            raise

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        expires = token_expires_at(token)
        if expires is not None and expires <= timezone.now():
            raise exceptions.AuthenticationFailed(_("Token expired; make a new one."))
        return user, token
