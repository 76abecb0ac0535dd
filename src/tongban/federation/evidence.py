"""Evidence queries between nodes (数据共享核验): node A asks node B whether a holder has
a valid licence or data item, for one case and with the applicant's consent.

- ``register_evidence_provider(kind, func)``: on the answering node, ``func(payload,
  requester_node) -> dict`` answers queries of ``kind`` (the licences domain registers
  ``answer_licence_query`` for kind ``licence``).
- ``evidence_query(...)``: on the asking node, a signed request/response through
  ``federation.rpc`` (type ``cn.tongban.evidence.query``); the answer comes back signed.

Use is recorded on both sides: both envelopes land in each node's hash-chained message
log (``federation.log``), and each side appends an ``evidence_query`` entry to its own
record of the case named as the purpose (the asking node's case, and on the answering
node the record it handles for that case, when there is one).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

from tongban.core.errors import ValidationFailed

log = logging.getLogger("tongban.federation.evidence")

EVIDENCE_QUERY = "cn.tongban.evidence.query"
Provider = Callable[[dict[str, Any], str], dict[str, Any]]
_PROVIDERS: dict[str, Provider] = {}


def register_evidence_provider(kind: str, func: Provider) -> Provider:
    """Answer evidence queries of ``kind`` on this node with ``func``."""
    _PROVIDERS[kind] = func
    return func


def evidence_kinds() -> list[str]:
    return sorted(_PROVIDERS)


def _check(kind: str, holder: dict[str, Any], purpose: str, consent: dict[str, Any]) -> None:
    if not kind:
        raise ValidationFailed("evidence_kind_unknown", field="kind")
    if not isinstance(holder, dict) or not str(holder.get("code", "")).strip():
        raise ValidationFailed("invalid_input", "请提供持证主体的证件号码", field="holder")
    if not purpose.strip():
        raise ValidationFailed("evidence_purpose_required", field="purpose_case_number")
    if not isinstance(consent, dict) or not consent.get("by") or not consent.get("at"):
        raise ValidationFailed("evidence_consent_required", field="consent")


def _record_use(
    *, case_number: str, node: str, kind: str, answer: dict[str, Any], asking: bool
) -> None:
    """Append the use to this node's record of the purpose case (if it has one)."""
    from tongban.cases.models import Case
    from tongban.cases.services import _event
    from tongban.cases.transitions import SYSTEM
    from tongban.core.actors import SYSTEM as SYSTEM_ACTOR

    with transaction.atomic():
        qs = Case.objects.select_for_update()
        case = (
            qs.filter(case_number=case_number).first()
            if asking
            else qs.filter(remote_node=node, remote_case_number=case_number).first()
        )
        if case is None:
            return
        side = f"向节点 {node} 核验" if asking else f"节点 {node} 核验本件"
        _event(
            case,
            action="evidence_query",
            actor=SYSTEM_ACTOR,
            role=SYSTEM,
            opinion=f"{side}：{kind}（{answer.get('summary', '') or '已应答'}）",
            data={"node": node, "kind": kind, "asking": asking, "found": answer.get("found")},
        )


def evidence_query(
    *,
    node_id: str,
    kind: str,
    holder: dict[str, Any],
    purpose_case_number: str,
    consent: dict[str, Any],
    timeout: float = 10.0,
) -> dict[str, Any]:
    """Ask ``node_id``; returns the provider's answer. Raises ``PeerError`` /
    ``FederationUnavailable`` (coded) when the peer refuses, is down or answers forged."""
    from tongban.federation import rpc

    _check(kind, holder, purpose_case_number, consent)
    payload = {
        "kind": kind,
        "holder": holder,
        "purpose": {"case_number": purpose_case_number},
        "consent": consent,
    }
    answer = rpc.call(node_id, EVIDENCE_QUERY, payload, timeout=timeout)
    _record_use(
        case_number=purpose_case_number, node=node_id, kind=kind, answer=answer, asking=True
    )
    return answer


def answer_evidence_query(payload: dict[str, Any], requester_node: str) -> dict[str, Any]:
    """The answering side: check purpose and consent again, run the provider, log."""
    kind = str(payload.get("kind") or "")
    purpose = str((payload.get("purpose") or {}).get("case_number") or "")
    _check(kind, payload.get("holder") or {}, purpose, payload.get("consent") or {})
    provider = _PROVIDERS.get(kind)
    if provider is None:
        raise ValidationFailed("evidence_kind_unknown", field="kind")
    answer = dict(provider(payload, requester_node))
    log.info(
        "evidence query %s from %s for case %s (consent by %s)",
        kind,
        requester_node,
        purpose,
        (payload.get("consent") or {}).get("by"),
    )
    _record_use(case_number=purpose, node=requester_node, kind=kind, answer=answer, asking=False)
    return answer


def _register() -> None:
    from tongban.federation.rpc import query_handler

    query_handler(EVIDENCE_QUERY)(answer_evidence_query)


_register()
