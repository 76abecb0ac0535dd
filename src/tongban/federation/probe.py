"""Probes: generic messages between nodes for health checks, the fault harness and the
benchmark (``tongban node probe``). A probe carries a counter; the receiving node records
each application in ``Probe`` (no uniqueness, so a double application would show)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count

from tongban.federation.consumers import consumer
from tongban.federation.context import current_envelope
from tongban.federation.identity import require_node_id
from tongban.federation.models import InboxMessage, InboxStatus, OutboxMessage, Probe
from tongban.federation.registry import node_entry
from tongban.federation.rpc import query_handler
from tongban.federation.schemas import message_schema

PROBE = "cn.tongban.probe"
ECHO = "cn.tongban.probe.echo"

message_schema(PROBE, version=1, fields={"n": int, "regions": list})


@consumer(PROBE)
def probe_apply(payload: dict[str, Any]) -> None:
    meta = current_envelope()
    Probe.objects.create(
        sender=meta.sender if meta else "",
        stream=meta.stream if meta else "",
        seq=meta.seq if meta else 0,
        n=int(payload["n"]),
    )


@query_handler(ECHO)
def probe_echo(payload: dict[str, Any], requester_node: str) -> dict[str, Any]:
    return {"echo": payload.get("text", ""), "node": require_node_id(), "from": requester_node}


def probe_send(*, to: str, count: int, streams: int = 1, start: int = 0, per_tx: int = 1) -> int:
    """Write ``count`` probes to node ``to`` over ``streams`` streams, ``per_tx`` per
    transaction (1: as separate state changes would)."""
    from tongban.federation.outbox import outbox_write

    me = require_node_id()
    region = node_entry(me).regions[0]
    numbers = list(range(start, start + count))
    for k in range(0, len(numbers), max(1, per_tx)):
        with transaction.atomic():
            for i in numbers[k : k + max(1, per_tx)]:
                outbox_write(
                    type=PROBE,
                    stream=f"probe-{me}-{i % streams}",
                    payload={"n": i, "regions": [region]},
                    recipient_node=to,
                )
    return count


def probe_stats() -> dict[str, Any]:
    """What this node sent and received, for comparing both sides after a run."""
    received = Probe.objects.count()
    distinct = Probe.objects.values("sender", "stream", "seq").distinct().count()
    out_of_order = 0
    last: dict[tuple[str, str], int] = {}
    for sender, stream, seq in Probe.objects.order_by("id").values_list("sender", "stream", "seq"):
        key = (sender, stream)
        if seq != last.get(key, 0) + 1:
            out_of_order += 1
        last[key] = seq
    outbox = dict(OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {
        "received": received,
        "distinct": distinct,
        "duplicates": received - distinct,
        "out_of_order": out_of_order,
        "numbers": sorted(Probe.objects.values_list("n", flat=True)),
        "held": InboxMessage.objects.filter(status=InboxStatus.HELD).count(),
        "outbox": {str(k): v for k, v in outbox.items()},
    }
