"""Another node's licence on a federated node: the status of its PDF asked of the issuing
node (signed RPC ``licence.status``), an unreachable source told apart from "none found",
and the case number stamped on the use log once the draft is submitted.

Node "b" is this process (长治); node "a" (攀枝花) is a peer whose key the test holds: its
answers are real signed response envelopes, checked by ``rpc.call`` against the registry.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tongban.core import signing
from tongban.core.errors import PermissionDenied
from tongban.core.ids import licence_id_make, make_id_number, make_uscc
from tongban.federation import rpc
from tongban.federation.context import EnvelopeMeta
from tongban.federation.envelope import make_header, seal
from tongban.federation.models import OutboxMessage
from tongban.federation.outbox import inbox_accept
from tongban.federation.tests.conftest import ALG, Fed
from tongban.federation.transport import TransportError
from tongban.licences import remote_uses
from tongban.licences.exemption import licence_offers
from tongban.licences.models import LicenceUse
from tongban.licences.pdf import render_pdf
from tongban.licences.remote_status import (
    STATUS_QUERY,
    licence_verify_anywhere,
    payload_digest,
    remote_status,
)
from tongban.licences.signature import build_payload
from tongban.licences.testing import HOLDER, ID_CARD, build_licence_world
from tongban.licences.verify import licence_verify, licence_verify_pdf

pytestmark = pytest.mark.django_db


def _a_payload(fed: Fed, *, holder: str = HOLDER) -> dict[str, Any]:
    issuer = make_uscc("11510400MB0000003")
    return build_payload(
        identifier=licence_id_make(ID_CARD, issuer, "00000042", 1),
        type_code=ID_CARD,
        type_name="居民身份证",
        number="510402198509220246",
        issuer_code=issuer,
        issuer_name="攀枝花市公安局",
        issuer_node="a",
        fingerprint=fed.a.fingerprint,
        algorithm=ALG,
        region_code="510400",
        holder_name="李秀英",
        holder_code_type="111",
        holder_code=holder,
        issue_date=date(2018, 6, 1),
        valid_from=date(2018, 6, 1),
        valid_to=date(2038, 6, 1),
        fields={},
        predecessor="",
    )


def _a_pdf(fed: Fed, payload: dict[str, Any]) -> bytes:
    signer = signing.load_signer(ALG, fed.a.private_pem)
    return render_pdf(payload, signing.b64(signer.sign(signing.canonical_json(payload))), [])


def _peer_a(fed: Fed, monkeypatch: pytest.MonkeyPatch, answer: Any) -> list[dict[str, Any]]:
    """Node a answers every RPC with ``answer(payload)`` (a result dict), or is down when
    ``answer`` is None; returns the requests it saw."""
    seen: list[dict[str, Any]] = []

    def post_json(url: str, wire: dict[str, Any], *, timeout: float) -> tuple[int, Any]:
        if answer is None:
            raise TransportError("connection refused")
        assert url == "http://a.test/federation/rpc"
        seen.append(wire)
        body = {"result": answer(wire["payload"])}
        now = timezone.now()
        header = make_header(
            kind="response",
            type=wire["header"]["type"],
            sender="a",
            recipient="b",
            payload=body,
            created_at=now,
            sent_at=now,
            reply_to=wire["header"]["id"],
            message_id=str(uuid.uuid4()),
        )
        return 200, seal(header, body, signing.load_signer(ALG, fed.a.private_pem))

    monkeypatch.setattr(rpc, "post_json", post_json)
    return seen


def _status_answer(payload: dict[str, Any], outcome: str, reason: str) -> Any:
    def answer(request: dict[str, Any]) -> dict[str, Any]:
        return {
            "identifier": request["identifier"],
            "outcome": outcome,
            "reason": reason,
            "node": "a",
            "digest": payload_digest(payload),
        }

    return answer


def test_pdf_of_another_node_gets_its_status_from_the_issuing_node(
    fed: Fed, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = _a_payload(fed)
    pdf = _a_pdf(fed, payload)
    seen = _peer_a(fed, monkeypatch, _status_answer(payload, "suspended", "证件挂失，暂扣"))
    v = licence_verify_pdf(pdf)
    assert v.outcome == "suspended"
    assert "证件挂失，暂扣" in v.reason and "攀枝花" in v.reason
    assert [w["header"]["type"] for w in seen] == [STATUS_QUERY]
    assert seen[0]["payload"] == {"identifier": payload["identifier"]}

    _peer_a(fed, monkeypatch, _status_answer(payload, "valid", "签名有效，证照状态有效"))
    assert licence_verify_pdf(pdf).outcome == "valid"
    _peer_a(fed, monkeypatch, _status_answer(payload, "revoked", "虚假材料"))
    assert licence_verify_pdf(pdf).outcome == "revoked"


def test_peer_down_leaves_the_status_unknown_with_the_reason(
    fed: Fed, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = _a_payload(fed)
    _peer_a(fed, monkeypatch, None)
    v = licence_verify_pdf(_a_pdf(fed, payload))
    assert v.outcome == "status_unknown"
    assert "暂时无法向签发节点“攀枝花”查询证照状态" in v.reason


def test_answers_that_do_not_fit_are_not_believed(
    fed: Fed, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = _a_payload(fed)
    ident = payload["identifier"]
    other = {**payload, "holder_name": "王五"}  # the issuer holds different data
    _peer_a(fed, monkeypatch, _status_answer(other, "valid", "有效"))
    assert remote_status(ident, payload).outcome == "tampered"
    _peer_a(
        fed,
        monkeypatch,
        lambda r: {"identifier": r["identifier"], "outcome": "great", "node": "a"},
    )
    assert remote_status(ident, payload).outcome == "status_unknown"
    _peer_a(
        fed,
        monkeypatch,
        lambda r: {"identifier": r["identifier"], "outcome": "not_found", "node": "a"},
    )
    v = remote_status(ident, payload)
    assert v.outcome == "not_found" and "攀枝花" in v.reason


def test_the_status_query_is_answered_from_this_nodes_licences(fed: Fed) -> None:
    w = build_licence_world()
    # rpc.call to this node runs the registered handler.
    answer = rpc.call("b", STATUS_QUERY, {"identifier": w.id_card.identifier})
    assert answer["outcome"] == "valid" and answer["node"] == "b"
    assert answer["digest"] == payload_digest(w.id_card.payload)


def test_an_unreachable_node_is_told_apart_from_no_licence(
    fed: Fed, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = build_licence_world()
    version = w.impl.current_version
    assert version is not None
    stranger = make_id_number("51040219850922024")
    _peer_a(fed, monkeypatch, None)
    offers = list(licence_offers(version=version, holder_code=stranger).values())
    assert len(offers) == 1 and offers[0].licence is None
    assert offers[0].unreachable == ("攀枝花",)
    assert "暂时无法连接攀枝花" in offers[0].message and "请上传材料" in offers[0].message
    # Peer up, holding nothing: the plain message.
    _peer_a(fed, monkeypatch, answer_find_none)
    offers = list(licence_offers(version=version, holder_code=stranger).values())
    assert offers[0].unreachable == () and "未查询到" in offers[0].message
    # This node's own licence is still offered while the peer is down.
    _peer_a(fed, monkeypatch, None)
    mine = list(licence_offers(version=version, holder_code=HOLDER).values())
    assert mine[0].licence is not None and mine[0].licence.identifier == w.id_card.identifier


def answer_find_none(request: dict[str, Any]) -> dict[str, Any]:
    """Node a's signed licence answer "nothing found" (its key signs the body)."""
    body = {"request": request, "ok": True, "licence": None, "error": None}
    signer = signing.load_signer(ALG, FED_A_KEY[0])
    return {
        "node": "a",
        "alg": ALG,
        "key": signing.key_fingerprint(signer.public_pem),
        "body": body,
        "signature": signing.b64(signer.sign(signing.canonical_json(body))),
    }


