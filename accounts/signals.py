"""Receivers: count failed sign-ins per address; revoke API tokens when a password changes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import pre_save
from django.dispatch import receiver

from .throttling import record_failure


@receiver(user_login_failed, dispatch_uid="accounts.count_failed_sign_in")
def count_failed_sign_in(sender, credentials=None, request=None, **kwargs):
    record_failure(request)


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts.revoke_tokens_on_password_change")
def revoke_tokens_on_password_change(sender, instance, raw=False, **kwargs):
    """A new password ends every API token of the user: a leaked token dies with the old password."""
    if raw or instance.pk is None:
        return
    from rest_framework.authtoken.models import Token

    old = sender.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    unusable_both = (old or "").startswith("!") and (instance.password or "").startswith("!")
    if old is not None and old != instance.password and not unusable_both:
        Token.objects.filter(user_id=instance.pk).delete()
