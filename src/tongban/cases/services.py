"""Writes for cases. ``case_transition`` is the only function that changes a status.

Every write: lock the case row, check the actor's roles for this case and the move in
the transitions table, check the expected revision (two clerks at once: one wins, the
other gets ``conflict``), apply the side effects of the new status, append a CaseEvent,
write the notification and any outbox message — all in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from tongban.accounts.models import Window
from tongban.cases import deadlines
from tongban.cases.access import case_roles, window_clerk
from tongban.cases.models import (
    ApplicantKind,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseMode,
    CasePause,
    Channel,
    Delivery,
    MaterialStatus,
)
from tongban.cases.numbering import case_number_issue
from tongban.cases.numbering_nodes import serial_share
from tongban.cases.remote_guard import remote_move_check
from tongban.cases.requirements import originals_pending, version_requirements
from tongban.cases.transitions import PAUSED, SYSTEM, CaseStatus, move_for
from tongban.catalog.agreements import window_rights
from tongban.catalog.models import ItemImplementation, ItemVersion, MaterialSource, ResultType
from tongban.core.actors import Actor, SystemActor
from tongban.core.calendar_store import work_calendar
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.ids import validate_id_number, validate_uscc
from tongban.core.jobs import enqueue
from tongban.federation.outbox import outbox_write
from tongban.notifications.services import notify_case_applicant

S = CaseStatus
HANDED_OFF = "cn.tongban.case.handed-off"
STATUS_CHANGED = "cn.tongban.case.status-changed"

# Sources whose materials the applicant never provides (两个免提交).
EXEMPT_SOURCES = frozenset({MaterialSource.DATA_SHARING, MaterialSource.INTERNAL})


@dataclass
class ApplicantInput:
    kind: str
    name: str
    code: str  # 身份证号 (person) or 统一社会信用代码 (organisation)
    phone: str = ""
    agent_name: str = ""
    agent_id_number: str = ""


@dataclass
class IntakeInput:
    applicant: ApplicantInput
    channel: str
    form_data: dict[str, Any] = field(default_factory=dict)
    delivery: str = Delivery.ELECTRONIC
    delivery_address: str = ""
    idempotency_key: str | None = None


def _validate_applicant(a: ApplicantInput) -> ApplicantInput:
    if a.kind not in ApplicantKind.values:
        raise ValidationFailed("invalid_input", "申请人类型不正确", field="applicant.kind")
    if not a.name.strip():
        raise ValidationFailed("invalid_input", "申请人姓名/名称不能为空", field="applicant.name")
    if a.kind == ApplicantKind.PERSON:
        a.code = validate_id_number(a.code, field="applicant.code")
    else:
        a.code = validate_uscc(a.code, field="applicant.code")
    if a.agent_id_number:
        a.agent_id_number = validate_id_number(a.agent_id_number, field="agent_id_number")
    return a


def _check_online_identity(actor: Actor, channel: str, a: ApplicantInput) -> None:
    """Online, the logged-in person applies for themselves, or is named as the agent
    (代理人/经办人): nobody files in someone else's name from their own account. Accounts
    without a verified 身份证号 are not bound (deployments take it from the identity
    provider)."""
    if channel not in (Channel.PC, Channel.MOBILE) or isinstance(actor, SystemActor):
        return
    own = getattr(actor, "id_number", "") or ""
    if not own:
        return
    if a.kind == ApplicantKind.PERSON and not a.agent_id_number:
        if a.code != own:
            raise PermissionDenied("applicant_identity_mismatch", field="applicant.code")
    elif a.agent_id_number != own:
        raise PermissionDenied("applicant_identity_mismatch", field="agent_id_number")


def _actor_user(actor: Actor) -> Any:
    return None if isinstance(actor, SystemActor) or not actor.is_authenticated else actor


def _event(
    case: Case,
    *,
    action: str,
    actor: Actor,
    role: str,
    from_status: str = "",
    to_status: str = "",
    opinion: str = "",
    data: dict[str, Any] | None = None,
    shown_as: str | None = None,
) -> CaseEvent:
    """Append a timeline entry. ``shown_as`` names who acted on another node when a
    replicated entry is applied here (the role stays SYSTEM's: ADR 0010)."""
    last = case.events.aggregate(m=Max("seq"))["m"] or 0
    user = _actor_user(actor)
    name = str(user) if user else "系统"
    if shown_as:
        name = shown_as
    return CaseEvent.objects.create(
        case=case,
        seq=last + 1,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=user,
        actor_role=role,
        actor_name=name[:128],
        at=timezone.now(),
        opinion=opinion,
        data=data or {},
    )


def case_create_draft(
    *,
    actor: Actor,
    implementation: ItemImplementation,
    intake: IntakeInput,
    window: Window | None = None,
    today: date | None = None,
) -> Case:
    """Open a draft case for the version in force. Idempotent on ``idempotency_key``."""
    if intake.idempotency_key:
        existing = Case.objects.filter(idempotency_key=intake.idempotency_key).first()
        if existing is not None:
            mine = existing.applicant_user_id in (None, getattr(_actor_user(actor), "pk", None))
            # A replay returns the case only to someone who may see it (a walk-in case
            # has no applicant user: its window's clerks may).
            if not mine or not case_roles(actor, existing):
                raise Conflict("idempotency_key_reused", field="idempotency_key")
            return existing
    if intake.channel not in Channel.values:
        raise ValidationFailed("invalid_input", "渠道不正确", field="channel")
    if intake.delivery not in Delivery.values:
        raise ValidationFailed("invalid_input", "送达方式不正确", field="delivery")
    if intake.delivery == Delivery.POST and not intake.delivery_address.strip():
        raise ValidationFailed("delivery_address_required", field="delivery_address")
    applicant = _validate_applicant(intake.applicant)
    _check_online_identity(actor, intake.channel, applicant)
    version: ItemVersion | None = implementation.current_version
    if version is None:
        raise ValidationFailed("item_not_in_force", field="task_code")
    today = today or timezone.localdate()
    user = _actor_user(actor)
    mode, intake_region = CaseMode.LOCAL, implementation.region_id
    # Staff intake: at the window, or a kiosk/hotline application a clerk records
    # at their window (the case is the window's, with no applicant account).
    staff_intake = intake.channel == Channel.WINDOW or (
        window is not None and intake.channel in (Channel.KIOSK, Channel.HOTLINE)
    )
    if window is not None and not staff_intake:
        # The window decides whose queue the case is in: online applications name none.
        raise ValidationFailed("invalid_input", "网上申请不能指定收件窗口", field="window")
    if staff_intake:
        if window is None:
            raise ValidationFailed("invalid_input", "窗口收件必须指定窗口", field="window")
        if not window_clerk(actor, window.pk):
            raise PermissionDenied("permission_denied", "您不是该窗口的工作人员", field="window")
        rights = window_rights(window=window, implementation=implementation, on=today)
        if not rights.allowed:
            raise PermissionDenied(rights.reason or "no_agreement_right", field="window")
        intake_region = window.center.region_id
        mode = CaseMode.LOCAL if rights.local else CaseMode.PROXY_INTAKE
    elif intake.channel in (Channel.PC, Channel.MOBILE) and version.mode_fully_online:
        mode = CaseMode.FULLY_ONLINE
    requirements = version_requirements(version)
    try:
        with transaction.atomic():
            case = Case.objects.create(
                idempotency_key=intake.idempotency_key or None,
                implementation=implementation,
                version=version,
                item_name=version.name,
                item_kind=version.kind,
                statutory_days=version.statutory_days,
                promised_days=version.promised_days,
                applicant_kind=applicant.kind,
                applicant_name=applicant.name.strip(),
                applicant_code=applicant.code,
                applicant_phone=applicant.phone,
                applicant_user=None if staff_intake else user,
                agent_name=applicant.agent_name,
                agent_id_number=applicant.agent_id_number,
                channel=intake.channel,
                mode=mode,
                intake_region_id=intake_region,
                intake_window=window,
                intake_clerk=user if staff_intake else None,
                handling_department_id=implementation.department_id,
                handling_region_id=implementation.region_id,
                form_data=intake.form_data,
                delivery=intake.delivery,
                delivery_address=intake.delivery_address,
                originals_pending=originals_pending(mode, requirements),
            )
            CaseMaterial.objects.bulk_create(
                CaseMaterial(
                    case=case,
                    requirement=m,
                    name=m.name,
                    is_required=m.is_required,
                    status=(
                        MaterialStatus.EXEMPTED
                        if m.source in EXEMPT_SOURCES
                        else MaterialStatus.MISSING
                    ),
                    reference=(m.data_item if m.source == MaterialSource.DATA_SHARING else ""),
                )
                for m in requirements
            )
            role = "clerk" if staff_intake else "applicant"
            _event(case, action="create", actor=actor, role=role, to_status=S.DRAFT)
    except IntegrityError:
        # A concurrent request with the same idempotency key won the race.
        if intake.idempotency_key:
            return Case.objects.get(idempotency_key=intake.idempotency_key)
        raise
    return case


def _lock(case: Case, expected_revision: int | None) -> Case:
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if expected_revision is not None and locked.revision != expected_revision:
        raise Conflict("conflict", field="revision")
    return locked


def _pause_spans(case: Case) -> list[tuple[date, date]]:
    return [(p.started_on, p.ended_on) for p in case.pauses.all() if p.ended_on is not None]


def _set_completion_deadlines(case: Case, accepted_on: date) -> None:
    d = deadlines.completion_deadlines(
        work_calendar(),
        accepted_on=accepted_on,
        promised_days=case.promised_days,
        statutory_days=case.statutory_days,
        pauses=_pause_spans(case),
    )
    case.promised_deadline, case.statutory_deadline = d.promised, d.statutory
    case.deadline_unknown = d.unknown


def _missing_required(case: Case) -> list[str]:
    return [
        m.name
        for m in case.materials.all()
        if m.is_required and m.status in (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE)
    ]


def _apply_side_effects(case: Case, to: str, *, today: date, now: Any, opinion: str) -> None:
    frm = case.status
    if frm in PAUSED and to not in PAUSED:
        pause = case.pauses.filter(ended_on__isnull=True).order_by("-started_on").first()
        if pause is not None:
            pause.ended_on = today
            pause.save(update_fields=["ended_on"])
        case.paused_from = ""
        if case.accepted_on is not None:
            _set_completion_deadlines(case, case.accepted_on)
    if to in PAUSED and frm not in PAUSED:
        CasePause.objects.create(case=case, kind=to, reason=opinion, started_on=today)
        case.paused_from = frm
    if to == S.SUBMITTED:
        missing = _missing_required(case)
        if missing:
            raise ValidationFailed(
                "materials_missing", f"以下材料尚未提交：{'、'.join(missing)}", field="materials"
            )
        case.submitted_at = now
        case.exempted_materials = case.materials.filter(status=MaterialStatus.EXEMPTED).count()
        case.case_number = case_number_issue(
            task_code=case.implementation.task_code,
            day=today,
            # this node's share of the item's serials (federation): keyed on the item's
            # region, so a 多地联办 parent numbered under a foreign item uses the block too
            **serial_share(case.implementation.region_id),
        )
        case.acceptance_deadline = deadlines.acceptance_deadline(work_calendar(), today)
        case.deadline_unknown = case.acceptance_deadline is None
    elif to == S.ACCEPTED:
        case.accepted_at = now
        case.accepted_on = today
        _set_completion_deadlines(case, today)
    elif to in (S.APPROVED, S.DENIED):
        case.decided_at = now
    elif to == S.RESULT_ISSUED:
        case.result_issued_at = now
    elif to == S.DELIVERED:
        case.delivered_at = now
    elif to in (S.CLOSED, S.REFUSED, S.WITHDRAWN, S.REVOKED):
        case.closed_at = case.closed_at or now


def case_transition(
    *,
    actor: Actor,
    case: Case,
    to: str,
    opinion: str = "",
    expected_revision: int | None = None,
    data: dict[str, Any] | None = None,
    today: date | None = None,
    shown_as: str | None = None,
) -> Case:
    """Move ``case`` to status ``to`` — the one guarded write path of the state machine.

    ``shown_as`` only changes how the timeline names the actor (a move replicated from
    another node, applied as SYSTEM); authorisation is always ``actor``'s."""
    with transaction.atomic():
        locked = _lock(case, expected_revision)
        roles = case_roles(actor, locked)
        if not roles:
            raise NotFound("办件")
        move = move_for(locked.status, to)
        if move is None:
            target = S(to).label if to in S.values else to
            raise ValidationFailed(
                "illegal_transition",
                f"办件当前状态为“{S(locked.status).label}”，不能变更为“{target}”",
                field="status",
            )
        resuming = locked.status == S.SUPPLEMENT_REQUESTED and to not in (S.REFUSED, S.WITHDRAWN)
        if resuming and to != locked.paused_from:
            raise ValidationFailed("illegal_transition", field="status")
        acting = roles & move.roles
        if not acting:
            raise PermissionDenied("permission_denied")
        remote_move_check(actor=actor, case=locked, move=move, acting=acting)
        if (
            to == S.WITHDRAWN
            and locked.mode == CaseMode.JOINT
            and locked.parent_id is None
            and not (data or {}).get("joint_withdrawal")
        ):
            # A 多地联办 application is withdrawn whole, parts included (joint_withdraw).
            raise ValidationFailed("joint_withdraw_whole", field="status")
        if move.reason_required and not opinion.strip():
            raise ValidationFailed("reason_required", field="opinion")
        # 一次性告知 lists the materials (case_request_supplement); resuming needs every
        # flagged material provided again (case_supplement) — whatever the caller.
        if to == S.SUPPLEMENT_REQUESTED and not (data or {}).get("defects"):
            raise ValidationFailed("supplement_needs_materials", field="defects")
        if resuming and locked.materials.filter(status=MaterialStatus.DEFECTIVE).exists():
            raise ValidationFailed("supplement_incomplete", field="materials")
        now = timezone.now()
        today = today or timezone.localdate()
        frm = locked.status
        _apply_side_effects(locked, to, today=today, now=now, opinion=opinion)
        locked.status = to
        locked.status_changed_at = now
        locked.revision += 1
        locked.save()
        role = SYSTEM if SYSTEM in acting else sorted(acting)[0]
        _event(
            locked,
            action=move.action,
            actor=actor,
            role=role,
            from_status=frm,
            to_status=to,
            opinion=opinion,
            data=data,
            shown_as=shown_as,
        )
        if not locked.handled_for_node:  # the intake node tells the applicant, once
            notify_case_applicant(locked, event=move.label, opinion=opinion)
        if to == S.APPROVED and locked.version.result_type == ResultType.LICENCE:
            # E-licence results are issued by the licences app, in the background.
            enqueue(
                "licences.issue_for_case", {"case_id": locked.pk}, dedupe_key=f"lic-{locked.pk}"
            )
        if locked.mode == CaseMode.PROXY_INTAKE and to == S.SUBMITTED:
            outbox_write(
                type=HANDED_OFF,
                stream=locked.case_number or f"case-{locked.pk}",
                recipient_region_id=locked.handling_region_id,
                payload=handoff_payload(locked),
            )
        elif locked.mode == CaseMode.PROXY_INTAKE and to != S.SUBMITTED:
            outbox_write(
                type=STATUS_CHANGED,
                stream=locked.case_number or f"case-{locked.pk}",
                recipient_region_id=locked.intake_region_id,
                payload={
                    "case_number": locked.case_number,
                    "regions": [locked.handling_region_id],  # what the sender speaks for
                    "from": frm,
                    "to": to,
                    "revision": locked.revision,
                },
            )
    return locked


def handoff_payload(case: Case) -> dict[str, Any]:
    return {
        "case_number": case.case_number,
        "regions": [case.intake_region_id],  # what the sender speaks for
        "task_code": case.implementation.task_code,
        "version": case.version.version,
        "intake_region": case.intake_region_id,
        "intake_window": case.intake_window_id,
        "handling_region": case.handling_region_id,
        "applicant": {"kind": case.applicant_kind, "name": case.applicant_name},
        "materials": [
            {"name": m.name, "status": m.status, "files": m.n_files}
            for m in case.materials.annotate(n_files=Count("files")).order_by("pk")
        ],
    }
