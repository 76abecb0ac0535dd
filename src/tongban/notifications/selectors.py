"""Reads of notifications: a user's own messages, and the demo's outbox of everything
the fake notifier "sent"."""

from __future__ import annotations

from django.db.models import QuerySet

from tongban.core.actors import Actor
from tongban.notifications.models import Notification

LIMIT = 200


def notifications_for(actor: Actor) -> QuerySet[Notification]:
    """The actor's own messages, newest first (none for an anonymous visitor)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=actor.pk).select_related("case")[:LIMIT]


def outbox_all() -> QuerySet[Notification]:
    """Every message, newest first: the fake adapter's outbox in the demo. Callers must
    only show it in demo or development mode."""
    return Notification.objects.select_related("case", "recipient")[:LIMIT]


def mask_phone(phone: str) -> str:
    """138****0000: enough to tell messages apart, not enough to call someone."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else phone
