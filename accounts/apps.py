from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Company sign-in: LDAP / Active Directory, OpenID Connect, and the login page."""

    name = "accounts"
    verbose_name = _("Sign-in")
