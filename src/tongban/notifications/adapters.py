"""Notifier adapters behind one small interface. ``fake`` (default in development and
the demo) only records the message as sent, so the demo's outbox page shows it; ``email``
sends through Django's e-mail backend; ``sms`` posts to an SMS gateway over HTTP."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
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


class SmsGatewayError(RuntimeError):
    """The gateway refused the message or could not be reached; the job retries."""


class SmsGatewayNotifier:
    """POSTs ``{"phone", "text"}`` as JSON to the configured gateway. Anything but a 2xx
    answer raises, so the sending job fails and is retried with backoff."""

    name = "sms"

    def __init__(self, url: str | None = None, *, timeout: float = 5.0) -> None:
        from tongban.config import CONFIG

        self.url = url if url is not None else CONFIG.sms_gateway_url
        self.timeout = timeout
        if not self.url.startswith(("http://", "https://")):
            raise SmsGatewayError("TONGBAN_SMS_GATEWAY_URL is not set to an http(s) URL")

    def send(self, notification: Notification) -> None:
        if not notification.phone:
            raise ValueError("no phone number for this recipient")
        body = json.dumps(
            {"phone": notification.phone, "text": notification.body}, ensure_ascii=False
        ).encode()
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            raise SmsGatewayError(f"SMS gateway answered {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError) as exc:
            raise SmsGatewayError(f"SMS gateway unreachable: {exc}") from exc
        if not 200 <= status < 300:
            raise SmsGatewayError(f"SMS gateway answered {status}")


_ADAPTERS: dict[str, Callable[[], Notifier]] = {
    "fake": FakeNotifier,
    "email": EmailNotifier,
    "sms": SmsGatewayNotifier,
}


def get_notifier() -> Notifier:
    from tongban.config import CONFIG

    return _ADAPTERS[CONFIG.notifier]()
