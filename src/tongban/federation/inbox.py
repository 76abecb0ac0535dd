"""Receiving envelopes from other nodes: every check, exactly once, in sequence.

``inbox_receive(wires)`` takes a batch as POSTed to ``/federation/inbox``. Signatures are
verified first (no database), then one transaction applies the batch, each envelope in
its own savepoint. Per envelope the answer is one of

- ``accepted``  applied now (and any held successors it unblocked);
- ``held``      stored, waiting for an earlier ``seq`` of its stream (a gap waits);
- ``duplicate`` its message id was seen before: acknowledged, not applied again;
- ``rejected``  with a reason code (unknown sender, bad signature, expired key, stale
                timestamp, region not served, unknown type or schema ...): not applied;
- ``failed``    its consumer raised: rolled back, the sender retries.

Every envelope lands in the message log, rejections with their reason code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban import config
from tongban.federation import consumers, schemas
from tongban.federation.envelope import Opened, Rejected, meta_of, open_envelope
from tongban.federation.identity import require_node_id
from tongban.federation.log import log_append, record_of
from tongban.federation.models import (
    InboxMessage,
    InboxStatus,
    InboxStream,
    LogDirection,
)
from tongban.federation.registry import registry_current

logger = logging.getLogger("tongban.federation")

ACCEPTED, HELD, DUPLICATE, REJECTED, FAILED = "accepted", "held", "duplicate", "rejected", "failed"


@dataclass
class Outcome:
    id: str
    status: str
    reason: str = ""

    def as_dict(self) -> dict[str, str]:
        d = {"id": self.id, "status": self.status}
        if self.reason:
            d["reason"] = self.reason
        return d


def _window() -> timedelta:
    return timedelta(seconds=config.CONFIG.federation_clock_window_seconds)


def _reject(wire: Any, exc: Rejected) -> tuple[Outcome, dict[str, Any]]:
    header = exc.header or {}
    sig = wire.get("signature") if isinstance(wire, dict) else None
    sig = sig if isinstance(sig, dict) else {}
    logger.warning(
        "federation: rejected %s from %s: %s", header.get("id"), header.get("sender"), exc.reason
    )
    rec = record_of(
        header,
        direction=LogDirection.REJECTED,
        signature=str(sig.get("value", "")),
        kid=str(sig.get("kid", "")),
        reason=exc.reason,
    )
    return Outcome(str(header.get("id", "")), REJECTED, exc.reason), rec


def inbox_receive(wires: list[Any], *, now: datetime | None = None) -> list[Outcome]:
    """Check and apply a batch of envelopes addressed to this node."""
    me = require_node_id()
    now = now or timezone.now()
    registry = registry_current(now=now)
    opened: list[Opened | tuple[Outcome, dict[str, Any]]] = []
    for wire in wires:
        try:
            opened.append(open_envelope(wire, registry=registry, me=me, now=now, window=_window()))
        except Rejected as exc:
            opened.append(_reject(wire, exc))
    outcomes: list[Outcome] = []
    with transaction.atomic():
        for item in opened:
            if isinstance(item, tuple):
                outcome, rec = item
                log_append([rec])
            else:
                outcome = _receive_one(item)
            outcomes.append(outcome)
    return outcomes


def _receive_one(env: Opened) -> Outcome:
    h = env.header
    received = record_of(
        h, direction=LogDirection.RECEIVED, signature=env.signature, kid=env.key.fingerprint
    )
    if InboxMessage.objects.filter(message_id=h["id"]).exists():
        log_append([{**received, "direction": LogDirection.REJECTED, "reason": "duplicate"}])
        return Outcome(h["id"], DUPLICATE, "duplicate")
    problem = _schema_problem(h["type"], h["schema"], env.payload)
    if problem is None and h["seq"] < 1:
        problem = "envelope_malformed"
    if problem:
        logger.warning("federation: rejected %s from %s: %s", h["id"], h["sender"], problem)
        log_append([{**received, "direction": LogDirection.REJECTED, "reason": problem}])
        return Outcome(h["id"], REJECTED, problem)
    try:
        with transaction.atomic():
            stream, _ = InboxStream.objects.select_for_update().get_or_create(
                sender=h["sender"], stream=h["stream"]
            )
            if h["seq"] <= stream.last_seq:
                # Same (stream, seq) under another id: the sender re-wrote a message.
                log_append(
                    [
                        {
                            **received,
                            "direction": LogDirection.REJECTED,
                            "reason": "seq_already_applied",
                        }
                    ]
                )
                return Outcome(h["id"], DUPLICATE, "seq_already_applied")
            log_append([received])
            if h["seq"] > stream.last_seq + 1:
                InboxMessage.objects.create(
                    message_id=h["id"],
                    type=h["type"],
                    sender=h["sender"],
                    stream=h["stream"],
                    seq=h["seq"],
                    status=InboxStatus.HELD,
                    header=h,
                    payload=env.payload,
                )
                return Outcome(h["id"], HELD)
            InboxMessage.objects.create(
                message_id=h["id"],
                type=h["type"],
                sender=h["sender"],
                stream=h["stream"],
                seq=h["seq"],
                applied_at=timezone.now(),
            )
            consumers.apply(h["type"], env.payload, env.meta)
            stream.last_seq = h["seq"]
            stream.save(update_fields=["last_seq"])
    except Exception as exc:  # a consumer failed: roll back, the sender retries
        logger.exception("federation: consumer of %s failed", h["type"])
        log_append([{**received, "direction": LogDirection.REJECTED, "reason": "consumer_failed"}])
        return Outcome(h["id"], FAILED, f"consumer_failed: {type(exc).__name__}")
    inbox_drain(sender=h["sender"], stream=h["stream"])
    return Outcome(h["id"], ACCEPTED)


def _schema_problem(type: str, version: int, payload: dict[str, Any]) -> str | None:
    if consumers.consumer_for(type) is None:
        return "type_unknown"
    if not schemas.known(type):
        return None if version == 1 else "schema_version_unsupported"
    return schemas.schema_problem(type, version, payload)


def inbox_drain(*, sender: str, stream: str) -> int:
    """Apply held messages of a stream that are now next in line; stop at a gap or at a
    consumer that fails (left held; the periodic drain tries again)."""
    applied = 0
    while True:
        with transaction.atomic():
            row = InboxStream.objects.select_for_update().get(sender=sender, stream=stream)
            nxt = InboxMessage.objects.filter(
                sender=sender, stream=stream, status=InboxStatus.HELD, seq=row.last_seq + 1
            ).first()
            if nxt is None:
                return applied
            try:
                with transaction.atomic():
                    consumers.apply(nxt.type, nxt.payload or {}, meta_of(nxt.header or {}))
                    nxt.status = InboxStatus.APPLIED
                    nxt.applied_at = timezone.now()
                    nxt.header = nxt.payload = None
                    nxt.save(update_fields=["status", "applied_at", "header", "payload"])
                    row.last_seq = nxt.seq
                    row.save(update_fields=["last_seq"])
            except Exception:
                logger.exception("federation: held %s of %s failed", nxt.seq, stream)
                return applied
        applied += 1


def inbox_drain_all() -> int:
    """Periodic: retry every stream with a held message that is next in line."""
    n = 0
    held = (
        InboxMessage.objects.filter(status=InboxStatus.HELD)
        .values_list("sender", "stream")
        .distinct()
    )
    for sender, stream in list(held):
        n += inbox_drain(sender=sender, stream=stream)
    return n
