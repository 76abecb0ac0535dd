"""Verification: by identifier (typed or from a QR) or by an uploaded PDF.

Outcomes: valid / suspended / revoked / cancelled / expired (status), tampered (the data no
longer matches its signature), unknown_issuer (no registered key of the named node),
not_found (no such licence here), status_unknown (a well-signed PDF of a licence this node
does not hold: its status must be asked of the issuing node). Each comes with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone

from tongban.core.errors import ValidationFailed
from tongban.core.ids import validate_licence_id
from tongban.licences.models import Licence
from tongban.licences.pdf import extract_signed
from tongban.licences.signature import SIG_OK, SIG_UNKNOWN_ISSUER, check_signature, payload_of
from tongban.licences.transitions import LicenceStatus

ST = LicenceStatus
VALID, TAMPERED, UNKNOWN_ISSUER = "valid", "tampered", "unknown_issuer"
NOT_FOUND, STATUS_UNKNOWN = "not_found", "status_unknown"
OUTCOME_LABELS = {
    VALID: "有效",
    ST.SUSPENDED.value: "已暂扣",
    ST.REVOKED.value: "已撤销",
    ST.CANCELLED.value: "已注销",
    ST.EXPIRED.value: "已失效",
    TAMPERED: "数据被篡改",
    UNKNOWN_ISSUER: "签发机构未知",
    NOT_FOUND: "未找到该证照",
    STATUS_UNKNOWN: "签名有效，状态待签发节点确认",
}


@dataclass(frozen=True)
class Verification:
    outcome: str
    reason: str
    identifier: str
    payload: dict[str, Any] | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == VALID

    @property
    def label(self) -> str:
        return OUTCOME_LABELS.get(self.outcome, self.outcome)


def _status(licence: Licence, payload: dict[str, Any], today: date) -> Verification:
    ident = licence.identifier
    if licence.status != ST.VALID:
        reason = licence.status_reason or f"证照状态为{ST(licence.status).label}"
        if licence.status == ST.EXPIRED and hasattr(licence, "successor"):
            reason = f"{reason}；已由新版本 {licence.successor.identifier} 替代"
        return Verification(licence.status, reason, ident, payload)
    if licence.valid_to is not None and licence.valid_to < today:
        return Verification(ST.EXPIRED, f"有效期至 {licence.valid_to}，已过期", ident, payload)
    if licence.valid_from > today:
        return Verification(
            ST.EXPIRED, f"有效期自 {licence.valid_from} 起，尚未生效", ident, payload
        )
    return Verification(VALID, "签名有效，证照状态有效", ident, payload)


def _signature_failure(outcome: str, ident: str, payload: dict[str, Any]) -> Verification:
    if outcome == SIG_UNKNOWN_ISSUER:
        reason = f"签发节点“{payload.get('issuer_node')}”或其密钥（{payload.get('key')}）未登记"
        return Verification(UNKNOWN_ISSUER, reason, ident, payload)
    return Verification(TAMPERED, "证照数据与签发机构的签名不一致，可能已被篡改", ident, payload)


def licence_verify(identifier: str, *, today: date | None = None) -> Verification:
    """Check one licence of this node: signature over its current data, then status."""
    ident = validate_licence_id(identifier)
    licence = Licence.objects.select_related("type", "predecessor").filter(identifier=ident).first()
    if licence is None:
        return Verification(NOT_FOUND, "本节点没有该标识的电子证照", ident)
    payload = payload_of(licence)
    outcome = check_signature(payload, licence.signature)
    if outcome != SIG_OK:
        return _signature_failure(outcome, ident, payload)
    return _status(licence, payload, today or timezone.localdate())


def licence_verify_pdf(data: bytes, *, today: date | None = None) -> Verification:
    """Check an uploaded certificate: the signature of the data it carries, then the
    licence's current status here."""
    if not data.startswith(b"%PDF"):
        raise ValidationFailed("licence_pdf_invalid", field="file")
    signed = extract_signed(data)
    if signed is None:
        raise ValidationFailed("licence_pdf_no_signature", field="file")
    payload, signature = signed["payload"], str(signed.get("signature", ""))
    ident = str(payload.get("identifier", ""))
    try:
        ident = validate_licence_id(ident)
    except ValidationFailed:
        return Verification(TAMPERED, "证照标识格式或校验位不正确", ident, payload)
    outcome = check_signature(payload, signature)
    if outcome != SIG_OK:
        return _signature_failure(outcome, ident, payload)
    licence = Licence.objects.select_related("type", "predecessor").filter(identifier=ident).first()
    if licence is None:
        return Verification(STATUS_UNKNOWN, "签名有效，但本节点未保存该证照的状态", ident, payload)
    current = payload_of(licence)
    if current != payload:
        return Verification(TAMPERED, "文件中的证照数据与签发记录不一致", ident, payload)
    return _status(licence, payload, today or timezone.localdate())
