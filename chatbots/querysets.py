"""Who may see and change chat channels and identities, in projects/querysets.py's manner.

- Channels (their settings and deliveries) are the department's: whoever holds the model permission
  (directors, superusers) reads and changes them; nobody else sees them.
- A chat identity is its person's: everyone changes their own; holders of the change permission
  (directors, superusers) change everyone's.
"""

from __future__ import annotations

from django.db.models import Q

from projects.querysets import VisibleQuerySet, _can_read


class ChannelQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        if not _can_read(user) or not user.has_perm("chatbots.view_channel"):
            return self.none()
        return self.all()

    def active(self):
        return self.filter(is_active=True)

    def receiving(self, kind: str):
        from .models import SUBSCRIPTION_FIELDS

        return self.active().filter(**{SUBSCRIPTION_FIELDS[kind]: True})


class ChatIdentityQuerySet(VisibleQuerySet):
    def visible_to(self, user):
        return self.editable_by(user)

    def editable_by(self, user):
        if not _can_read(user):
            return self.none()
        if user.has_perm("chatbots.change_chatidentity"):
            return self.all()
        return self.filter(Q(user=user))
