"""Writes: saving a channel (its webhook checked, its secrets kept encrypted) and a chat identity."""

from __future__ import annotations

from django.db import transaction

from .models import Channel, ChatIdentity
from .webhooks import validate_webhook_url, webhook_hint


@transaction.atomic
def channel_save(
    *, channel: Channel, webhook_url: str | None = None, secret: str | None = None, clear_secret: bool = False
) -> Channel:
    """Save ``channel``; a new ``webhook_url`` or ``secret`` replaces the stored one (None keeps it).

    The URL is validated for the channel's platform (also when only the platform changed);
    ValidationError otherwise.
    """
    if webhook_url:
        channel.webhook_url = webhook_url.strip()
    if secret:
        channel.secret = secret.strip()
    elif clear_secret:
        channel.secret = None
    validate_webhook_url(channel.platform, channel.webhook_url or "")
    channel.webhook_hint = webhook_hint(channel.platform, channel.webhook_url)
    channel.full_clean(exclude=["webhook_url", "secret"])
    channel.save()
    return channel


@transaction.atomic
def chat_identity_save(*, identity: ChatIdentity) -> ChatIdentity:
    identity.full_clean()
    identity.save()
    return identity
