"""The issuing node's answers to licence evidence queries (数据共享 / 证照调用).

``find`` returns the holder's valid licence of a type (no use is logged: it only shows
the applicant what could be used). ``use`` checks one licence for one case and, when it
may satisfy the material, logs the use (用证记录) here on the issuing node — so the
holder sees uses by other nodes too. ``answer_licence_query`` signs either answer with
this node's key; the federation RPC calls it at merge.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.core.errors import NotFound, PermissionDenied, TongbanError, ValidationFailed
from tongban.core.ids import validate_licence_id, validate_licence_type_code
from tongban.core.signing import b64, canonical_json
from tongban.licences.keys import issuing_signer, node_id
from tongban.licences.models import Licence, LicenceUse
from tongban.licences.signature import signer_identity
from tongban.licences.transitions import LicenceStatus
from tongban.licences.verify import licence_verify

ST = LicenceStatus


@dataclass(frozen=True)
class FoundLicence:
    identifier: str
    type_code: str
    type_name: str
    number: str
    holder_name: str
    holder_code: str
    issuer_name: str
    issuer_node: str
    status: str
    valid_to: str  # ISO date, "" = long-term


@dataclass(frozen=True)
class UseContext:
    purpose: str
    case_ref: str
    department_name: str
    requester_node: str


def _found(licence: Licence) -> FoundLicence:
    return FoundLicence(
        identifier=licence.identifier,
        type_code=licence.type.code,
        type_name=licence.type.name,
        number=licence.number,
        holder_name=licence.holder_name,
        holder_code=licence.holder_code,
        issuer_name=licence.issuer_name,
        issuer_node=licence.issuer_node,
        status=licence.status,
        valid_to=licence.valid_to.isoformat() if licence.valid_to else "",
    )


def find_valid(*, holder_code: str, type_code: str) -> FoundLicence | None:
    """The holder's licence of this type that verifies as valid now (newest first)."""
    type_code = validate_licence_type_code(type_code)
    candidates = Licence.objects.select_related("type").filter(
        holder_code=holder_code.strip().upper(), type__code=type_code, status=ST.VALID
    )
    for licence in candidates.order_by("-issue_date", "-id")[:5]:
        if licence_verify(licence.identifier).ok:
            return _found(licence)
    return None


def use_licence(
    *, identifier: str, holder_code: str, type_code: str, context: UseContext, case: Any = None
) -> FoundLicence:
    """Check that ``identifier`` may satisfy a material of ``type_code`` for ``holder_code``
    and log the use; coded errors otherwise."""
    identifier = validate_licence_id(identifier)
    licence = Licence.objects.select_related("type").filter(identifier=identifier).first()
    if licence is None:
        raise NotFound("电子证照", field="licence_id")
    if licence.holder_code != holder_code.strip().upper():
        raise PermissionDenied("licence_not_holder", field="licence_id")
    if type_code and licence.type.code != type_code:
        raise ValidationFailed("licence_type_mismatch", field="licence_id")
    result = licence_verify(identifier)
    if not result.ok:
        raise ValidationFailed(
            "licence_not_valid", f"该电子证照{result.label}：{result.reason}", field="licence_id"
        )
    with transaction.atomic():
        LicenceUse.objects.create(
            licence=licence,
            licence_identifier=identifier,
            holder_code=licence.holder_code,
            case=case,
            case_ref=context.case_ref[:64],
            department_name=context.department_name[:128],
            requester_node=context.requester_node[:64],
            purpose=context.purpose[:200],
            consented=True,
            at=timezone.now(),
        )
    return _found(licence)


def answer_licence_query(payload: dict[str, Any], requester_node: str) -> dict[str, Any]:
    """Answer ``{"query": "find"|"use", ...}`` from ``requester_node``, signed by this node:
    ``{"node", "alg", "key", "body": {"query", "ok", "licence", "error", "message"},
    "signature"}`` with the signature over canonical JSON of ``body``."""
    body: dict[str, Any] = {"request": payload, "ok": False, "licence": None, "error": None}
    try:
        kind = payload.get("query")
        if kind == "find":
            found = find_valid(
                holder_code=str(payload.get("holder_code", "")),
                type_code=str(payload.get("type_code", "")),
            )
            body["ok"], body["licence"] = True, asdict(found) if found else None
        elif kind == "use":
            found = use_licence(
                identifier=str(payload.get("identifier", "")),
                holder_code=str(payload.get("holder_code", "")),
                type_code=str(payload.get("type_code", "")),
                context=UseContext(
                    purpose=str(payload.get("purpose", "")),
                    case_ref=str(payload.get("case_ref", "")),
                    department_name=str(payload.get("department_name", "")),
                    requester_node=requester_node,
                ),
            )
            body["ok"], body["licence"] = True, asdict(found)
        else:
            raise ValidationFailed("invalid_input", "未知的查询类型", field="query")
    except TongbanError as exc:
        body["error"], body["message"] = exc.code, exc.message
    node, alg, fingerprint = signer_identity()
    return {
        "node": node,
        "alg": alg,
        "key": fingerprint,
        "body": body,
        "signature": b64(issuing_signer().sign(canonical_json(body))),
    }


__all__ = ["FoundLicence", "UseContext", "answer_licence_query", "find_valid", "node_id"]
