"""Receiving envelopes: every rejection has its reason code and is logged; duplicates are
acknowledged and ignored; a stream applies in sequence order."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tongban.core import signing
from tongban.federation.ack import ack_open
from tongban.federation.consumers import consumer
from tongban.federation.errors import FederationUnavailable
from tongban.federation.inbox import inbox_receive
from tongban.federation.log import log_verify
from tongban.federation.models import InboxMessage, InboxStatus, LogEntry, Probe
from tongban.federation.registry import registry_current
from tongban.federation.schemas import message_schema
from tongban.federation.tests.conftest import ALG, key_entry

pytestmark = pytest.mark.django_db


def _one(wire: dict[str, Any]) -> tuple[str, str]:
    (out,) = inbox_receive([wire])
    return out.status, out.reason


def _rejected(fed, wire: dict[str, Any], reason: str) -> None:  # type: ignore[no-untyped-def]
    assert _one(wire) == ("rejected", reason)
    assert Probe.objects.count() == 0
    entry = LogEntry.objects.filter(direction="rejected").last()
    assert entry is not None and entry.reason == reason


def test_probe_is_applied_once_and_a_replayed_id_is_acknowledged_not_applied(fed) -> None:  # type: ignore[no-untyped-def]
    wire = fed.wire()
    assert _one(wire) == ("accepted", "")
    assert list(Probe.objects.values_list("sender", "stream", "seq", "n")) == [("a", "s1", 1, 1)]
    assert _one(wire) == ("duplicate", "duplicate")
    assert Probe.objects.count() == 1
    assert list(LogEntry.objects.values_list("direction", "reason")) == [
        ("received", ""),
        ("rejected", "duplicate"),
    ]
    assert log_verify().ok


def test_unknown_sender(fed) -> None:  # type: ignore[no-untyped-def]
    _rejected(fed, fed.wire(sender="z"), "sender_unknown")


def test_recipient_mismatch(fed) -> None:  # type: ignore[no-untyped-def]
    _rejected(fed, fed.wire(recipient="c"), "recipient_mismatch")


def test_bad_signature(fed) -> None:  # type: ignore[no-untyped-def]
    wire = fed.wire()
    wire["header"]["stream"] = "other"  # changed after signing
    _rejected(fed, wire, "signature_invalid")
    wire = fed.wire()
    wire["signature"]["value"] = "not base64!"
    _rejected(fed, wire, "signature_invalid")


def test_payload_changed_after_signing(fed) -> None:  # type: ignore[no-untyped-def]
    wire = fed.wire()
    wire["payload"]["n"] = 99
    _rejected(fed, wire, "payload_digest_mismatch")


def test_key_not_registered_for_the_sender(fed) -> None:  # type: ignore[no-untyped-def]
    intruder = signing.generate_keypair(ALG)
    _rejected(fed, fed.wire(signer=signing.load_signer(ALG, intruder.private_pem)), "key_unknown")


def test_expired_key_and_expired_registry_entry(fed) -> None:  # type: ignore[no-untyped-def]
    spare = signing.generate_keypair(ALG)
    entry = {
        **fed.a_entry,
        "keys": [key_entry(fed.a, start_days=-10, days=-1), key_entry(spare)],
    }
    fed.publish(a_entry=entry)
    _rejected(fed, fed.wire(), "key_expired")
    now = timezone.now()
    entry = {**fed.a_entry, "not_after": (now - timedelta(hours=1)).isoformat()}
    fed.publish(a_entry=entry)
    _rejected(fed, fed.wire(), "sender_expired")


def test_expired_registry_refuses_the_whole_batch(fed, client) -> None:  # type: ignore[no-untyped-def]
    fed.publish(valid_for=timedelta(seconds=-1))
    with pytest.raises(FederationUnavailable) as err:
        inbox_receive([fed.wire()])
    assert err.value.code == "registry_expired"
    resp = client.post(
        "/federation/inbox",
        json.dumps({"envelopes": [fed.wire()]}),
        content_type="application/json",
    )
    assert resp.status_code == 503 and resp.json()["code"] == "registry_expired"


def test_stale_or_future_timestamp_is_a_replay(fed) -> None:  # type: ignore[no-untyped-def]
    old = timezone.now() - timedelta(minutes=10)
    _rejected(fed, fed.wire(sent_at=old), "timestamp_outside_window")
    future = timezone.now() + timedelta(minutes=10)
    _rejected(fed, fed.wire(sent_at=future), "timestamp_outside_window")


def test_region_not_served_by_the_sender(fed) -> None:  # type: ignore[no-untyped-def]
    # 攀枝花's node speaking for 长治
    _rejected(fed, fed.wire(payload={"n": 1, "regions": ["140400"]}), "region_not_served")
    # header and payload disagree about the regions
    wire = fed.wire()
    wire["payload"]["regions"] = ["140400"]
    wire["header"]["payload_sm3"] = signing.sm3_hex(signing.canonical_json(wire["payload"]))
    wire["header"]["regions"] = ["510400"]
    signer = signing.load_signer(ALG, fed.a.private_pem)
    wire["signature"]["value"] = signing.b64(signer.sign(signing.canonical_json(wire["header"])))
    _rejected(fed, wire, "region_not_served")
    _rejected(fed, fed.wire(payload={"n": 1}), "regions_missing")


def test_malformed_unknown_type_and_schema(fed) -> None:  # type: ignore[no-untyped-def]
    _rejected(fed, {"header": {"id": "x"}, "payload": {}, "signature": {}}, "envelope_malformed")
    _rejected(fed, fed.wire(seq="1"), "envelope_malformed")
    _rejected(fed, fed.wire(type="cn.tongban.nothing"), "type_unknown")
    _rejected(fed, fed.wire(payload={"n": "one", "regions": ["510400"]}), "schema_invalid")
    _rejected(fed, fed.wire(schema=9), "schema_version_unsupported")


def test_a_gap_holds_later_messages_until_it_is_filled(fed) -> None:  # type: ignore[no-untyped-def]
    w1, w2, w3 = (fed.wire(seq=i) for i in (1, 2, 3))
    assert [o.status for o in inbox_receive([w3, w2])] == ["held", "held"]
    assert Probe.objects.count() == 0
    assert InboxMessage.objects.filter(status=InboxStatus.HELD).count() == 2
    assert _one(w1) == ("accepted", "")
    assert list(Probe.objects.values_list("seq", flat=True)) == [1, 2, 3]
    assert not InboxMessage.objects.filter(status=InboxStatus.HELD).exists()
    assert _one(w2) == ("duplicate", "duplicate")
    # another stream is independent
    assert _one(fed.wire(seq=1, stream="s2")) == ("accepted", "")


FLAKY = "cn.tongban.test.flaky"
_fail = {"on": True}
message_schema(FLAKY, fields={"regions": list})


@consumer(FLAKY)
def _flaky(payload: dict[str, Any]) -> None:
    Probe.objects.create(sender="flaky", stream="", seq=0, n=0)
    if _fail["on"]:
        raise RuntimeError("consumer down")


def test_failing_consumer_rolls_back_and_the_retry_applies(fed) -> None:  # type: ignore[no-untyped-def]
    wire = fed.wire(type=FLAKY, payload={"regions": ["510400"]})
    _fail["on"] = True
    status, reason = _one(wire)
    assert status == "failed" and reason.startswith("consumer_failed")
    assert not Probe.objects.exists() and not InboxMessage.objects.exists()
    _fail["on"] = False
    assert _one(wire) == ("accepted", "")
    assert Probe.objects.count() == 1


def test_inbox_endpoint_answers_with_a_signed_acknowledgement(fed, client) -> None:  # type: ignore[no-untyped-def]
    wires = [fed.wire(seq=1), fed.wire(seq=2, recipient="c")]
    resp = client.post(
        "/federation/inbox", json.dumps({"envelopes": wires}), content_type="application/json"
    )
    assert resp.status_code == 200
    results = ack_open(
        resp.json(),
        peer="b",
        me="a",
        registry=registry_current(),
        now=timezone.now(),
        window=timedelta(minutes=5),
    )
    assert results == [
        {"id": wires[0]["header"]["id"], "status": "accepted"},
        {"id": wires[1]["header"]["id"], "status": "rejected", "reason": "recipient_mismatch"},
    ]
    forged = resp.json()
    forged["ack"]["results"][1]["status"] = "accepted"
    assert (
        ack_open(
            forged,
            peer="b",
            me="a",
            registry=registry_current(),
            now=timezone.now(),
            window=timedelta(minutes=5),
        )
        is None
    )
    bad = client.post("/federation/inbox", "nonsense", content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "envelope_malformed"


def test_single_node_has_no_inbox(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/federation/inbox", "{}", content_type="application/json")
    assert resp.status_code == 404 and resp.json()["code"] == "node_not_configured"
