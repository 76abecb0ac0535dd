"""Another node's licence status, asked of its issuing node (signed RPC ``licence.status``).

A PDF certificate carries its signed data, so any node checks the signature through the
registry keys; the *status* (suspended, revoked …) lives only on the issuing node. When
the licence is not held here, ``remote_status`` asks the node named in the signed data.
The answer travels in the RPC's signed response envelope (checked against the registry:
it must come from that node and answer this request), names the outcome the issuing
node's own verification gave, and the SM3 digest of the signed data it holds, so a PDF
whose data differs from the issuer's record is reported as tampered. A node that cannot
be reached leaves the status unknown, with the reason.
"""

from __future__ import annotations

from typing import Any

from tongban.core.errors import TongbanError
from tongban.core.ids import validate_licence_id
from tongban.core.signing import canonical_json, sm3_hex
from tongban.licences.keys import node_id
from tongban.licences.models import Licence
from tongban.licences.signature import SIG_OK, check_signed
from tongban.licences.transitions import LicenceStatus
from tongban.licences.verify import (
    NOT_FOUND,
    STATUS_UNKNOWN,
    TAMPERED,
    VALID,
    Verification,
    licence_verify,
)

STATUS_QUERY = "licence.status"
REMOTE_TIMEOUT_S = 3.0
# Outcomes an issuing node may answer with; anything else is not trusted.
ANSWERS = frozenset(
    {VALID, NOT_FOUND, TAMPERED, *(s.value for s in LicenceStatus if s != LicenceStatus.VALID)}
)


def payload_digest(payload: dict[str, Any]) -> str:
    return sm3_hex(canonical_json(payload))


def answer_status(payload: dict[str, Any], requester_node: str) -> dict[str, Any]:
    """The issuing side: this node's verification of one of its licences, with the signed
    data and signature it holds (so the asker can show, and check, what it answers for)."""
    ident = validate_licence_id(str(payload.get("identifier", "")))
    v = licence_verify(ident)
    signed = Licence.objects.filter(identifier=ident).values_list("signed_data", "signature")
    row = signed.first()
    return {
        "identifier": ident,
        "outcome": v.outcome,
        "reason": v.reason,
        "node": node_id(),
        "digest": payload_digest(v.payload) if v.payload else "",
        "signed_data": row[0] if row else "",
        "signature": row[1] if row else "",
    }


def _unknown(ident: str, payload: dict[str, Any], reason: str) -> Verification:
    return Verification(STATUS_UNKNOWN, reason, ident, payload)


def remote_status(ident: str, payload: dict[str, Any]) -> Verification:
    """The status of a well-signed licence this node does not hold, from its issuer."""
    from tongban.federation import rpc
    from tongban.federation.identity import this_node_id
    from tongban.licences.sources import node_display_name

    issuer = str(payload.get("issuer_node", ""))
    me = this_node_id()
    if me is None or not issuer or issuer == me:
        return _unknown(ident, payload, "签名有效，但本节点未保存该证照的状态")
    name = node_display_name(issuer)
    try:
        answer = rpc.call(issuer, STATUS_QUERY, {"identifier": ident}, timeout=REMOTE_TIMEOUT_S)
    except TongbanError as exc:
        return _unknown(
            ident,
            payload,
            f"签名有效，但暂时无法向签发节点“{name}”查询证照状态（{exc.code}），请稍后再试",
        )
    outcome = answer.get("outcome")
    if answer.get("identifier") != ident or answer.get("node") != issuer or outcome not in ANSWERS:
        return _unknown(ident, payload, f"签名有效，但签发节点“{name}”的答复无法识别")
    if outcome == NOT_FOUND:
        return Verification(NOT_FOUND, f"签发节点“{name}”没有该标识的电子证照", ident, payload)
    if answer.get("digest") and answer.get("digest") != payload_digest(payload):
        return Verification(
            TAMPERED, f"文件中的证照数据与签发节点“{name}”的记录不一致", ident, payload
        )
    reason = str(answer.get("reason") or "")
    return Verification(str(outcome), f"{reason}（签发节点“{name}”答复）", ident, payload)


# --- by identifier: a licence this node does not hold --------------------------------


def _nodes_to_ask(ident: str, me: str) -> list[str]:
    """The node serving the issuer's region first (a 统一社会信用代码 carries the
    registering authority's region in characters 3–8), then every other node."""
    from tongban.federation.errors import FederationUnavailable
    from tongban.federation.registry import node_for_region, registry_current

    try:
        others = [n for n in registry_current().nodes if n != me]
    except FederationUnavailable:
        return []
    issuer_code = ident.split(".")[6] if ident.count(".") >= 9 else ""
    first: list[str] = []
    try:
        home = node_for_region(issuer_code[2:8]) if len(issuer_code) == 18 else None
    except (FederationUnavailable, ValueError, LookupError):
        home = None
    if home in others:
        first = [str(home)]
    return first + [n for n in others if n not in first]


def _trusted(node: str, ident: str, answer: dict[str, Any]) -> dict[str, Any] | None:
    """The payload the answer carries, when it is signed by ``node``'s registered key and
    names that node and this identifier; None otherwise."""
    import json

    data, signature = str(answer.get("signed_data") or ""), str(answer.get("signature") or "")
    try:
        payload = json.loads(data) if data else None
    except ValueError:
        return None
    if not isinstance(payload, dict) or payload.get("identifier") != ident:
        return None
    if payload.get("issuer_node") != node or answer.get("node") != node:
        return None
    outcome = check_signed(
        data.encode("utf-8"),
        signature,
        node=node,
        algorithm=str(payload.get("alg", "")),
        key=str(payload.get("key", "")),
    )
    return payload if outcome == SIG_OK else None


def remote_verify(ident: str) -> Verification | None:
    """Ask the other nodes about a licence this node does not hold: the issuing node's
    outcome, with its name; status unknown when a node that might hold it cannot be
    reached; None when every node says it has no such licence (or on a single node)."""
    from tongban.federation import rpc
    from tongban.federation.identity import this_node_id
    from tongban.licences.sources import node_display_name

    me = this_node_id()
    if me is None:
        return None
    unreachable: list[str] = []
    for node in _nodes_to_ask(ident, me):
        name = node_display_name(node)
        try:
            answer = rpc.call(node, STATUS_QUERY, {"identifier": ident}, timeout=REMOTE_TIMEOUT_S)
        except TongbanError:
            unreachable.append(name)
            continue
        outcome = answer.get("outcome")
        if outcome == NOT_FOUND or outcome not in ANSWERS:
            continue
        payload = _trusted(node, ident, answer)
        if payload is None:
            return _unknown(ident, {}, f"签发节点“{name}”的答复无法核实签名")
        reason = str(answer.get("reason") or "")
        return Verification(str(outcome), f"{reason}（签发节点“{name}”答复）", ident, payload)
    if unreachable:
        return _unknown(
            ident,
            {},
            f"本节点没有该电子证照，暂时无法连接{'、'.join(unreachable)}查询，请稍后再试",
        )
    return None


def licence_verify_anywhere(identifier: str) -> Verification:
    """Verify by identifier here, and ask the other nodes when this node does not hold it
    (the pages and the API; the hot path ``licence_verify`` stays local)."""
    v = licence_verify(identifier)
    if v.outcome != NOT_FOUND:
        return v
    return remote_verify(v.identifier) or v
