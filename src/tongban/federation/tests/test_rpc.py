"""Signed request/response: the answering side (this node) and the calling side."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import timezone

from tongban.core import signing
from tongban.core.errors import ValidationFailed
from tongban.federation import rpc
from tongban.federation.envelope import make_header, seal
from tongban.federation.errors import FederationUnavailable, PeerError
from tongban.federation.models import LogEntry
from tongban.federation.registry import registry_current
from tongban.federation.tests.conftest import ALG
from tongban.federation.transport import TransportError

pytestmark = pytest.mark.django_db

ASK = "cn.tongban.test.ask"


@rpc.query_handler(ASK)
def _ask(payload: dict[str, Any], requester_node: str) -> dict[str, Any]:
    if payload.get("bad"):
        raise ValidationFailed("invalid_input")
    return {"answer": payload["q"] * 2, "asked_by": requester_node}


def _request(fed, payload: dict[str, Any]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return fed.wire(kind="request", type=ASK, payload=payload, seq=0, stream="")


def test_answer_is_a_signed_response_to_the_request(fed, client) -> None:  # type: ignore[no-untyped-def]
    req = _request(fed, {"q": 21})
    resp = client.post("/federation/rpc", json.dumps(req), content_type="application/json")
    assert resp.status_code == 200
    answer = resp.json()
    # the requester "a" verifies it with b's registered key
    h = answer["header"]
    assert (h["kind"], h["sender"], h["recipient"], h["reply_to"]) == (
        "response",
        "b",
        "a",
        req["header"]["id"],
    )
    key = registry_current().nodes["b"].keys[0]
    assert signing.verify(
        key.alg,
        key.public_pem,
        signing.canonical_json(h),
        signing.unb64(answer["signature"]["value"]),
    )
    assert answer["payload"] == {"result": {"answer": 42, "asked_by": "a"}}
    assert list(LogEntry.objects.values_list("direction", "kind")) == [
        ("received", "request"),
        ("sent", "response"),
    ]
    again = client.post("/federation/rpc", json.dumps(req), content_type="application/json")
    assert again.status_code == 403 and again.json()["code"] == "duplicate"


def test_handler_error_travels_back_signed_and_forgery_is_rejected(fed, client) -> None:  # type: ignore[no-untyped-def]
    status, answer = rpc.rpc_answer(_request(fed, {"q": 1, "bad": True}))
    assert status == 200 and answer["payload"]["error"]["code"] == "invalid_input"
    forged = _request(fed, {"q": 1})
    forged["payload"]["q"] = 5
    status, body = rpc.rpc_answer(forged)
    assert (status, body) == (403, {"code": "payload_digest_mismatch"})
    status, body = rpc.rpc_answer(_request(fed, {"q": 1}) | {"header": {"kind": "message"}})
    assert status == 403 and body["code"] == "envelope_malformed"


def _peer_answer(fed, req: dict[str, Any], body: dict[str, Any], **over: Any) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    now = timezone.now()
    h = make_header(
        kind="response",
        type=req["header"]["type"],
        sender="a",
        recipient="b",
        payload=body,
        created_at=now,
        sent_at=now,
        reply_to=req["header"]["id"],
    )
    h.update(over)
    return seal(h, body, signing.load_signer(ALG, fed.a.private_pem))


def test_call_returns_the_verified_result(fed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def post(url: str, req: Any, *, timeout: float) -> tuple[int, Any]:
        assert url == "http://a.test/federation/rpc"
        assert req["header"]["kind"] == "request" and req["header"]["sender"] == "b"
        return 200, _peer_answer(fed, req, {"result": {"ok": True}})

    monkeypatch.setattr(rpc, "post_json", post)
    assert rpc.call("a", ASK, {"q": 1}) == {"ok": True}
    assert list(LogEntry.objects.values_list("direction", flat=True)) == ["sent", "received"]


def test_call_refuses_forged_or_mismatched_answers(fed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    answers: list[Any] = []
    monkeypatch.setattr(rpc, "post_json", lambda url, req, timeout: answers.pop(0)(req))
    answers.append(lambda req: (200, _peer_answer(fed, req, {"result": {}}, reply_to="other")))
    with pytest.raises(PeerError) as err:
        rpc.call("a", ASK, {"q": 1})
    assert err.value.code == "peer_answer_invalid"

    def tampered(req: Any) -> tuple[int, Any]:
        ans = _peer_answer(fed, req, {"result": {"ok": True}})
        ans["payload"]["result"]["ok"] = False
        return 200, ans

    answers.append(tampered)
    with pytest.raises(PeerError) as err:
        rpc.call("a", ASK, {"q": 1})
    assert err.value.code == "peer_answer_invalid"
    answers.append(
        lambda req: (200, _peer_answer(fed, req, {"error": {"code": "consent_missing"}}))
    )
    with pytest.raises(PeerError) as err:
        rpc.call("a", ASK, {"q": 1})
    assert err.value.code == "consent_missing"
    answers.append(lambda req: (403, {"code": "signature_invalid"}))
    with pytest.raises(PeerError) as err:
        rpc.call("a", ASK, {"q": 1})
    assert err.value.code == "peer_rejected"


def test_call_to_unknown_or_unreachable_peer(fed, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FederationUnavailable) as err:
        rpc.call("nobody", ASK, {"q": 1})
    assert err.value.code == "peer_unknown"

    def down(url: str, req: Any, *, timeout: float) -> tuple[int, Any]:
        raise TransportError("refused")

    monkeypatch.setattr(rpc, "post_json", down)
    with pytest.raises(FederationUnavailable) as err:
        rpc.call("a", ASK, {"q": 1})
    assert err.value.code == "peer_unreachable"


def test_single_node_call_runs_the_handler_locally() -> None:
    assert rpc.call("anyone", ASK, {"q": 2}) == {"answer": 4, "asked_by": ""}
