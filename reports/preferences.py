"""Writes to a user's notification preferences: the settings page and one-click unsubscribe."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from .mail.links import UNSUBSCRIBABLE
from .models import NotificationPreference


def preference_get_or_default(*, user) -> NotificationPreference:
    """The user's preferences, unsaved defaults when they never chose."""
    return NotificationPreference.objects.filter(user=user).first() or NotificationPreference(user=user)


@transaction.atomic
def preference_save(*, preference: NotificationPreference) -> NotificationPreference:
    preference.full_clean()
    preference.save()
    return preference


@transaction.atomic
def preference_unsubscribe(*, user_id: int, topic: str) -> NotificationPreference:
    """Switch one kind of email off for the user; DoesNotExist if the user is gone."""
    if topic not in UNSUBSCRIBABLE:
        raise ValueError(f"Unknown topic {topic!r}")
    user = get_user_model().objects.get(pk=user_id)
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=user)
    setattr(preference, topic, False)
    preference.save(update_fields=[topic])
    return preference
