"""OpenID Connect sign-in (mozilla-django-oidc), answering only when ``OIDC_CLIENT_ID`` is set.

The provider's endpoints come from its discovery document (``OIDC_ISSUER`` +
``/.well-known/openid-configuration``), fetched when first needed and cached for an hour; a setting
of the same name (``OIDC_OP_TOKEN_ENDPOINT`` …) overrides one. Users are matched by the ``sub``
claim, named by ``OIDC_USERNAME_CLAIM`` and given roles from ``OIDC_GROUPS_CLAIM``.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation
from django.http import Http404
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from .methods import oidc_enabled
from .models import DirectoryAccount
from .roles import apply_roles, roles_for

logger = logging.getLogger(__name__)

DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_LOGOUT_ENDPOINT": "end_session_endpoint",
}
DISCOVERY_CACHE_SECONDS = 3600


def discovery() -> dict:
    """The provider's discovery document (cached); ImproperlyConfigured when it cannot be read."""
    url = f"{settings.OIDC_ISSUER}/.well-known/openid-configuration"
    document = cache.get(url)
    if document is None:
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ImproperlyConfigured(f"Cannot read the OpenID Connect discovery document {url}: {exc}") from exc
        cache.set(url, document, DISCOVERY_CACHE_SECONDS)
    return document


def oidc_setting(attr: str, *default):
    """A mozilla-django-oidc setting, with the provider's endpoints taken from discovery."""
    if attr in DISCOVERED and not getattr(settings, attr, None):
        value = discovery().get(DISCOVERED[attr])
        return value if value or not default else default[0]
    return import_from_settings(attr, *default)


class ProviderBackend(OIDCAuthenticationBackend):
    """The authorization-code flow's backend: only for the callback, and only when configured."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        # Django builds every backend for every login, password logins too: read the provider's
        # settings (and its discovery document) only when an OpenID Connect callback arrives.
        self.UserModel = get_user_model()

    def authenticate(self, request, **kwargs):
        if request is None or not oidc_enabled() or "code" not in request.GET or "state" not in request.GET:
            return None
        super().__init__()
        user = super().authenticate(request, **kwargs)
        return user if user is not None and user.is_active else None

    def get_user(self, user_id):
        # Unlike Django's ModelBackend, mozilla-django-oidc keeps serving a deactivated user's session.
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def verify_claims(self, claims):
        return bool(claims.get("sub") and claims.get(settings.OIDC_USERNAME_CLAIM))

    def filter_users_by_claims(self, claims):
        account = DirectoryAccount.objects.filter(source=DirectoryAccount.Source.OIDC, external_id=claims["sub"])
        users = self.UserModel.objects.filter(directory_account__in=account)
        if users:
            return users
        # First sign-in: a user of that name made for them beforehand (no password, no other identity)
        # becomes theirs. A local account with a password (the break-glass superuser) never does.
        namesakes = self.UserModel.objects.filter(
            username__iexact=claims[settings.OIDC_USERNAME_CLAIM], directory_account__isnull=True
        )
        return [user for user in namesakes if not user.has_usable_password()]

    def create_user(self, claims):
        username = claims[settings.OIDC_USERNAME_CLAIM].lower()
        if self.UserModel.objects.filter(username__iexact=username).exists():
            raise SuspiciousOperation(f"{username} already signs in another way")
        user = self.UserModel.objects.create_user(username)  # no usable password
        return self.update_user(user, claims)

    def update_user(self, user, claims):
        user.first_name = (claims.get("given_name") or user.first_name)[:150]
        user.last_name = (claims.get("family_name") or user.last_name)[:150]
        user.email = claims.get("email") or user.email
        user.save(update_fields=["first_name", "last_name", "email"])
        groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
        if isinstance(groups, str):
            groups = [groups]
        apply_roles(user, roles_for(groups, settings.OIDC_ROLE_GROUPS))
        DirectoryAccount.objects.update_or_create(
            user=user,
            defaults={
                "source": DirectoryAccount.Source.OIDC,
                "external_id": claims["sub"],
                "mobile": (claims.get("phone_number") or "")[:32],
                "synced_at": timezone.now(),
            },
        )
        return user


class ProviderLoginView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's login (with state, nonce and PKCE)."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args, **kwargs):
        if not oidc_enabled():
            raise Http404("OpenID Connect is not configured")
        super().__init__(*args, **kwargs)


class ProviderCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back with the authorization code."""

    get_settings = staticmethod(oidc_setting)


def provider_logout_url(request, id_token: str | None, return_to: str) -> str | None:
    """The provider's end-session URL (RP-initiated logout), or None when it has none."""
    if not oidc_enabled() or not id_token:
        return None
    try:
        endpoint = oidc_setting("OIDC_OP_LOGOUT_ENDPOINT", None)
    except ImproperlyConfigured:
        logger.warning("cannot end the provider's session: its discovery document is unreachable")
        return None
    if not endpoint:
        return None
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": request.build_absolute_uri(return_to)})
    return f"{endpoint}?{query}"
