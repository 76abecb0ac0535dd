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

Fast path: when no envelope of the batch meets a gap or a stream with held messages,
the batch's consumers run under one savepoint and its inbox rows, stream positions and
log entries are written with one multi-row statement each. If any consumer fails there,
the savepoint is rolled back and the batch goes through the per-envelope path (a
savepoint each), so a failing message never takes its neighbours down with it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from tongban import config
from tongban.federation import consumers, schemas
from tongban.federation.envelope import Manifest, Opened, Rejected, meta_of, open_envelope
from tongban.federation.identity import require_node_id
from tongban.federation.log import log_append, record_of
from tongban.federation.models import (
    InboxMessage,
    InboxStatus,
    InboxStream,
    LogDirection,
)
from tongban.federation.registry import registry_current
from tongban.federation.sql import insert_rows, update_by_pk

logger = logging.getLogger("tongban.federation")

_INBOX_COLUMNS = (
    "message_id",
    "type",
    "sender",
    "stream",
    "seq",
    "status",
    "received_at",
    "applied_at",
)
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


def inbox_receive(
    wires: list[Any], *, now: datetime | None = None, manifest: Any = None
) -> list[Outcome]:
    """Check and apply a batch of envelopes addressed to this node (``manifest``: the
    batch signature, when the sender signed the batch in one pass)."""
    me = require_node_id()
    now = now or timezone.now()
    registry = registry_current(now=now)
    signed = Manifest(manifest) if manifest is not None else None
    opened: list[Opened | tuple[Outcome, dict[str, Any]]] = []
    for wire in wires:
        try:
            opened.append(
                open_envelope(
                    wire, registry=registry, me=me, now=now, window=_window(), manifest=signed
                )
            )
        except Rejected as exc:
            opened.append(_reject(wire, exc))
    with transaction.atomic():
        _one_apply_per_sender({o.header["sender"] for o in opened if isinstance(o, Opened)})
        batch = _Batch([o for o in opened if isinstance(o, Opened)])
        outcomes = batch.fast(opened)
        if outcomes is None:
            outcomes = []
            for item in opened:
                if isinstance(item, tuple):
                    outcome, rec = item
                    batch.log.append(rec)
                else:
                    outcome = batch.receive(item)
                outcomes.append(outcome)
        batch.finish()
    return outcomes


_APPLY_LOCK = 0x7462  # advisory lock space of inbox applies ("tb")


def _one_apply_per_sender(senders: set[str]) -> None:
    """PostgreSQL: a sender's batches are applied one at a time (a transaction-level
    advisory lock, taken before any other lock). The lanes of a peer still overlap the
    network and the signature checks; but their batches write shared rows (the deciding
    node's case-number counter of an item and day, job dedupe keys), and applying two at
    once only made one wait for the other's whole batch — or deadlock when the locks came
    in the other order (ADR 0009)."""
    if connection.vendor != "postgresql":
        return  # SQLite runs one writer at a time anyway
    with connection.cursor() as cur:
        for sender in sorted(senders):
            cur.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_APPLY_LOCK, sender])


