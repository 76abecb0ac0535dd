from __future__ import annotations

from typing import Any

from tongban.core.jobs import job_handler


@job_handler("federation.deliver_outbox")
def deliver_outbox(payload: dict[str, Any]) -> None:
    from tongban.federation.outbox import outbox_deliver

    outbox_deliver(int(payload["id"]))
