"""The federation as the case level sees it: who am I, who serves a region, who sent the
message being applied, and how to send one.

Everything goes through ``tongban.federation`` (registry, identity, context, outbox).
``Loopback`` replaces the transport in tests that play several nodes against one
database: sends are queued and ``pump()`` applies each one as its recipient node would,
through the same consumers, with the same envelope metadata a real inbox provides.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.federation.context import EnvelopeMeta, applying, current_envelope
from tongban.federation.identity import this_node_id
from tongban.federation.registry import covers, region_prefix


@dataclass
class Sent:
    type: str
    stream: str
    sender: str
    recipient: str
    payload: dict[str, Any]


@dataclass
class Loopback:
    """Several nodes in one database (tests): region prefix → node id, plus a queue."""

    regions: dict[str, str]
    node: str
    # node id → its block of serials for other nodes' items (registry ``foreign_serials``)
    blocks: dict[str, tuple[int, int]] = field(default_factory=dict)
    queue: list[Sent] = field(default_factory=list)
    seqs: dict[str, int] = field(default_factory=dict)
    delivered: list[Sent] = field(default_factory=list)

    def node_for(self, code: str) -> str:
        best = max(
            (p for p in self.regions if covers(p, code)),
            key=lambda p: len(region_prefix(p)),
            default=None,
        )
        if best is None:
            raise LookupError(code)
        return self.regions[best]

    @contextmanager
    def as_node(self, node: str) -> Iterator[None]:
        before, self.node = self.node, node
        try:
            yield
        finally:
            self.node = before

    def pump(self, *, limit: int = 1000) -> int:
        """Apply queued messages (and those they cause) in order; returns how many."""
        from tongban.cases.consumers_remote import CONSUMERS

        done = 0
        while self.queue and done < limit:
            msg = self.queue.pop(0)
            seq = self.seqs[msg.stream] = self.seqs.get(msg.stream, 0) + 1
            meta = EnvelopeMeta(
                message_id=str(uuid.uuid4()),
                type=msg.type,
                sender=msg.sender,
                recipient=msg.recipient,
                stream=msg.stream,
                seq=seq,
                created_at=timezone.now().isoformat(),
            )
            with self.as_node(msg.recipient), applying(meta), transaction.atomic():
                CONSUMERS[msg.type](msg.payload)
            self.delivered.append(msg)
            done += 1
        return done


_LOOPBACK: ContextVar[Loopback | None] = ContextVar("tongban_case_loopback", default=None)


@contextmanager
def loopback(lb: Loopback) -> Iterator[Loopback]:
    token = _LOOPBACK.set(lb)
    try:
        yield lb
    finally:
        _LOOPBACK.reset(token)


def this_node() -> str | None:
    """This node's id; None on the classic single node (then nothing here crosses)."""
    lb = _LOOPBACK.get()
    return lb.node if lb is not None else this_node_id()


def loopback_blocks() -> dict[str, tuple[int, int]] | None:
    """The serial blocks of the loopback nodes (None outside a loopback)."""
    lb = _LOOPBACK.get()
    return None if lb is None else dict(lb.blocks)


def node_of_region(code: str) -> str:
    """The node serving ``code``; raises ``FederationUnavailable`` (coded) when none."""
    lb = _LOOPBACK.get()
    if lb is not None:
        return lb.node_for(code)
    from tongban.federation.registry import node_for_region

    return node_for_region(code)


def remote_node_for(code: str) -> str | None:
    """The node serving ``code`` when that is another node; None when it is this one
    (or when this is a single node)."""
    me = this_node()
    if me is None:
        return None
    node = node_of_region(code)
    return None if node == me else node


def own_regions() -> list[str]:
    """The region codes this node serves (what its messages may speak for)."""
    lb = _LOOPBACK.get()
    if lb is not None:
        return sorted(p for p, n in lb.regions.items() if n == lb.node)
    me = this_node_id()
    if me is None:
        return []
    from tongban.federation.registry import node_entry

    return list(node_entry(me).regions)


def speaks_for(code: str) -> list[str]:
    """``[code]`` when this node serves it, else every region this node serves (an online
    application records the deciding region as its intake region; the node that took it
    in speaks for its own regions)."""
    mine = own_regions()
    return [code] if any(covers(r, code) for r in mine) else mine


def sender() -> str | None:
    """The node that sent the message being applied (None outside a remote delivery)."""
    meta = current_envelope()
    return meta.sender if meta is not None else None


def stream_to(own_number: str, node: str) -> str:
    """One ordered stream per (case record, recipient node): a contiguous sequence."""
    return f"{own_number}>{node}"[:64]


def send(*, type: str, own_number: str, node: str, payload: dict[str, Any]) -> None:
    """Queue ``payload`` for ``node`` in the caller's transaction."""
    lb = _LOOPBACK.get()
    stream = stream_to(own_number, node)
    if lb is not None:
        lb.queue.append(Sent(type, stream, lb.node, node, payload))
        return
    from tongban.federation.outbox import outbox_write

    write: Callable[..., Any] = outbox_write
    write(type=type, stream=stream, payload=payload, recipient_node=node)
