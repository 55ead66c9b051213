"""Where a user signs in from, when it is not a local password."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class DirectoryAccount(models.Model):
    """A user whose identity belongs to the company directory (LDAP) or an OpenID Connect provider.

    The directory is the source of truth for their name, email, mobile, roles and whether they may sign
    in: each login updates them, and ``sync_directory`` deactivates LDAP users who left.
    """

    class Source(models.TextChoices):
        LDAP = "ldap", _("LDAP / Active Directory")
        OIDC = "oidc", _("OpenID Connect")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory_account", verbose_name=_("user")
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    external_id = models.CharField(
        _("directory id"), max_length=500, help_text=_("The LDAP DN, or the OpenID Connect subject.")
    )
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    synced_at = models.DateTimeField(_("last updated from the directory"))

    class Meta:
        verbose_name = _("directory account")
        verbose_name_plural = _("directory accounts")
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=Q(source="oidc"),
                name="%(app_label)s_%(class)s_one_user_per_subject",
                violation_error_message=_("Another user already has this OpenID Connect subject."),
            ),
        ]
        # sync_directory reads every account of one source.
        indexes = [models.Index(fields=["source"], name="accounts_directory_source")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_source_display()})"