FED_A_KEY: list[str] = []


@pytest.fixture(autouse=True)
def _remember_a(fed: Fed) -> None:
    FED_A_KEY[:] = [fed.a.private_pem]


def test_remote_uses_on_submission(fed: Fed) -> None:
    from tongban.cases.services import (
        ApplicantInput,
        IntakeInput,
        case_create_draft,
        case_transition,
    )
    from tongban.core.actors import SYSTEM
    from tongban.licences.exemption import case_materials_exempt

    w = build_licence_world()
    case = case_create_draft(
        actor=SYSTEM,
        implementation=w.impl,
        intake=IntakeInput(
            applicant=ApplicantInput("person", "张三", HOLDER, "13900000009"),
            channel="pc",
            idempotency_key="remote-uses-1",
        ),
        today=date(2026, 3, 2),
    )
    rid = next(m.requirement_id for m in case.materials.all() if m.name == "居民身份证")
    case_materials_exempt(actor=SYSTEM, case=case, consents={rid: w.id_card.identifier})
    use = LicenceUse.objects.get()
    assert use.case_ref == remote_uses.draft_ref(case)
    # Pretend the licence was node a's: the exemption event names the issuer node.
    ev = case.events.get(action=remote_uses.EXEMPT_ACTION)
    ev.data = {**ev.data, "issuer_node": "a"}
    ev.save(update_fields=["data"])
    case.materials.filter(status="missing").update(status="provided")
    case = case_transition(actor=SYSTEM, case=case, to="submitted", today=date(2026, 3, 2))
    assert case.case_number
    use.refresh_from_db()
    assert use.case_ref == case.case_number  # this node's use log
    msg = OutboxMessage.objects.get(type=remote_uses.USE_NUMBERED)
    assert msg.recipient_node == "a"
    assert msg.payload["draft_ref"] == remote_uses.draft_ref(case)
    assert msg.payload["case_number"] == case.case_number
    assert msg.payload["identifiers"] == [w.id_card.identifier]
    assert msg.payload["regions"] == ["140400"]


