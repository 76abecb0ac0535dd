"""The message log detects edited, deleted and reordered entries; retention keeps the
chain verifiable; export carries the hashes."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tongban.federation.log import log_append, log_export, log_prune, log_verify, record_of
from tongban.federation.models import LogCheckpoint, LogEntry

pytestmark = pytest.mark.django_db


def _fill(n: int = 5) -> list[LogEntry]:
    for i in range(n):
        header = {
            "id": f"m{i}",
            "kind": "message",
            "type": "t",
            "sender": "a",
            "recipient": "b",
            "stream": "s",
            "seq": i + 1,
            "created_at": "x",
            "payload_sm3": "0" * 64,
        }
        log_append([record_of(header, direction="received", signature="sig", kid="k")])
    return list(LogEntry.objects.order_by("pk"))


def _problems() -> set[str]:
    return {reason for _, reason in log_verify().problems}


def test_intact_log_verifies() -> None:
    _fill()
    report = log_verify()
    assert report.ok and report.entries == 5
    call_command("log", "verify", stdout=io.StringIO())


def test_edited_entry_is_detected() -> None:
    e = _fill()[2]
    LogEntry.objects.filter(pk=e.pk).update(recipient="c")
    assert _problems() == {"hash_mismatch"}
    with pytest.raises(CommandError):
        call_command("log", "verify", stdout=io.StringIO())


def test_edited_entry_with_recomputed_hash_breaks_the_chain() -> None:
    from tongban.federation.log import _chain
    from tongban.federation.registry import iso

    entries = _fill()
    e = entries[2]
    e.recipient = "c"
    rec = {
        k: getattr(e, k)
        for k in (
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
    }
    LogEntry.objects.filter(pk=e.pk).update(
        recipient="c", hash=_chain(e.prev_hash, iso(e.logged_at), rec)
    )
    assert "chain_broken" in _problems()


def test_deleted_entry_is_detected() -> None:
    entries = _fill()
    LogEntry.objects.filter(pk=entries[1].pk).delete()
    assert "chain_broken" in _problems()


def test_deleted_last_entry_is_detected() -> None:
    entries = _fill()
    LogEntry.objects.filter(pk=entries[-1].pk).delete()
    assert {"head_mismatch", "count_mismatch"} <= _problems()


def test_reordered_entries_are_detected() -> None:
    entries = _fill()
    a, b = entries[1], entries[3]
    fields = [f.name for f in LogEntry._meta.fields if f.name != "id"]
    va = {f: getattr(a, f) for f in fields}
    vb = {f: getattr(b, f) for f in fields}
    LogEntry.objects.filter(pk=a.pk).update(**vb)
    LogEntry.objects.filter(pk=b.pk).update(**va)
    assert "chain_broken" in _problems()


def test_retention_prunes_old_entries_and_the_rest_still_verifies() -> None:
    entries = _fill(6)
    old = timezone.now() - timedelta(days=400)
    LogEntry.objects.filter(pk__in=[e.pk for e in entries[:4]]).update(logged_at=old)
    # the first four were written "long ago": pruning does not check their hashes again
    assert log_prune(keep=timedelta(days=365)) == 4
    assert LogEntry.objects.count() == 2
    assert LogCheckpoint.objects.get().upto_id == entries[3].pk
    report = log_verify()
    assert report.ok and report.entries == 2
    assert log_prune(keep=timedelta(days=365)) == 0


def test_export_writes_every_entry_with_its_hashes_and_the_head() -> None:
    entries = _fill(3)
    out = io.StringIO()
    assert log_export(out) == 3
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [row["hash"] for row in lines[:3]] == [e.hash for e in entries]
    assert lines[3]["head"]["last_hash"] == entries[-1].hash
    assert lines[3]["head"]["count"] == 3
