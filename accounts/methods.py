"""Which sign-in methods are configured (read at request time, so the login page shows just those)."""

from django.conf import settings


def ldap_enabled() -> bool:
    """LDAP / Active Directory: ``LDAP_URL`` is set (and python-ldap installed, see requirements-ldap.txt)."""
    return bool(getattr(settings, "LDAP_URL", ""))


def oidc_enabled() -> bool:
    """OpenID Connect: an issuer and a client id are set."""
    return bool(settings.OIDC_RP_CLIENT_ID and settings.OIDC_ISSUER)
