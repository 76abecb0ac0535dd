from __future__ import annotations

from typing import Any

from tongban.core.jobs import job_handler


@job_handler("notifications.send")
def send(payload: dict[str, Any]) -> None:
    from tongban.notifications.services import notification_send

    notification_send(int(payload["id"]))
