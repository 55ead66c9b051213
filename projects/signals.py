"""Hooks other apps listen to, so this app never imports them.

``comment_posted`` is sent once a comment on a weekly update is committed
(``services.update_comment_post``), with ``comment`` (an ``UpdateComment``) and ``recipients`` (the
users to tell: the project's owner for a director's comment, the earlier commenters for an owner's
reply). The reports app mails them; the chat bots can connect their "director comments"
subscription here too::

    from projects.signals import comment_posted
    comment_posted.connect(my_receiver)  # my_receiver(sender, comment, recipients, **kwargs)
"""

from django.dispatch import Signal

comment_posted = Signal()
