"""Verification: by identifier (typed or from a QR) or by an uploaded PDF.

Outcomes: valid / suspended / revoked / cancelled / expired (status), tampered (the data no
longer matches its signature), unknown_issuer (no registered key of the named node),
not_found (no such licence here), status_unknown (a well-signed PDF of a licence this node
does not hold: its status must be asked of the issuing node). Each comes with a reason.

The hot path reads one row with a fixed SQL statement (prepared once per session on
PostgreSQL; no ORM), checks the signature over the stored signed bytes and compares the
payload they carry with the columns. On PostgreSQL, outside a transaction, the row comes
from the process's copy that any write to a licence empties through NOTIFY
(``row_feed``): a revocation shows in the revoking process at once and in the others as
soon as the notification arrives. The signature is checked on every verification, and
is meant to dominate (see bench licences).
"""

from __future__ import annotations

import json
import weakref
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from tongban.core.errors import ValidationFailed
from tongban.core.ids import validate_licence_id
from tongban.licences.pdf import extract_signed
from tongban.licences.row_feed import FEED, feed_applies
from tongban.licences.signature import (
    SIG_OK,
    SIG_TAMPERED,
    SIG_UNKNOWN_ISSUER,
    build_payload,
    check_signature,
    check_signed,
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
    ST.PENALTY_REVOKED.value: "已吊销",
    ST.TRANSFERRED_OUT.value: "已转出",
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


# The signed bytes, the signature and key columns, the status, then every column the
# payload is made of (compared with the payload the verified bytes carry).
_COLUMNS = (
    "l.signed_data, l.signature, l.issuer_node, l.signature_alg, l.key_fingerprint, "
    "l.status, l.status_reason, l.id, "
    "l.identifier, t.code, t.name, l.number, l.issuer_code, l.issuer_name, l.region_code, "
    "l.holder_name, l.holder_code_type, l.holder_code, l.issue_date, l.valid_from, "
    "l.valid_to, l.fields, p.identifier"
)
_FROM = (
    "FROM licences_licence l JOIN licences_licencetype t ON t.id = l.type_id "
    "LEFT JOIN licences_licence p ON p.id = l.predecessor_id "
)
_SQL = f"SELECT {_COLUMNS} {_FROM}WHERE l.identifier = %s"
# On PostgreSQL the statement is prepared once per database session (Django disables
# psycopg's own prepared statements): planning the joins cost more than running them.
# This needs session-level connections (direct, or a session-mode pooler).
_STMT = "tongban_licence_verify_v1"
_prepared_on: weakref.WeakSet[Any] = weakref.WeakSet()
BATCH_MAX = 200


def _fetch(identifier: str) -> Any:
    with connection.cursor() as cur:
        if connection.vendor != "postgresql":
            cur.execute(_SQL, [identifier])
            return cur.fetchone()
        session = connection.connection
        if session not in _prepared_on:
            cur.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [_STMT])
            if cur.fetchone() is None:
                cur.execute(f"PREPARE {_STMT}(text) AS {_SQL.replace('%s', '$1')}")
            _prepared_on.add(session)
        cur.execute(f"EXECUTE {_STMT}(%s)", [identifier])
        return cur.fetchone()


@dataclass(frozen=True)
class _Stored:
    """One licence row as verification needs it. Everything here derives from the row
    alone, so the row feed may keep it; the signature is still checked on every call."""

    signed: bytes
    signature: str
    node: str
    algorithm: str
    key: str
    status: str
    status_reason: str
    pk: int
    columns: dict[str, Any]  # the payload the current columns say
    payload: dict[str, Any] | None  # the payload the signed bytes carry, when they match


def _stored(r: Any) -> _Stored:
    signed = (r[0] or "").encode("utf-8")
    columns = _columns_payload(r)
    try:
        carried = json.loads(signed)
    except ValueError:
        carried = None
    matches = isinstance(carried, dict) and carried == columns
    return _Stored(
        signed, r[1], r[2], r[3], r[4], r[5], r[6], r[7], columns, carried if matches else None
    )


def _read(identifier: str) -> _Stored | None:
    r = _fetch(identifier)
    return None if r is None else _stored(r)


