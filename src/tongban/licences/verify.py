"""Verification: by identifier (typed or from a QR) or by an uploaded PDF.

Outcomes: valid / suspended / revoked / cancelled / expired (status), tampered (the data no
longer matches its signature), unknown_issuer (no registered key of the named node),
not_found (no such licence here), status_unknown (a well-signed PDF of a licence this node
does not hold: its status must be asked of the issuing node). Each comes with a reason.

The hot path reads one row with a fixed SQL statement (no ORM query compilation): the
signature check is meant to dominate the cost of a verification (see bench licences).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.utils import timezone

from tongban.core.errors import ValidationFailed
from tongban.core.ids import validate_licence_id
from tongban.licences.pdf import extract_signed
from tongban.licences.signature import (
    SIG_OK,
    SIG_UNKNOWN_ISSUER,
    build_payload,
    check_signature,
)
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


_SQL = (
    "SELECT l.identifier, t.code, t.name, l.number, l.issuer_code, l.issuer_name, "
    "l.issuer_node, l.key_fingerprint, l.signature_alg, l.region_code, l.holder_name, "
    "l.holder_code_type, l.holder_code, l.issue_date, l.valid_from, l.valid_to, l.fields, "
    "p.identifier, l.status, l.status_reason, l.signature, l.id "
    "FROM licences_licence l JOIN licences_licencetype t ON t.id = l.type_id "
    "LEFT JOIN licences_licence p ON p.id = l.predecessor_id WHERE l.identifier = %s"
)


@dataclass(frozen=True)
class _Row:
    payload: dict[str, Any]
    status: str
    status_reason: str
    signature: str
    pk: int

    def day(self, key: str) -> date | None:
        value = self.payload[key]
        return date.fromisoformat(value) if value else None


def _fetch(identifier: str) -> Any:
    with connection.cursor() as cur:
        cur.execute(_SQL, [identifier])
        return cur.fetchone()


def _row(identifier: str) -> _Row | None:
    r = _fetch(identifier)
    if r is None:
        return None
    fields = json.loads(r[16]) if isinstance(r[16], str | bytes) else (r[16] or {})
    payload = build_payload(
        identifier=r[0],
        type_code=r[1],
        type_name=r[2],
        number=r[3],
        issuer_code=r[4],
        issuer_name=r[5],
        issuer_node=r[6],
        fingerprint=r[7],
        algorithm=r[8],
        region_code=r[9],
        holder_name=r[10],
        holder_code_type=r[11],
        holder_code=r[12],
        issue_date=r[13],
        valid_from=r[14],
        valid_to=r[15],
        fields=fields,
        predecessor=r[17] or "",
    )
    return _Row(payload, r[18], r[19], r[20], r[21])


def _successor(licence_pk: int) -> str | None:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT identifier FROM licences_licence WHERE predecessor_id = %s", [licence_pk]
        )
        r = cur.fetchone()
    return str(r[0]) if r else None


def _status(row: _Row, today: date) -> Verification:
    ident, payload = row.payload["identifier"], row.payload
    if row.status != ST.VALID:
        reason = row.status_reason or f"证照状态为{ST(row.status).label}"
        successor = _successor(row.pk) if row.status == ST.EXPIRED else None
        if successor:
            reason = f"{reason}；已由新版本 {successor} 替代"
        return Verification(row.status, reason, ident, payload)
    valid_to, valid_from = row.day("valid_to"), row.day("valid_from")
    if valid_to is not None and valid_to < today:
        return Verification(ST.EXPIRED, f"有效期至 {valid_to}，已过期", ident, payload)
    if valid_from is not None and valid_from > today:
        return Verification(ST.EXPIRED, f"有效期自 {valid_from} 起，尚未生效", ident, payload)
    return Verification(VALID, "签名有效，证照状态有效", ident, payload)


def _signature_failure(outcome: str, ident: str, payload: dict[str, Any]) -> Verification:
    if outcome == SIG_UNKNOWN_ISSUER:
        reason = f"签发节点“{payload.get('issuer_node')}”或其密钥（{payload.get('key')}）未登记"
        return Verification(UNKNOWN_ISSUER, reason, ident, payload)
    return Verification(TAMPERED, "证照数据与签发机构的签名不一致，可能已被篡改", ident, payload)


def licence_verify(identifier: str, *, today: date | None = None) -> Verification:
    """Check one licence of this node: signature over its current data, then status."""
    ident = validate_licence_id(identifier)
    row = _row(ident)
    if row is None:
        return Verification(NOT_FOUND, "本节点没有该标识的电子证照", ident)
    outcome = check_signature(row.payload, row.signature)
    if outcome != SIG_OK:
        return _signature_failure(outcome, ident, row.payload)
    return _status(row, today or timezone.localdate())


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
    row = _row(ident)
    if row is None:
        return Verification(STATUS_UNKNOWN, "签名有效，但本节点未保存该证照的状态", ident, payload)
    if row.payload != payload:
        return Verification(TAMPERED, "文件中的证照数据与签发记录不一致", ident, payload)
    return _status(row, today or timezone.localdate())
