"""Notifier adapters behind one small interface. ``fake`` (default in development and
the demo) only records the message as sent, so the demo's outbox page shows it; ``email``
sends through Django's e-mail backend. An SMS gateway adapter plugs in the same way."""

from __future__ import annotations

from typing import Protocol

from django.core.mail import send_mail

from tongban.notifications.models import Notification


class Notifier(Protocol):
    name: str

    def send(self, notification: Notification) -> None: ...


class FakeNotifier:
    """Records nothing beyond the row itself: the message is visible on /messages/."""

    name = "fake"

    def send(self, notification: Notification) -> None:
        return None


class EmailNotifier:
    name = "email"

    def send(self, notification: Notification) -> None:
        if not notification.email:
            raise ValueError("no e-mail address for this recipient")
        send_mail(
            notification.subject,
            notification.body,
            None,
            [notification.email],
            fail_silently=False,
        )


_ADAPTERS: dict[str, type[FakeNotifier] | type[EmailNotifier]] = {
    "fake": FakeNotifier,
    "email": EmailNotifier,
}


def get_notifier() -> Notifier:
    from tongban.config import CONFIG

    return _ADAPTERS[CONFIG.notifier]()
