"""Reads for the node admin: this node's federation status (``tongban node status``
prints ``node_status``; the page /workbench/node/ shows ``node_overview``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count
from django.utils import timezone

from tongban.accounts.models import Role
from tongban.accounts.services import require_role
from tongban.core.actors import Actor
from tongban.core.errors import TongbanError
from tongban.federation.identity import entry_read, keys_list, node_key_meta, this_node_id
from tongban.federation.models import InboxMessage, InboxStatus, OutboxMessage, OutboxStatus
from tongban.federation.outbox import outbox_dead_letters
from tongban.federation.registry import Registry, iso, parse_time, registry_current
from tongban.regions.models import Region


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


def dead_letter_count() -> int:
    """Dead letters waiting for a replay (the nav badge of the node administrator)."""
    return OutboxMessage.objects.filter(status=OutboxStatus.DEAD).count()


# ---- the node administration page (/workbench/node/) ---------------------------------

KEY_STATES = {
    "current": "在用",
    "next": "待启用",
    "valid": "有效（轮换重叠期）",
    "expired": "已过期",
}


@dataclass(frozen=True)
class KeyRow:
    fingerprint: str
    alg: str
    not_before: datetime
    not_after: datetime
    state: str  # a key of KEY_STATES
    published: bool  # listed under this node in the registry in force

    @property
    def state_label(self) -> str:
        return KEY_STATES[self.state]


@dataclass(frozen=True)
class PeerQueue:
    node: str  # "" = delivery inside this node
    name: str
    pending: int
    delivered: int
    dead: int


@dataclass(frozen=True)
class NodeOverview:
    node_id: str | None
    name: str
    regions: list[tuple[str, str]]  # (code, name)
    base_url: str
    keys: list[KeyRow]
    registry_serial: int | None
    registry_not_after: datetime | None
    registry_error: str  # a coded error's code when the registry cannot be used
    peers: list[PeerQueue]
    dead_letters: list[OutboxMessage]
    inbox_held: int
    now: datetime


def _key_state(meta: dict[str, Any], current: str | None, now: datetime) -> str:
    if meta["fingerprint"] == current:
        return "current"
    if parse_time(meta["not_before"]) > now:
        return "next"
    if parse_time(meta["not_after"]) <= now:
        return "expired"
    return "valid"


def node_overview(actor: Actor, *, dead_limit: int = 200) -> NodeOverview:
    """What a node administrator watches: identity, keys, registry, delivery per peer
    and the dead letters (the same reads as ``tongban node status|dead-letters``)."""
    require_role(actor, Role.NODE_ADMIN)
    now = timezone.now()
    me = this_node_id()
    registry: Registry | None = None
    error = ""
    try:
        registry = registry_current(now=now)
    except TongbanError as exc:
        error = exc.code
    entry = registry.nodes.get(me or "") if registry is not None else None
    local: dict[str, Any] = {}
    if entry is None and me:
        try:
            local = entry_read()
        except (OSError, ValueError):
            local = {}
    codes = list(entry.regions) if entry else [str(r) for r in local.get("regions") or []]
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    published = {k.fingerprint for k in entry.keys} if entry else set()
    current = (node_key_meta(now) or {}).get("fingerprint")
    keys = [
        KeyRow(
            fingerprint=k["fingerprint"],
            alg=k["alg"],
            not_before=parse_time(k["not_before"]),
            not_after=parse_time(k["not_after"]),
            state=_key_state(k, current, now),
            published=k["fingerprint"] in published,
        )
        for k in keys_list()
    ]
    counts: dict[str, dict[str, int]] = {}
    rows = (
        OutboxMessage.objects.values_list("recipient_node", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for node, st, n in rows:
        counts.setdefault(node, {})[st] = n
    if registry is not None:
        for node in registry.nodes:
            if node != me:
                counts.setdefault(node, {})
    peers = [
        PeerQueue(
            node=node,
            name=(registry.nodes[node].name if registry and node in registry.nodes else ""),
            pending=c.get(OutboxStatus.PENDING, 0),
            delivered=c.get(OutboxStatus.DELIVERED, 0),
            dead=c.get(OutboxStatus.DEAD, 0),
        )
        for node, c in sorted(counts.items())
    ]
    return NodeOverview(
        node_id=me,
        name=entry.name if entry else str(local.get("name") or ""),
        regions=[(c, names.get(c, "")) for c in codes],
        base_url=entry.base_url if entry else str(local.get("base_url") or ""),
        keys=keys,
        registry_serial=registry.serial if registry else None,
        registry_not_after=registry.not_after if registry else None,
        registry_error=error,
        peers=peers,
        dead_letters=outbox_dead_letters(limit=dead_limit),
        inbox_held=InboxMessage.objects.filter(status=InboxStatus.HELD).count(),
        now=now,
    )