class _Batch:
    """One POSTed batch in one transaction: the seen ids, the stream rows (locked) and
    the streams with held messages are read once; log entries are appended once."""

    def __init__(self, envs: list[Opened]) -> None:
        ids = [e.header["id"] for e in envs]
        self.seen = {
            str(m)
            for m in InboxMessage.objects.filter(message_id__in=ids).values_list(
                "message_id", flat=True
            )
        }
        self.log: list[dict[str, Any]] = []
        self.streams: dict[tuple[str, str], InboxStream] = {}
        self.held: set[tuple[str, str]] = set()
        self.dirty: set[tuple[str, str]] = set()
        by_sender: dict[str, set[str]] = {}
        for e in envs:
            by_sender.setdefault(e.header["sender"], set()).add(e.header["stream"])
        for sender, names in by_sender.items():
            found = self._lock(sender, names)
            missing = [InboxStream(sender=sender, stream=n) for n in names - set(found)]
            if missing:
                InboxStream.objects.bulk_create(missing, ignore_conflicts=True)
                found = self._lock(sender, names)
            self.streams.update({(sender, n): r for n, r in found.items()})
            self.held |= {
                (sender, n)
                for n in InboxMessage.objects.filter(
                    sender=sender, stream__in=names, status=InboxStatus.HELD
                ).values_list("stream", flat=True)
            }

    @staticmethod
    def _lock(sender: str, names: set[str]) -> dict[str, InboxStream]:
        rows = InboxStream.objects.select_for_update().filter(sender=sender, stream__in=names)
        return {r.stream: r for r in rows}

    def receive(self, env: Opened) -> Outcome:
        h = env.header
        received = record_of(
            h, direction=LogDirection.RECEIVED, signature=env.signature, kid=env.key.fingerprint
        )

        def refuse(reason: str, status: str = REJECTED) -> Outcome:
            if status == REJECTED:
                logger.warning("federation: rejected %s from %s: %s", h["id"], h["sender"], reason)
            self.log.append({**received, "direction": LogDirection.REJECTED, "reason": reason})
            return Outcome(h["id"], status, reason)

        key = (h["sender"], h["stream"])
        stream = self.streams[key]
        verdict = _precheck(env, self.seen, stream.last_seq)
        if verdict:
            return refuse(verdict[1], verdict[0])
        fields = {
            "message_id": h["id"],
            "type": h["type"],
            "sender": h["sender"],
            "stream": h["stream"],
            "seq": h["seq"],
        }
        if h["seq"] > stream.last_seq + 1:
            InboxMessage.objects.create(
                **fields, status=InboxStatus.HELD, header=h, payload=env.payload
            )
            self.seen.add(h["id"])
            self.held.add(key)
            self.log.append(received)
            return Outcome(h["id"], HELD)
        try:
            with transaction.atomic():
                InboxMessage.objects.create(**fields, applied_at=timezone.now())
                consumers.apply(h["type"], env.payload, env.meta)
        except Exception as exc:  # a consumer failed: roll back, the sender retries
            logger.exception("federation: consumer of %s failed", h["type"])
            self.log.append(
                {**received, "direction": LogDirection.REJECTED, "reason": "consumer_failed"}
            )
            return Outcome(h["id"], FAILED, f"consumer_failed: {type(exc).__name__}")
        self.seen.add(h["id"])
        self.log.append(received)
        stream.last_seq = h["seq"]
        self.dirty.add(key)
        if key in self.held:
            self._save(key)
            inbox_drain(sender=key[0], stream=key[1])
            stream.refresh_from_db(fields=["last_seq"])
            self.dirty.discard(key)
        return Outcome(h["id"], ACCEPTED)

    def fast(self, opened: list[Opened | tuple[Outcome, dict[str, Any]]]) -> list[Outcome] | None:
        """The whole batch in one savepoint; None when it needs the per-envelope path
        (a gap, a stream with held messages, or a consumer that raised)."""
        seen = set(self.seen)
        last = {key: row.last_seq for key, row in self.streams.items()}
        outcomes: list[Outcome] = []
        log: list[dict[str, Any]] = []
        ready: list[Opened] = []
        for item in opened:
            if isinstance(item, tuple):
                outcomes.append(item[0])
                log.append(item[1])
                continue
            h = item.header
            key = (h["sender"], h["stream"])
            rec = record_of(
                h,
                direction=LogDirection.RECEIVED,
                signature=item.signature,
                kid=item.key.fingerprint,
            )
            verdict = _precheck(item, seen, last[key])
            if verdict:
                status, reason = verdict
                if status == REJECTED:
                    logger.warning(
                        "federation: rejected %s from %s: %s", h["id"], h["sender"], reason
                    )
                log.append({**rec, "direction": LogDirection.REJECTED, "reason": reason})
                outcomes.append(Outcome(h["id"], status, reason))
                continue
            if key in self.held or h["seq"] != last[key] + 1:
                return None
            last[key] = h["seq"]
            seen.add(h["id"])
            ready.append(item)
            log.append(rec)
            outcomes.append(Outcome(h["id"], ACCEPTED))
        if ready:
            try:
                with transaction.atomic():
                    for env in ready:
                        consumers.apply(env.header["type"], env.payload, env.meta)
                    at = timezone.now()
                    insert_rows(
                        InboxMessage,
                        _INBOX_COLUMNS,
                        [
                            (
                                uuid.UUID(e.header["id"]),
                                e.header["type"],
                                e.header["sender"],
                                e.header["stream"],
                                e.header["seq"],
                                InboxStatus.APPLIED.value,
                                at,
                                at,
                            )
                            for e in ready
                        ],
                    )
            except Exception:  # a consumer failed (or a concurrent duplicate): one by one
                logger.info("federation: batch of %s applied one by one", len(ready))
                return None
        self.seen = seen
        for key, seq in last.items():
            if seq != self.streams[key].last_seq:
                self.streams[key].last_seq = seq
                self.dirty.add(key)
        self.log.extend(log)
        return outcomes

    def _save(self, key: tuple[str, str]) -> None:
        row = self.streams[key]
        InboxStream.objects.filter(pk=row.pk).update(last_seq=row.last_seq)

    def finish(self) -> None:
        rows = [self.streams[k] for k in self.dirty]
        update_by_pk(InboxStream, "last_seq", [(r.pk, r.last_seq) for r in rows])
        log_append(self.log)


def _precheck(env: Opened, seen: set[str], last_seq: int) -> tuple[str, str] | None:
    """(status, reason) for an envelope that is not to be applied; None otherwise."""
    h = env.header
    if h["id"] in seen:
        return DUPLICATE, "duplicate"
    problem = _schema_problem(h["type"], h["schema"], env.payload)
    if problem is None and h["seq"] < 1:
        problem = "envelope_malformed"
    if problem:
        return REJECTED, problem
    if h["seq"] <= last_seq:
        # Same (stream, seq) under another id: the sender re-wrote a message.
        return DUPLICATE, "seq_already_applied"
    return None


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
