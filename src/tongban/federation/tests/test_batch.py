"""Batches signed in one pass (a manifest) and applied in one savepoint: every check
still holds per envelope, and a failing consumer in a batch only fails its own message."""

from __future__ import annotations

import copy
import logging
import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.core import signing
from tongban.federation import sender
from tongban.federation.consumers import consumer
from tongban.federation.envelope import make_header, seal_batch
from tongban.federation.inbox import inbox_receive
from tongban.federation.log import log_verify
from tongban.federation.models import InboxMessage, InboxStream, LogEntry, Probe
from tongban.federation.schemas import message_schema
from tongban.federation.tests.conftest import ALG

pytestmark = pytest.mark.django_db


def _batch(fed, n: int = 3, *, stream: str = "s1", type: str = "cn.tongban.probe", **kw: Any):  # type: ignore[no-untyped-def]
    items = []
    now = timezone.now()
    for i in range(n):
        payload = {"n": i + 1, "regions": ["510400"]}
        h = make_header(
            kind="message",
            type=type,
            sender="a",
            recipient="b",
            payload=payload,
            created_at=now,
            sent_at=now,
            message_id=str(uuid.uuid4()),
            stream=stream,
            seq=i + 1,
        )
        items.append((h, payload))
    signer = signing.load_signer(ALG, fed.a.private_pem)
    return seal_batch(items, signer, sender="a", recipient="b", **kw)


def test_a_batch_signed_in_one_pass_is_applied_in_order_once_and_logged(fed, caplog) -> None:  # type: ignore[no-untyped-def]
    wires, manifest = _batch(fed, 5)
    with caplog.at_level(logging.INFO, logger="tongban.federation"):
        outcomes = inbox_receive(wires, manifest=manifest)
    assert "one by one" not in caplog.text  # the single-savepoint path took it
    assert [o.status for o in outcomes] == ["accepted"] * 5
    assert list(Probe.objects.values_list("seq", flat=True)) == [1, 2, 3, 4, 5]
    assert InboxMessage.objects.count() == 5
    assert InboxStream.objects.get(sender="a", stream="s1").last_seq == 5
    assert LogEntry.objects.filter(direction="received").count() == 5
    again = inbox_receive(wires, manifest=manifest)
    assert [o.status for o in again] == ["duplicate"] * 5
    assert Probe.objects.count() == 5
    assert log_verify().ok


def test_batch_envelopes_without_their_manifest_are_refused(fed) -> None:  # type: ignore[no-untyped-def]
    wires, _ = _batch(fed, 2)
    assert {o.reason for o in inbox_receive(wires)} == {"signature_invalid"}
    assert Probe.objects.count() == 0


def test_a_header_changed_after_batch_signing_is_refused_alone(fed) -> None:  # type: ignore[no-untyped-def]
    wires, manifest = _batch(fed, 3, stream="s9")
    wires[2]["header"]["stream"] = "other"
    outcomes = inbox_receive(wires, manifest=manifest)
    assert [(o.status, o.reason) for o in outcomes] == [
        ("accepted", ""),
        ("accepted", ""),
        ("rejected", "signature_invalid"),
    ]


def test_a_moved_index_or_a_forged_manifest_is_refused(fed) -> None:  # type: ignore[no-untyped-def]
    wires, manifest = _batch(fed, 2)
    swapped = copy.deepcopy(wires)
    swapped[0]["signature"]["batch"] = 1
    assert inbox_receive(swapped[:1], manifest=manifest)[0].reason == "signature_invalid"
    forged = copy.deepcopy(manifest)
    forged["signature"]["value"] = signing.b64(b"\0" * 64)
    for w in wires:
        w["signature"]["value"] = forged["signature"]["value"]
    assert {o.reason for o in inbox_receive(wires, manifest=forged)} == {"signature_invalid"}
    assert Probe.objects.count() == 0


def test_a_manifest_signed_by_another_node_key_is_refused(fed) -> None:  # type: ignore[no-untyped-def]
    other = signing.generate_keypair(ALG)
    wires, manifest = _batch(fed, 1)
    body = manifest["body"]
    value = signing.b64(
        signing.load_signer(ALG, other.private_pem).sign(signing.canonical_json(body))
    )
    manifest["signature"]["value"] = wires[0]["signature"]["value"] = value
    assert inbox_receive(wires, manifest=manifest)[0].reason == "signature_invalid"


