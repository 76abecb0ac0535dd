"""Writes for e-licences: issue (new, renew, change, import), the life-cycle operations and
the scheduled expiry. ``licence_operate`` is the one status write path: lock the row,
check the transitions table, require a reason where it says so, append the history row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.accounts.models import RoleGrant
from tongban.core.actors import Actor, SystemActor
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.ids import (
    licence_id_make,
    validate_id_number,
    validate_licence_type_code,
    validate_region_code,
    validate_uscc,
)
from tongban.core.jobs import enqueue
from tongban.licences.models import (
    HolderCodeType,
    Licence,
    LicenceEvent,
    LicenceSerial,
    LicenceType,
)
from tongban.licences.row_feed import feed_clear_on_commit
from tongban.licences.signature import build_payload, sign_payload, signer_identity
from tongban.licences.transitions import MANUAL, LicenceOperation, LicenceStatus, move_for

OP, ST = LicenceOperation, LicenceStatus
RENDER_PDF_JOB = "licences.render_pdf"
ISSUER_ROLES = ("approver", "reviewer", "clerk")


@dataclass
class LicenceInput:
    type_code: str
    holder_name: str
    holder_code: str
    issuer_code: str
    issuer_name: str
    issue_date: date
    holder_code_type: str = HolderCodeType.ID_NUMBER
    valid_from: date | None = None
    valid_to: date | None = None  # None: from the type's validity rule (or long-term)
    region_code: str = ""
    number: str = ""
    fields: dict[str, Any] = field(default_factory=dict)


def actor_name(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return "系统"
    return str(getattr(actor, "display_name", "") or getattr(actor, "username", ""))


def require_issuer_staff(actor: Actor, issuer_code: str) -> None:
    """Only the issuing department's staff (or the system) may act on its licences."""
    if isinstance(actor, SystemActor) or getattr(actor, "is_superuser", False):
        return
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("licence_not_issuer")
    if not RoleGrant.objects.filter(
        user_id=actor.pk, role__in=ISSUER_ROLES, department__uscc=issuer_code
    ).exists():
        raise PermissionDenied("licence_not_issuer")


def licence_type_upsert(
    *,
    actor: Actor,
    code: str,
    name: str,
    authority_name: str = "",
    holder_kind: str = HolderCodeType.ID_NUMBER,
    field_schema: list[dict[str, str]] | None = None,
    allows_multiple: bool = False,
    validity_years: int | None = None,
) -> LicenceType:
    if not isinstance(actor, SystemActor) and not getattr(actor, "is_superuser", False):
        raise PermissionDenied("permission_denied")
    code = validate_licence_type_code(code)
    if not name.strip():
        raise ValidationFailed("invalid_input", "证照类型名称不能为空", field="name")
    if holder_kind not in HolderCodeType.values:
        raise ValidationFailed("licence_holder_code_type", field="holder_kind")
    obj, _ = LicenceType.objects.update_or_create(
        code=code,
        defaults={
            "name": name.strip(),
            "authority_name": authority_name,
            "holder_kind": holder_kind,
            "field_schema": field_schema or [],
            "allows_multiple": allows_multiple,
            "validity_years": validity_years,
        },
    )
    feed_clear_on_commit()  # verified rows carry the type's code and name
    return obj


def _validate(data: LicenceInput) -> LicenceType:
    data.type_code = validate_licence_type_code(data.type_code)
    ltype = LicenceType.objects.filter(code=data.type_code).first()
    if ltype is None:
        raise ValidationFailed("licence_type_unknown", field="type_code")
    if data.holder_code_type == HolderCodeType.ID_NUMBER:
        data.holder_code = validate_id_number(data.holder_code, field="holder_code")
    elif data.holder_code_type == HolderCodeType.USCC:
        data.holder_code = validate_uscc(data.holder_code, field="holder_code")
    else:
        raise ValidationFailed("licence_holder_code_type", field="holder_code_type")
    if not data.holder_name.strip():
        raise ValidationFailed("invalid_input", "持证主体名称不能为空", field="holder_name")
    data.issuer_code = validate_uscc(data.issuer_code, field="issuer_code")
    if data.region_code:
        data.region_code = validate_region_code(data.region_code)
    data.valid_from = data.valid_from or data.issue_date
    if data.valid_to is None and ltype.validity_years:
        try:
            data.valid_to = data.valid_from.replace(
                year=data.valid_from.year + ltype.validity_years
            )
        except ValueError:  # 29 February
            data.valid_to = data.valid_from.replace(
                year=data.valid_from.year + ltype.validity_years, day=28
            )
    if data.valid_to is not None and data.valid_to < data.valid_from:
        raise ValidationFailed("licence_validity_invalid", field="valid_to")
    for key, value in data.fields.items():
        if isinstance(value, float):
            raise ValidationFailed("invalid_input", "照面信息不能为小数", field=f"fields.{key}")
    return ltype


