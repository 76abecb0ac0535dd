from __future__ import annotations

from typing import Any

from tongban.core.jobs import job_handler
from tongban.core.jobs.registry import LANE_FEDERATION, PRIORITY_FEDERATION


@job_handler("federation.deliver_outbox")
def deliver_outbox(payload: dict[str, Any]) -> None:
    from tongban.federation.outbox import outbox_deliver

    outbox_deliver(int(payload["id"]))


@job_handler(
    "federation.push", lease_seconds=90, priority=PRIORITY_FEDERATION, lane=LANE_FEDERATION
)
def push(payload: dict[str, Any]) -> None:
    """Send this node's pending messages for one peer (see federation.sender)."""
    from tongban.federation.sender import push as push_to

    push_to(str(payload["node"]))


@job_handler("federation.sweep", priority=PRIORITY_FEDERATION, lane=LANE_FEDERATION)
def sweep(payload: dict[str, Any]) -> None:
    """Periodic: queue a push for every peer with due messages, and apply held inbox
    messages that became next in line. Nothing to do on a single node."""
    from tongban import config

    if not config.CONFIG.node_id:
        return
    from tongban.core.jobs import enqueue
    from tongban.federation.inbox import inbox_drain_all
    from tongban.federation.outbox import PUSH_JOB, nodes_with_due

    for node in nodes_with_due():
        enqueue(PUSH_JOB, {"node": node}, dedupe_key=f"{PUSH_JOB}:{node}")
    inbox_drain_all()


@job_handler("federation.prune_log")
def prune_log(payload: dict[str, Any]) -> None:
    from tongban.federation.log import log_prune

    log_prune()
