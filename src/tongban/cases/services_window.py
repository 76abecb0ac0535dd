"""What a window clerk does in one go (异地代收代办 and local window intake):

- ``window_intake``: identity check, 形式审查 against the checklist, scans, original
  checks, then submit — the submit writes the hand-off outbox message for a proxy case;
- ``window_supplement``: a walk-in applicant brings the flagged materials back to the
  window; the clerk scans them and resumes the case;
- ``result_hand_over``: the result is handed over at the window or posted.

Each is one transaction: any bad input (a disguised file, a missing material, a right
the agreement does not grant) leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import Window
from tongban.cases.access import case_roles, window_clerk
from tongban.cases.files import check_upload
from tongban.cases.models import Case, CaseMode, Delivery, Shipment
from tongban.cases.services import (
    IntakeInput,
    _actor_user,
    _event,
    _lock,
    case_create_draft,
    case_transition,
)
from tongban.cases.services_materials import (
    case_supplement,
    material_check_original,
    material_defer,
    material_upload,
    shipment_send,
)
from tongban.cases.transitions import APPROVER, REVIEWER, SYSTEM, CaseStatus
from tongban.catalog.agreements import window_rights
from tongban.catalog.models import ItemImplementation, WindowRight
from tongban.core.actors import Actor
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.core.ids import validate_id_number

S = CaseStatus
IDENTITY_METHODS = {"face_match": "人证比对", "card_reader": "读卡"}
HAND_OVER_METHODS = {"pickup": "窗口当面交付", "post": "邮寄送达"}
RECIPIENT_KINDS = {"applicant": "申请人本人", "agent": "他人代领"}
DEFER_CHOICES = {"deferred": "容缺后补", "commitment": "告知承诺"}


def mask_id_number(value: str) -> str:
    """The first 6 and last 4 characters of a 公民身份号码, the rest hidden."""
    return value[:6] + "*" * (len(value) - 10) + value[-4:] if len(value) > 10 else value


@dataclass(frozen=True)
class Scan:
    file_name: str
    data: bytes
    content_type: str


@dataclass
class ChecklistEntry:
    """One material of the item's acceptance standards, as the clerk found it.

    ``requirement_id`` names the MaterialRequirement (the case does not exist yet when
    the checklist is shown)."""

    requirement_id: int
    received: bool = False
    original_checked: bool = False
    scans: list[Scan] = field(default_factory=list)
    defer: str = ""  # "", "deferred" (容缺) or "commitment" (告知承诺)


@dataclass(frozen=True)
class IdentityCheck:
    verified: bool
    method: str  # a key of IDENTITY_METHODS


def _check_scans(scans: list[Scan], *, field_name: str) -> None:
    for s in scans:
        check_upload(s.data, claimed_type=s.content_type, field=field_name)


def window_intake(
    *,
    actor: Actor,
    implementation: ItemImplementation,
    window: Window,
    intake: IntakeInput,
    identity: IdentityCheck,
    checklist: list[ChecklistEntry],
    today: date | None = None,
) -> Case:
    """Take an application in at ``window`` and push it to the deciding department."""
    if not identity.verified:
        raise ValidationFailed("identity_check_required", field="identity_verified")
    if identity.method not in IDENTITY_METHODS:
        raise ValidationFailed("invalid_input", "身份核验方式不正确", field="identity_method")
    today = today or timezone.localdate()
    for entry in checklist:
        _check_scans(entry.scans, field_name=f"scan_{entry.requirement_id}")
        if entry.defer and entry.defer not in DEFER_CHOICES:
            raise ValidationFailed("invalid_input", "材料处理方式不正确", field="defer")
    rights = window_rights(window=window, implementation=implementation, on=today)
    if rights.allowed and not rights.local:
        if intake.delivery == Delivery.PICKUP and WindowRight.DELIVER_RESULT not in rights.rights:
            raise ValidationFailed("no_deliver_result_right", field="delivery")
        if (
            any(e.original_checked for e in checklist)
            and WindowRight.VERIFY_ORIGINAL not in rights.rights
        ):
            raise PermissionDenied("no_verify_original_right", field="materials")
    user = _actor_user(actor)
    now = timezone.now()
    form_data: dict[str, Any] = dict(intake.form_data)
    form_data["identity_check"] = {
        "verified": True,
        "method": identity.method,
        "method_label": IDENTITY_METHODS[identity.method],
        "by": str(user) if user else "系统",
        "by_id": getattr(user, "pk", None),
        "at": now.isoformat(),
    }
    intake.form_data = form_data
    with transaction.atomic():
        case = case_create_draft(
            actor=actor, implementation=implementation, intake=intake, window=window, today=today
        )
        if case.status != S.DRAFT:
            return case  # the same submission again: the first one already went through
        by_requirement = {m.requirement_id: m for m in case.materials.all()}
        lines = []
        for entry in checklist:
            material = by_requirement.get(entry.requirement_id)
            if material is None:
                raise NotFound("材料", field="materials")
            for scan in entry.scans:
                material_upload(
                    actor=actor,
                    case=case,
                    material_id=material.pk,
                    file_name=scan.file_name,
                    data=scan.data,
                    claimed_type=scan.content_type,
                )
            if entry.defer and not entry.scans:
                material_defer(
                    actor=actor,
                    case=case,
                    material_id=material.pk,
                    commitment=entry.defer == "commitment",
                )
            lines.append(
                {
                    "material": material.name,
                    "received": entry.received,
                    "original_checked": entry.original_checked,
                    "scans": len(entry.scans),
                    "defer": entry.defer if not entry.scans else "",
                }
            )
        case.form_data = {**case.form_data, "intake_checklist": lines}
        case.save(update_fields=["form_data"])
        _event(
            case,
            action="identity_check",
            actor=actor,
            role="clerk",
            data={"method": identity.method, "method_label": IDENTITY_METHODS[identity.method]},
        )
        checked = [by_requirement[e.requirement_id].pk for e in checklist if e.original_checked]
        if checked:
            material_check_original(actor=actor, case=case, material_ids=checked, today=today)
        case = case_transition(actor=actor, case=case, to=S.SUBMITTED, today=today)
    return case


def window_supplement(
    *,
    actor: Actor,
    case: Case,
    scans: dict[int, list[Scan]],
    expected_revision: int | None = None,
    today: date | None = None,
) -> Case:
    """补正 at the window: scans for the flagged materials (by CaseMaterial id), then resume."""
    for material_id, files in scans.items():
        _check_scans(files, field_name=f"scan_{material_id}")
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        if not case_roles(actor, locked):
            raise NotFound("办件")
        for material_id, files in scans.items():
            for scan in files:
                material_upload(
                    actor=actor,
                    case=locked,
                    material_id=material_id,
                    file_name=scan.file_name,
                    data=scan.data,
                    claimed_type=scan.content_type,
                )
        return case_supplement(actor=actor, case=locked, today=today)


def _at_window(actor: Actor, case: Case, roles: set[str]) -> bool:
    """Is ``actor`` acting for the window that took ``case`` in (not the department)?"""
    return (
        case.intake_window_id is not None
        and window_clerk(actor, case.intake_window_id)
        and not roles & {REVIEWER, APPROVER, SYSTEM}
    )


def result_hand_over(
    *,
    actor: Actor,
    case: Case,
    method: str,
    recipient: str = "",
    recipient_id_number: str = "",
    recipient_kind: str = "applicant",
    carrier: str = "",
    tracking_number: str = "",
    expected_revision: int | None = None,
    today: date | None = None,
) -> Case:
    """结果送达: hand the result over at the window or post it (carrier and tracking
    number), then move the case to 已送达.

    At the window the clerk records who collected the result: the name, whether it was
    the applicant or someone collecting for them (代领), and the collector's 公民身份号码
    (GB 11643) — required for 代领, since the applicant's own number is already on the
    case; checked whenever given. The timeline shows the number masked."""
    if method not in HAND_OVER_METHODS:
        raise ValidationFailed("invalid_input", "送达方式不正确", field="method")
    id_number = recipient_id_number.strip().upper()
    if recipient_kind not in RECIPIENT_KINDS:
        raise ValidationFailed("invalid_input", "领取人身份不正确", field="recipient_kind")
    recipient_is_agent = recipient_kind == "agent"
    if method == "pickup":
        if not recipient.strip():
            raise ValidationFailed("invalid_input", "请填写领取人姓名", field="recipient")
        if recipient_is_agent and not id_number:
            raise ValidationFailed("recipient_id_required", field="recipient_id_number")
        if id_number:
            validate_id_number(id_number, field="recipient_id_number")
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        roles = case_roles(actor, locked)
        if not roles:
            raise NotFound("办件")
        if locked.status != S.RESULT_ISSUED:
            raise ValidationFailed("illegal_transition", field="status")
        if locked.mode == CaseMode.PROXY_INTAKE and _at_window(actor, locked, roles):
            rights = window_rights(
                window=locked.intake_window,  # type: ignore[arg-type]
                implementation=locked.implementation,
                on=today,
            )
            if WindowRight.DELIVER_RESULT not in rights.rights:
                raise PermissionDenied("no_deliver_result_right", field="method")
        data: dict[str, Any] = {"method": method, "method_label": HAND_OVER_METHODS[method]}
        if method == "post":
            shipment = shipment_send(
                actor=actor,
                case=locked,
                kind=Shipment.Kind.RESULT,
                carrier=carrier,
                tracking_number=tracking_number,
            )
            data.update(carrier=shipment.carrier, tracking_number=shipment.tracking_number)
            opinion = f"已邮寄送达（{shipment.carrier} {shipment.tracking_number}）"
        else:
            name = recipient.strip()[:64]
            data.update(
                recipient=name,
                recipient_kind=recipient_kind,
                recipient_id_number=id_number,
            )
            who = RECIPIENT_KINDS[recipient_kind]
            shown = f"，身份证号 {mask_id_number(id_number)}" if id_number else ""
            opinion = f"已当面交付，领取人：{name}（{who}{shown}）"
        return case_transition(
            actor=actor, case=locked, to=S.DELIVERED, opinion=opinion, data=data, today=today
        )
