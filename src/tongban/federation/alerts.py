"""Alerting this node's administrators (dead letters, stuck deliveries)."""

from __future__ import annotations

from tongban.accounts.models import Role, User
from tongban.core.jobs import enqueue
from tongban.notifications.models import Notification


def alert_node_admins(*, subject: str, body: str) -> int:
    """One notification per active node_admin, sent by the notifier job."""
    admins = User.objects.filter(is_active=True, grants__role=Role.NODE_ADMIN).distinct()
    n = 0
    for user in admins:
        note = Notification.objects.create(
            recipient=user, phone=user.phone, email=user.email or "", subject=subject, body=body
        )
        enqueue("notifications.send", {"id": note.pk})
        n += 1
    return n
