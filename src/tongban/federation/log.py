"""The message log: every envelope sent, received or rejected, append-only and
hash-chained, so a supervisor can prove months later who sent what to whom and when.

``hash = SM3(prev_hash || canonical_json(record))`` where the record is every column but
the two hashes. ``LogHead`` (one row) holds the last id and hash and the number of entries
ever appended; appending locks it, so entries chain in commit order. ``log_verify``
recomputes the chain from the latest ``LogCheckpoint`` (or the genesis hash): an edited
entry breaks its own hash, a deleted or reordered one breaks the next ``prev_hash``, and
entries cut off the end no longer match the head. Retention (``log_prune``) deletes
entries older than the retention period and records a checkpoint with the last deleted
entry's hash, so what remains still verifies. ``log_export`` writes JSON lines for audit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from tongban import config
from tongban.core import signing
from tongban.federation.models import LogCheckpoint, LogEntry, LogHead
from tongban.federation.registry import iso
from tongban.federation.sql import execute, insert_rows, max_pk, table

GENESIS = "0" * 64
_FIELDS = (
    "direction",
    "message_id",
    "kind",
    "type",
    "sender",
    "recipient",
    "stream",
    "seq",
    "created_at",
    "payload_sm3",
    "signature",
    "key_fingerprint",
    "reason",
)


_COLUMNS = ("logged_at", *_FIELDS, "prev_hash", "hash")


def record_of(
    header: dict[str, Any], *, direction: str, signature: str = "", kid: str = "", reason: str = ""
) -> dict[str, Any]:
    """The loggable fields of an envelope header (tolerates a malformed one)."""

    def s(name: str, limit: int = 64) -> str:
        value = header.get(name)
        return str(value)[:limit] if value is not None else ""

    seq = header.get("seq")
    return {
        "direction": direction,
        "message_id": s("id"),
        "kind": s("kind", 12),
        "type": s("type", 80),
        "sender": s("sender"),
        "recipient": s("recipient"),
        "stream": s("stream"),
        "seq": seq if isinstance(seq, int) and not isinstance(seq, bool) and seq >= 0 else 0,
        "created_at": s("created_at", 40),
        "payload_sm3": s("payload_sm3"),
        "signature": signature[:400],
        "key_fingerprint": kid[:32],
        "reason": reason[:48],
    }


def _chain(prev: str, logged_at: str, record: dict[str, Any]) -> str:
    body = {"logged_at": logged_at, **{k: record[k] for k in _FIELDS}}
    return signing.sm3_hex(prev.encode("ascii") + signing.canonical_json(body))


def _head() -> LogHead:
    head = LogHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        try:
            with transaction.atomic():
                head = LogHead.objects.create(pk=1, last_id=0, last_hash=GENESIS, count=0)
        except IntegrityError:
            head = LogHead.objects.select_for_update().get(pk=1)
    return head


def _head_locked() -> tuple[str, int]:
    """(last hash, count) of the head row, locked (on SQLite the write transaction is
    the lock)."""
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    rows = execute(f"SELECT last_hash, count FROM {table(LogHead)} WHERE id = 1{lock}")
    if not rows:
        head = _head()
        return head.last_hash, head.count
    return str(rows[0][0]), int(rows[0][1])


def log_append(records: Iterable[dict[str, Any]]) -> int:
    """Append records (from ``record_of``) in the caller's transaction (or a new one)."""
    records = list(records)
    if not records:
        return 0
    with transaction.atomic():
        last_hash, count = _head_locked()  # row lock: appenders chain one after another
        now = timezone.now()
        stamp = iso(now)
        prev = last_hash
        rows = []
        for rec in records:
            h = _chain(prev, stamp, rec)
            rows.append((now, *(rec[k] for k in _FIELDS), prev, h))
            prev = h
        # Plain SQL built once: the ORM's per-statement compilation (and bulk_create's per
        # value) had been most of a log append's cost. Ids come from the sequence; under
        # the head lock no one else appends, so the largest id is our last row.
        insert_rows(LogEntry, _COLUMNS, rows)
        execute(
            f"UPDATE {table(LogHead)} SET last_id = %s, last_hash = %s, count = %s WHERE id = 1",
            [max_pk(LogEntry), prev, count + len(rows)],
        )
    return len(rows)


@dataclass
class LogReport:
    entries: int = 0
    problems: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def log_verify() -> LogReport:
    """Recompute the chain. Problems are (entry id, reason): ``hash_mismatch`` (entry
    edited), ``chain_broken`` (an entry before it deleted, inserted or moved),
    ``head_mismatch`` / ``count_mismatch`` (entries cut off the end or added behind the
    log's back)."""
    report = LogReport()
    checkpoint = LogCheckpoint.objects.order_by("-upto_id").first()
    prev = checkpoint.upto_hash if checkpoint else GENESIS
    start = checkpoint.upto_id if checkpoint else 0
    pruned = sum(LogCheckpoint.objects.values_list("pruned", flat=True))
    last_id = start
    for entry in LogEntry.objects.filter(pk__gt=start).order_by("pk").iterator(chunk_size=2000):
        rec = {k: getattr(entry, k) for k in _FIELDS}
        if entry.prev_hash != prev:
            report.problems.append((entry.pk, "chain_broken"))
        expected = _chain(entry.prev_hash, iso(entry.logged_at), rec)
        if expected != entry.hash:
            report.problems.append((entry.pk, "hash_mismatch"))
        prev = entry.hash
        last_id = entry.pk
        report.entries += 1
    head = LogHead.objects.filter(pk=1).first()
    if head is not None:
        if head.last_hash != prev or head.last_id != last_id:
            report.problems.append((head.last_id, "head_mismatch"))
        if head.count != report.entries + pruned:
            report.problems.append((head.last_id, "count_mismatch"))
    elif report.entries:
        report.problems.append((last_id, "head_mismatch"))
    return report


def log_prune(*, now: datetime | None = None, keep: timedelta | None = None) -> int:
    """Delete entries older than the retention period, leaving a checkpoint."""
    keep = keep or timedelta(days=config.CONFIG.log_retention_days)
    cutoff = (now or timezone.now()) - keep
    with transaction.atomic():
        _head()  # no appends meanwhile
        last = LogEntry.objects.filter(logged_at__lt=cutoff).order_by("-pk").first()
        if last is None:
            return 0
        n = LogEntry.objects.filter(pk__lte=last.pk).count()
        LogCheckpoint.objects.create(upto_id=last.pk, upto_hash=last.hash, pruned=n)
        LogEntry.objects.filter(pk__lte=last.pk).delete()
    return n


def _export_rows(since: datetime | None, until: datetime | None) -> Iterator[dict[str, Any]]:
    qs = LogEntry.objects.order_by("pk")
    if since:
        qs = qs.filter(logged_at__gte=since)
    if until:
        qs = qs.filter(logged_at__lt=until)
    for e in qs.iterator(chunk_size=2000):
        yield {
            "id": e.pk,
            "logged_at": iso(e.logged_at),
            **{k: getattr(e, k) for k in _FIELDS},
            "prev_hash": e.prev_hash,
            "hash": e.hash,
        }


def log_export(
    out: IO[str], *, since: datetime | None = None, until: datetime | None = None
) -> int:
    """JSON lines: each entry with its hashes (an auditor can recompute the chain), then
    one line with the head."""
    n = 0
    for row in _export_rows(since, until):
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    head = LogHead.objects.filter(pk=1).first()
    out.write(
        json.dumps(
            {"head": {"last_id": head.last_id, "last_hash": head.last_hash, "count": head.count}}
            if head
            else {"head": None}
        )
        + "\n"
    )
    return n