def _next_serial(type_code: str, issuer_code: str) -> str:
    LicenceSerial.objects.get_or_create(type_code=type_code, issuer_code=issuer_code)
    seq = LicenceSerial.objects.select_for_update().get(
        type_code=type_code, issuer_code=issuer_code
    )
    seq.last += 1
    seq.save(update_fields=["last"])
    return f"{seq.last:08d}"


def _exclusive_key(ltype: LicenceType, holder_code_type: str, holder_code: str) -> str | None:
    if ltype.allows_multiple:
        return None
    return f"{ltype.code}|{holder_code_type}|{holder_code}"


def _event(licence: Licence, *, operation: str, frm: str, actor: Actor, reason: str = "") -> None:
    LicenceEvent.objects.create(
        licence=licence,
        operation=operation,
        from_status=frm,
        to_status=licence.status,
        actor_name=actor_name(actor),
        reason=reason,
        at=timezone.now(),
    )


def _create(
    *,
    actor: Actor,
    data: LicenceInput,
    ltype: LicenceType,
    operation: str,
    serial: str,
    version: int,
    predecessor: Licence | None = None,
    case: Any = None,
) -> Licence:
    identifier = licence_id_make(ltype.code, data.issuer_code, serial, version)
    node, alg, fingerprint = signer_identity()
    assert data.valid_from is not None
    number = data.number or f"{data.issue_date:%Y}{data.issuer_code[8:14]}{serial}"
    payload = build_payload(
        identifier=identifier,
        type_code=ltype.code,
        type_name=ltype.name,
        number=number,
        issuer_code=data.issuer_code,
        issuer_name=data.issuer_name,
        issuer_node=node,
        fingerprint=fingerprint,
        algorithm=alg,
        region_code=data.region_code,
        holder_name=data.holder_name.strip(),
        holder_code_type=data.holder_code_type,
        holder_code=data.holder_code,
        issue_date=data.issue_date,
        valid_from=data.valid_from,
        valid_to=data.valid_to,
        fields=data.fields,
        predecessor=predecessor.identifier if predecessor else "",
    )
    key = _exclusive_key(ltype, data.holder_code_type, data.holder_code)
    if key and Licence.objects.filter(exclusive_key=key).exists():
        raise Conflict("licence_already_valid", field="holder_code")
    signed_data, signature = sign_payload(payload)
    try:
        with transaction.atomic():
            licence = Licence.objects.create(
                identifier=identifier,
                type=ltype,
                number=number,
                serial=serial,
                version=version,
                issuer_code=data.issuer_code,
                issuer_name=data.issuer_name,
                region_code=data.region_code,
                holder_name=payload["holder_name"],
                holder_code_type=data.holder_code_type,
                holder_code=data.holder_code,
                issue_date=data.issue_date,
                valid_from=data.valid_from,
                valid_to=data.valid_to,
                fields=payload["fields"],
                status=ST.VALID,
                status_changed_at=timezone.now(),
                predecessor=predecessor,
                case=case,
                exclusive_key=key,
                issuer_node=node,
                key_fingerprint=fingerprint,
                signature_alg=alg,
                payload=payload,
                signed_data=signed_data,
                signature=signature,
            )
    except IntegrityError as exc:
        raise Conflict("licence_already_valid", field="holder_code") from exc
    _event(licence, operation=operation, frm="", actor=actor)
    return licence


def licence_issue(
    *,
    actor: Actor,
    data: LicenceInput,
    case: Any = None,
    operation: str = OP.ISSUE,
    render_pdf: bool = True,
) -> Licence:
    """Issue a new licence (新发, or 存量导入 with ``operation=import``), signed by this node."""
    require_issuer_staff(actor, data.issuer_code)
    with transaction.atomic():
        ltype = _validate(data)
        serial = _next_serial(ltype.code, data.issuer_code)
        licence = _create(
            actor=actor,
            data=data,
            ltype=ltype,
            operation=operation,
            serial=serial,
            version=1,
            case=case,
        )
        if render_pdf:
            enqueue(RENDER_PDF_JOB, {"licence_id": licence.pk}, dedupe_key=f"lic-pdf-{licence.pk}")
    return licence


def _lock(licence: Licence) -> Licence:
    return Licence.objects.select_for_update().select_related("type").get(pk=licence.pk)


def _apply(licence: Licence, operation: str, *, actor: Actor, reason: str) -> None:
    move = move_for(licence.status, operation)
    if move is None:
        raise ValidationFailed("licence_illegal_operation", field="operation")
    if move.reason_required and not reason.strip():
        raise ValidationFailed("reason_required", field="reason")
    frm = licence.status
    licence.status = move.to
    licence.status_reason = reason.strip()[:300]
    licence.status_changed_at = timezone.now()
    if move.to != ST.VALID:
        licence.exclusive_key = None
    else:
        licence.exclusive_key = _exclusive_key(
            licence.type, licence.holder_code_type, licence.holder_code
        )
    licence.save(update_fields=["status", "status_reason", "status_changed_at", "exclusive_key"])
    _event(licence, operation=operation, frm=frm, actor=actor, reason=reason.strip())
    feed_clear_on_commit()