def _row(identifier: str) -> _Stored | None:
    """The row of ``identifier``: this process's copy when the row feed applies (kept
    correct by NOTIFY, see ``row_feed``), else a read."""
    return FEED.row(identifier, _read) if feed_applies() else _read(identifier)


@dataclass(frozen=True)
class _Row:
    payload: dict[str, Any]  # from the verified bytes
    status: str
    status_reason: str
    pk: int

    def day(self, key: str) -> date | None:
        value = self.payload[key]
        return date.fromisoformat(value) if value else None


def _columns_payload(r: Any) -> dict[str, Any]:
    fields = json.loads(r[21]) if isinstance(r[21], str | bytes) else (r[21] or {})
    return build_payload(
        identifier=r[8],
        type_code=r[9],
        type_name=r[10],
        number=r[11],
        issuer_code=r[12],
        issuer_name=r[13],
        issuer_node=r[2],
        fingerprint=r[4],
        algorithm=r[3],
        region_code=r[14],
        holder_name=r[15],
        holder_code_type=r[16],
        holder_code=r[17],
        issue_date=r[18],
        valid_from=r[19],
        valid_to=r[20],
        fields=fields,
        predecessor=r[22] or "",
    )


def _copy(payload: dict[str, Any]) -> dict[str, Any]:
    """A caller's own copy (a kept row must not change under another caller)."""
    return {**payload, "fields": dict(payload["fields"])}


def _check_row(ident: str, s: _Stored) -> _Row | Verification:
    """The signature over the stored signed bytes, then those bytes against the columns."""
    outcome = check_signed(s.signed, s.signature, node=s.node, algorithm=s.algorithm, key=s.key)
    if outcome != SIG_OK:
        return _signature_failure(outcome, ident, _copy(s.columns))
    if s.payload is None:
        return _signature_failure(SIG_TAMPERED, ident, _copy(s.columns))
    return _Row(_copy(s.payload), s.status, s.status_reason, s.pk)


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
        replaced = row.status in (ST.EXPIRED, ST.TRANSFERRED_OUT)
        successor = _successor(row.pk) if replaced else None
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


def _today() -> date:
    # The node's own calendar day (settings.TIME_ZONE); no per-request zone applies here.
    return datetime.now(timezone.get_default_timezone()).date()


def licence_verify(identifier: str, *, today: date | None = None) -> Verification:
    """Check one licence of this node: the signature over its stored signed bytes, those
    bytes against its current columns, then its status (as of the last write notified)."""
    ident = validate_licence_id(identifier)
    r = _row(ident)
    if r is None:
        return Verification(NOT_FOUND, "本节点没有该标识的电子证照", ident)
    row = _check_row(ident, r)
    if isinstance(row, Verification):
        return row
    return _status(row, today or _today())


def licences_verify_many(
    identifiers: list[str], *, today: date | None = None
) -> list[Verification]:
    """Batch verification: the same checks as ``licence_verify`` for up to ``BATCH_MAX``
    identifiers, read with one query; results in the order asked."""
    if not 1 <= len(identifiers) <= BATCH_MAX:
        raise ValidationFailed("licence_batch_size", field="identifiers")
    idents = [validate_licence_id(i, field="identifiers") for i in identifiers]
    wanted = list(dict.fromkeys(idents))
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cur:
        cur.execute(f"SELECT {_COLUMNS} {_FROM}WHERE l.identifier IN ({marks})", wanted)
        rows = {r[8]: _stored(r) for r in cur.fetchall()}
    day = today or _today()
    out: list[Verification] = []
    for ident in idents:
        r = rows.get(ident)
        if r is None:
            out.append(Verification(NOT_FOUND, "本节点没有该标识的电子证照", ident))
            continue
        row = _check_row(ident, r)
        out.append(row if isinstance(row, Verification) else _status(row, day))
    return out


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
    r = _row(ident)
    if r is None:
        return Verification(STATUS_UNKNOWN, "签名有效，但本节点未保存该证照的状态", ident, payload)
    row = _check_row(ident, r)
    if isinstance(row, Verification):
        return row  # the record held here fails its own checks
    if row.payload != payload:
        return Verification(TAMPERED, "文件中的证照数据与签发记录不一致", ident, payload)
    return _status(row, today or _today())