def _meta(sender: str) -> EnvelopeMeta:
    return EnvelopeMeta(
        message_id=str(uuid.uuid4()),
        type=remote_uses.USE_NUMBERED,
        sender=sender,
        recipient="b",
        stream="licence-uses:7",
        seq=1,
        created_at=timezone.now().isoformat(),
    )


def test_the_issuing_node_numbers_only_the_senders_uses(fed: Fed) -> None:
    w = build_licence_world()
    ident = w.id_card.identifier

    def use(node: str) -> LicenceUse:
        return LicenceUse.objects.create(
            licence=w.id_card,
            licence_identifier=ident,
            holder_code=HOLDER,
            case_ref="草稿#7",
            requester_node=node,
            purpose="办理测试事项",
            consented=True,
            at=timezone.now(),
        )

    from_a, from_c = use("a"), use("c")
    payload = {
        "draft_ref": "草稿#7",
        "case_number": "N" * 43,
        "identifiers": [ident],
        "regions": ["510400"],
    }
    assert inbox_accept(
        message_id=str(uuid.uuid4()),
        type=remote_uses.USE_NUMBERED,
        stream="licence-uses:7",
        seq=1,
        payload=payload,
        meta=_meta("a"),
    )
    from_a.refresh_from_db()
    from_c.refresh_from_db()
    assert (from_a.case_ref, from_c.case_ref) == ("N" * 43, "草稿#7")
    with pytest.raises(PermissionDenied):
        remote_uses.use_numbered(payload)  # not from another node: refused


def _signed_answer(fed: Fed, payload: dict[str, Any], outcome: str, *, forge: bool = False) -> Any:
    data = signing.canonical_json(payload)
    signer = signing.load_signer(ALG, fed.a.private_pem)
    signature = signing.b64(signer.sign(data + (b" " if forge else b"")))

    def answer(request: dict[str, Any]) -> dict[str, Any]:
        return {
            "identifier": request["identifier"],
            "outcome": outcome,
            "reason": "证照状态为已撤销" if outcome == "revoked" else "签名有效，证照状态有效",
            "node": "a",
            "digest": payload_digest(payload),
            "signed_data": data.decode("utf-8"),
            "signature": signature,
        }

    return answer


def test_identifier_of_another_nodes_licence_is_asked_of_that_node(
    fed: Fed, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = _a_payload(fed)
    ident = payload["identifier"]
    assert licence_verify(ident).outcome == "not_found"  # the local check alone
    seen = _peer_a(fed, monkeypatch, _signed_answer(fed, payload, "revoked"))
    v = licence_verify_anywhere(ident)
    assert v.outcome == "revoked" and "攀枝花" in v.reason
    assert v.payload is not None and v.payload["holder_name"] == "李秀英"
    assert [w["header"]["recipient"] for w in seen] == ["a"]

    _peer_a(fed, monkeypatch, _signed_answer(fed, payload, "valid", forge=True))
    v = licence_verify_anywhere(ident)
    assert v.outcome == "status_unknown" and "无法核实签名" in v.reason

    _peer_a(fed, monkeypatch, None)
    v = licence_verify_anywhere(ident)
    assert v.outcome == "status_unknown" and "暂时无法连接攀枝花" in v.reason

    _peer_a(
        fed,
        monkeypatch,
        lambda r: {"identifier": r["identifier"], "outcome": "not_found", "node": "a"},
    )
    assert licence_verify_anywhere(ident).outcome == "not_found"


def test_the_api_answers_with_the_issuing_nodes_status(
    fed: Fed, monkeypatch: pytest.MonkeyPatch, client: Any
) -> None:
    payload = _a_payload(fed)
    ident = payload["identifier"]
    _peer_a(fed, monkeypatch, _signed_answer(fed, payload, "revoked"))
    body = client.get("/api/v1/licences/verify", {"id": ident}).json()
    assert body["outcome"] == "revoked" and "攀枝花" in body["reason"]
    assert body["holder_name"] == "李秀英"

    pdf = SimpleUploadedFile("证照.pdf", _a_pdf(fed, payload), content_type="application/pdf")
    _peer_a(fed, monkeypatch, None)
    answer = client.post("/api/v1/licences/verify/pdf", {"file": pdf})
    assert answer.status_code == 200
    body = answer.json()
    assert body["outcome"] == "status_unknown" and "暂时无法向签发节点“攀枝花”" in body["reason"]
    page = client.get("/licences/verify/", {"id": ident})
    assert "暂时无法连接攀枝花" in page.content.decode()