def licence_operate(*, actor: Actor, licence: Licence, operation: str, reason: str = "") -> Licence:
    """Suspend, restore, revoke, cancel or expire: the one guarded status write."""
    if operation not in MANUAL and not (operation == OP.EXPIRE and isinstance(actor, SystemActor)):
        raise ValidationFailed("licence_illegal_operation", field="operation")
    require_issuer_staff(actor, licence.issuer_code)
    with transaction.atomic():
        locked = _lock(licence)
        _apply(locked, operation, actor=actor, reason=reason)
    return locked


def licence_new_version(
    *,
    actor: Actor,
    licence: Licence,
    operation: str,
    issue_date: date,
    fields: dict[str, Any] | None = None,
    holder_name: str | None = None,
    valid_to: date | None = None,
    reason: str = "",
) -> Licence:
    """延续 (renew) or 变更 (change): a new version with the same serial pointing to its
    predecessor, which stops being valid in the same transaction."""
    if operation not in (OP.RENEW, OP.CHANGE):
        raise ValidationFailed("licence_illegal_operation", field="operation")
    require_issuer_staff(actor, licence.issuer_code)
    with transaction.atomic():
        old = _lock(licence)
        if old.version >= 999:
            raise ValidationFailed("licence_illegal_operation", "版本号已用尽", field="version")
        _apply(old, operation, actor=actor, reason=reason or OP(operation).label)
        data = LicenceInput(
            type_code=old.type.code,
            holder_name=holder_name or old.holder_name,
            holder_code=old.holder_code,
            holder_code_type=old.holder_code_type,
            issuer_code=old.issuer_code,
            issuer_name=old.issuer_name,
            issue_date=issue_date,
            valid_to=valid_to
            if valid_to is not None
            else (old.valid_to if operation == OP.CHANGE else None),
            region_code=old.region_code,
            number=old.number,
            fields={**old.fields, **(fields or {})},
        )
        ltype = _validate(data)
        new = _create(
            actor=actor,
            data=data,
            ltype=ltype,
            operation=operation,
            serial=old.serial,
            version=old.version + 1,
            predecessor=old,
            case=old.case,
        )
        enqueue(RENDER_PDF_JOB, {"licence_id": new.pk}, dedupe_key=f"lic-pdf-{new.pk}")
    return new


def licence_transfer_in(
    *,
    actor: Actor,
    licence: Licence,
    issuer_code: str,
    issuer_name: str,
    issue_date: date,
    reason: str,
    region_code: str = "",
) -> Licence:
    """转入: the receiving issuer (another department of this node) issues its own licence
    — a new serial under its code — for ``licence``, which becomes 转出 in the same
    transaction; the new licence points to it and keeps its holder, fields and validity."""
    require_issuer_staff(actor, issuer_code)
    if not reason.strip():
        raise ValidationFailed("reason_required", field="reason")
    with transaction.atomic():
        old = _lock(licence)
        if validate_uscc(issuer_code, field="issuer_code") == old.issuer_code:
            raise ValidationFailed("licence_transfer_same_issuer", field="issuer_code")
        _apply(old, OP.TRANSFER_OUT, actor=actor, reason=f"转入{issuer_name}：{reason.strip()}")
        data = LicenceInput(
            type_code=old.type.code,
            holder_name=old.holder_name,
            holder_code=old.holder_code,
            holder_code_type=old.holder_code_type,
            issuer_code=issuer_code,
            issuer_name=issuer_name,
            issue_date=issue_date,
            valid_to=old.valid_to,
            region_code=region_code or old.region_code,
            fields=dict(old.fields),
        )
        ltype = _validate(data)
        new = _create(
            actor=actor,
            data=data,
            ltype=ltype,
            operation=OP.TRANSFER_IN,
            serial=_next_serial(ltype.code, data.issuer_code),
            version=1,
            predecessor=old,
        )
        enqueue(RENDER_PDF_JOB, {"licence_id": new.pk}, dedupe_key=f"lic-pdf-{new.pk}")
    return new


def licences_expire_due(*, today: date | None = None) -> int:
    """The scheduled 过期失效: every licence past its last valid day stops being valid."""
    today = today or timezone.localdate()
    due = Licence.objects.filter(
        status__in=(ST.VALID, ST.SUSPENDED), valid_to__lt=today
    ).values_list("pk", flat=True)
    n = 0
    for pk in list(due):
        with transaction.atomic():
            locked = Licence.objects.select_for_update().select_related("type").get(pk=pk)
            if (
                locked.status in (ST.VALID, ST.SUSPENDED)
                and locked.valid_to
                and (locked.valid_to < today)
            ):
                _apply(locked, OP.EXPIRE, actor=SystemActor(), reason="有效期届满")
                n += 1
    return n


def licence_get(identifier: str) -> Licence:
    licence = (
        Licence.objects.select_related("type", "predecessor").filter(identifier=identifier).first()
    )
    if licence is None:
        raise NotFound("电子证照", field="licence_id")
    return licence
