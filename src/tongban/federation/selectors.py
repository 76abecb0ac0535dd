"""Reads for the node admin: this node's federation status."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from tongban.core.errors import TongbanError
from tongban.federation.identity import node_key_meta, this_node_id
from tongban.federation.models import InboxMessage, InboxStatus, OutboxMessage
from tongban.federation.registry import iso, registry_current


def node_status() -> dict[str, Any]:
    status: dict[str, Any] = {"node_id": this_node_id(), "key": node_key_meta()}
    try:
        reg = registry_current()
        status["registry"] = {
            "serial": reg.serial,
            "not_after": iso(reg.not_after),
            "nodes": sorted(reg.nodes),
        }
    except TongbanError as exc:
        status["registry"] = {"error": exc.code}
    status["outbox"] = {
        f"{node or 'local'}:{st}": n
        for node, st, n in OutboxMessage.objects.values_list("recipient_node", "status")
        .annotate(n=Count("id"))
        .order_by()
    }
    status["inbox_held"] = InboxMessage.objects.filter(status=InboxStatus.HELD).count()
    return status
