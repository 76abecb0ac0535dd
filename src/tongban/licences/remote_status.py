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
    """The issuing side: this node's verification of one of its licences."""
    ident = validate_licence_id(str(payload.get("identifier", "")))
    v = licence_verify(ident)
    return {
        "identifier": ident,
        "outcome": v.outcome,
        "reason": v.reason,
        "node": node_id(),
        "digest": payload_digest(v.payload) if v.payload else "",
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
