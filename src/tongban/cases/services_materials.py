"""Materials of a case: uploads, 一次性告知 supplement requests and the applicant's
supplement, deferral (容缺) and commitment (告知承诺); shipments of originals and results."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tongban.cases.access import case_roles, window_clerk
from tongban.cases.files import check_upload
from tongban.cases.models import (
    Case,
    CaseFile,
    CaseMaterial,
    CaseMode,
    MaterialStatus,
    Shipment,
)
from tongban.cases.services import _actor_user, _event, _lock, case_transition
from tongban.cases.transitions import (
    APPLICANT,
    APPROVER,
    CLERK,
    REVIEWER,
    SYSTEM,
    TERMINAL,
    CaseStatus,
)
from tongban.catalog.agreements import window_rights
from tongban.catalog.models import WindowRight
from tongban.core.actors import Actor
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed

S = CaseStatus
# Statuses in which the applicant's side may change materials.
EDITABLE = frozenset({S.DRAFT, S.SUPPLEMENT_REQUESTED})


def _material(case: Case, material_id: int) -> CaseMaterial:
    try:
        return case.materials.select_related("requirement").get(pk=material_id)
    except CaseMaterial.DoesNotExist as exc:
        raise NotFound("材料", field="material") from exc


def material_upload(
    *,
    actor: Actor,
    case: Case,
    material_id: int,
    file_name: str,
    data: bytes,
    claimed_type: str,
) -> CaseFile:
    """Attach a file to a material (draft, or a material flagged for supplement)."""
    content_type, digest = check_upload(data, claimed_type=claimed_type)
    with transaction.atomic():
        locked = _lock(case, None)
        roles = case_roles(actor, locked)
        if not roles:
            raise NotFound("办件")
        if not roles & {APPLICANT, CLERK, SYSTEM}:
            raise PermissionDenied("permission_denied")
        if locked.status not in EDITABLE:
            raise ValidationFailed("illegal_transition", "当前状态不能修改材料", field="material")
        material = _material(locked, material_id)
        if locked.status == S.SUPPLEMENT_REQUESTED and material.status != MaterialStatus.DEFECTIVE:
            raise ValidationFailed(
                "illegal_transition", "补正阶段只能提交被告知需补正的材料", field="material"
            )
        f = CaseFile(
            material=material,
            original_name=file_name[:200],
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=_actor_user(actor),
        )
        f.file.save(f"{digest[:16]}-{material.pk}", ContentFile(data), save=False)
        f.save()
        material.status = MaterialStatus.PROVIDED
        material.defect_note = (
            material.defect_note if locked.status == S.SUPPLEMENT_REQUESTED else ""
        )
        material.save(update_fields=["status", "defect_note"])
        locked.revision += 1
        locked.save(update_fields=["revision"])
    return f


def material_defer(*, actor: Actor, case: Case, material_id: int, commitment: bool) -> None:
    """容缺 (deferrable materials, when the item allows) or 告知承诺 (commitment)."""
    with transaction.atomic():
        locked = _lock(case, None)
        if not case_roles(actor, locked) & {APPLICANT, CLERK, SYSTEM}:
            raise NotFound("办件")
        if locked.status != S.DRAFT:
            raise ValidationFailed("illegal_transition", "只能在提交前选择", field="material")
        material = _material(locked, material_id)
        if commitment and not locked.version.allows_commitment:
            raise ValidationFailed("commitment_not_allowed", field="material")
        if not commitment and not (
            locked.version.allows_deferral and material.requirement.deferrable
        ):
            raise ValidationFailed("deferral_not_allowed", field="material")
        material.status = MaterialStatus.COMMITMENT if commitment else MaterialStatus.DEFERRED
        material.save(update_fields=["status"])


@dataclass(frozen=True)
class Defect:
    material_id: int
    note: str


def case_request_supplement(
    *,
    actor: Actor,
    case: Case,
    defects: list[Defect],
    opinion: str,
    expected_revision: int | None = None,
    today: date | None = None,
) -> Case:
    """一次性告知: flag every missing or defective material at once and pause the clock."""
    if not case_roles(actor, case):
        raise NotFound("办件")
    if not defects:
        raise ValidationFailed("supplement_needs_materials", field="defects")
    with transaction.atomic():
        materials = {m.pk: m for m in case.materials.all()}
        for d in defects:
            m = materials.get(d.material_id)
            if m is None:
                raise NotFound("材料", field="defects")
            if not d.note.strip():
                raise ValidationFailed(
                    "reason_required", "请说明每项材料需补正的内容", field="defects"
                )
        moved = case_transition(
            actor=actor,
            case=case,
            to=S.SUPPLEMENT_REQUESTED,
            opinion=opinion,
            expected_revision=expected_revision,
            today=today,
            data={
                "defects": [
                    {"material": materials[d.material_id].name, "note": d.note} for d in defects
                ]
            },
        )
        for d in defects:
            m = materials[d.material_id]
            m.status = MaterialStatus.DEFECTIVE
            m.defect_note = d.note.strip()[:300]
            m.save(update_fields=["status", "defect_note"])
    return moved


def case_supplement(
    *, actor: Actor, case: Case, expected_revision: int | None = None, today: date | None = None
) -> Case:
    """The applicant answers in one go: every flagged material must be provided again."""
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        roles = case_roles(actor, locked)
        if not roles:
            raise NotFound("办件")
        if not roles & {APPLICANT, CLERK, SYSTEM}:
            raise PermissionDenied("permission_denied")
        pending = [m.name for m in locked.materials.all() if m.status == MaterialStatus.DEFECTIVE]
        if pending:
            raise ValidationFailed(
                "supplement_incomplete", f"仍需补正：{'、'.join(pending)}", field="materials"
            )
        return case_transition(
            actor=actor, case=locked, to=locked.paused_from or S.PRE_REVIEW, today=today
        )


def shipment_send(
    *,
    actor: Actor,
    case: Case,
    kind: str,
    carrier: str,
    tracking_number: str,
    expected_revision: int | None = None,
) -> Shipment:
    if kind not in Shipment.Kind.values:
        raise ValidationFailed("invalid_input", "寄递类型不正确", field="kind")
    if not carrier.strip() or not tracking_number.strip():
        raise ValidationFailed("invalid_input", "承运商和运单号不能为空", field="tracking_number")
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        roles = case_roles(actor, locked)
        if not roles & {"clerk", "reviewer", "approver", SYSTEM}:
            raise NotFound("办件") if not roles else PermissionDenied("permission_denied")
        if Shipment.objects.filter(
            carrier=carrier.strip(), tracking_number=tracking_number.strip()
        ).exists():
            raise ValidationFailed("duplicate_code", "该运单号已登记", field="tracking_number")
        s = Shipment.objects.create(
            case=locked,
            kind=kind,
            carrier=carrier.strip(),
            tracking_number=tracking_number.strip(),
            sent_at=timezone.now(),
            sent_by=_actor_user(actor),
        )
        locked.revision += 1
        if kind == Shipment.Kind.ORIGINALS:
            locked.originals_pending = False
        locked.save(update_fields=["revision", "originals_pending"])
        _event(
            locked,
            action="ship",
            actor=actor,
            role=sorted(roles)[0],
            data={"kind": kind, "carrier": s.carrier, "tracking_number": s.tracking_number},
        )
    return s


def shipment_receive(
    *,
    actor: Actor,
    shipment: Shipment,
    at: datetime | None = None,
    expected_revision: int | None = None,
) -> Shipment:
    with transaction.atomic():
        locked = _lock(shipment.case, expected_revision)
        s = Shipment.objects.select_for_update().get(pk=shipment.pk)
        roles = case_roles(actor, locked)
        if not roles & {"clerk", "reviewer", "approver", SYSTEM}:
            raise NotFound("办件") if not roles else PermissionDenied("permission_denied")
        if s.received_at is not None:
            raise ValidationFailed("illegal_transition", "该寄递已签收", field="shipment")
        s.received_at = at or timezone.now()
        s.received_by = _actor_user(actor)
        s.save(update_fields=["received_at", "received_by"])
        locked.revision += 1
        locked.save(update_fields=["revision"])
        _event(
            locked,
            action="receive_shipment",
            actor=actor,
            role=sorted(roles)[0],
            data={"tracking_number": s.tracking_number},
        )
    return s


def material_check_original(
    *,
    actor: Actor,
    case: Case,
    material_ids: list[int],
    expected_revision: int | None = None,
    today: date | None = None,
) -> list[CaseMaterial]:
    """原件核验: staff saw the paper originals of these materials. A window taking in
    another region's item needs the agreement's 原件核验权 for it."""
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        roles = case_roles(actor, locked)
        if not roles:
            raise NotFound("办件")
        if not roles & {CLERK, REVIEWER, APPROVER, SYSTEM}:
            raise PermissionDenied("permission_denied")
        if locked.status in TERMINAL:
            raise ValidationFailed("illegal_transition", field="materials")
        window_side = (
            locked.mode == CaseMode.PROXY_INTAKE
            and locked.intake_window is not None
            and window_clerk(actor, locked.intake_window.pk)
            and not roles & {REVIEWER, APPROVER, SYSTEM}
        )
        if window_side:
            rights = window_rights(
                window=locked.intake_window,  # type: ignore[arg-type]
                implementation=locked.implementation,
                on=today or timezone.localdate(),
            )
            if WindowRight.VERIFY_ORIGINAL not in rights.rights:
                raise PermissionDenied("no_verify_original_right", field="materials")
        materials = {m.pk: m for m in locked.materials.all()}
        unknown = [i for i in material_ids if i not in materials]
        if unknown:
            raise NotFound("材料", field="materials")
        changed = [
            materials[i] for i in dict.fromkeys(material_ids) if not materials[i].original_checked
        ]
        for m in changed:
            m.original_checked = True
            m.save(update_fields=["original_checked"])
        if changed:
            locked.revision += 1
            locked.save(update_fields=["revision"])
            _event(
                locked,
                action="check_original",
                actor=actor,
                role=sorted(roles & {CLERK, REVIEWER, APPROVER, SYSTEM})[0],
                data={"materials": [m.name for m in changed]},
            )
    return changed