def test_a_manifest_for_another_recipient_is_refused(fed) -> None:  # type: ignore[no-untyped-def]
    wires, manifest = _batch(fed, 1)
    manifest["body"]["recipient"] = "c"
    assert inbox_receive(wires, manifest=manifest)[0].reason == "signature_invalid"


FLAKY = "cn.tongban.test.batchflaky"
message_schema(FLAKY, fields={"n": int, "regions": list})


@consumer(FLAKY)
def _flaky(payload: dict[str, Any]) -> None:
    Probe.objects.create(sender="flaky", stream="", seq=0, n=payload["n"])
    if payload["n"] == 2:
        raise RuntimeError("consumer down")


def test_a_failing_consumer_in_a_batch_fails_only_its_message(fed, caplog) -> None:  # type: ignore[no-untyped-def]
    wires = [
        fed.wire(type=FLAKY, stream=f"f{i}", payload={"n": i, "regions": ["510400"]})
        for i in (1, 2, 3)
    ]
    with caplog.at_level(logging.INFO, logger="tongban.federation"):
        outcomes = inbox_receive(wires)
    assert "batch of 3 applied one by one" in caplog.text
    assert [o.status for o in outcomes] == ["accepted", "failed", "accepted"]
    assert sorted(Probe.objects.values_list("n", flat=True)) == [1, 3]
    assert InboxMessage.objects.count() == 2
    assert log_verify().ok


def test_push_sends_one_manifest_the_peer_can_verify(fed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tongban.federation.envelope import Manifest, open_envelope
    from tongban.federation.registry import registry_current
    from tongban.federation.tests.test_outbox import _peer, _write

    posted: list[dict[str, Any]] = []
    _peer(fed, monkeypatch)
    inner = sender.post_json

    def spy(url: str, body: Any, *, timeout: float) -> tuple[int, Any]:
        posted.append(body)
        return inner(url, body, timeout=timeout)

    monkeypatch.setattr(sender, "post_json", spy)
    _write(3)
    assert sender.push("a") == 3
    (body,) = posted
    assert [w["signature"]["batch"] for w in body["envelopes"]] == [0, 1, 2]
    signed = Manifest(body["manifest"])
    for w in body["envelopes"]:
        opened = open_envelope(
            w,
            registry=registry_current(),
            me="a",
            now=timezone.now(),
            window=timedelta(minutes=5),
            manifest=signed,
        )
        assert opened.header["sender"] == "b"


def test_two_lanes_split_by_stream_are_posted_concurrently_and_fail_separately(
    fed, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from tongban.federation.models import OutboxMessage, OutboxStatus
    from tongban.federation.tests.test_outbox import _peer, _write
    from tongban.federation.transport import TransportError

    _peer(fed, monkeypatch)
    inner = sender.post_json
    posted: list[dict[str, Any]] = []
    down: set[str] = set()

    both = threading.Barrier(2, timeout=10)  # breaks unless both POSTs are in flight

    def spy(url: str, body: Any, *, timeout: float) -> tuple[int, Any]:
        posted.append(body)
        both.wait()
        if {w["header"]["stream"] for w in body["envelopes"]} & down:
            raise TransportError("lane down")
        return inner(url, body, timeout=timeout)

    monkeypatch.setattr(sender, "post_json", spy)
    for k in range(6):
        _write(2, stream=f"st{k}")
    lanes = sender.lanes_of(list(OutboxMessage.objects.order_by("id")), 2, 200)
    assert len(lanes) == 2
    down = {r.stream for r in lanes[1][0]}
    assert sender.push_batch("a") == (12, 12 - sum(len(c) for c in lanes[1]))
    assert len(posted) == 2
    streams = [{w["header"]["stream"] for w in b["envelopes"]} for b in posted]
    assert not streams[0] & streams[1]  # a stream travels in one lane only
    for b in posted:
        seqs: dict[str, list[int]] = {}
        for w in b["envelopes"]:
            seqs.setdefault(w["header"]["stream"], []).append(w["header"]["seq"])
        assert all(v == sorted(v) for v in seqs.values())
    failed = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    assert {m.stream for m in failed} == down
    assert all("lane down" in m.last_error and m.attempts == 1 for m in failed)
