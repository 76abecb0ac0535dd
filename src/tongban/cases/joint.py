"""多地联办: one application, one part (sub-case) per deciding region, one combined result
(docs/adr/0011-joint-applications.md).

``joint_application_create`` takes the application in at a window: the parent case (the
application, counted once) and one part per item, each taken in like any window case —
a part decided on another node is handed off there by the same mechanism as 异地代收代办.
Every timeline entry of a part (local, or replicated from the deciding node) runs
``joint_on_part_event``, which records a failed part on the parent at once and moves the
parent along ``combined_target`` through ``case_transition`` as SYSTEM.

Combination rule (pure, ``combined_target``): the parent is accepted when every part is
accepted (or already decided); it is decided when every part is decided — approved when
every part was approved, otherwise denied, naming each part that failed and why — and
then its result is issued. A refusal, denial, withdrawal or revocation of one part shows
on the parent immediately; the other parts are still decided and shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import Department, Window
from tongban.cases.access import window_clerk
from tongban.cases.models import Case, CaseEvent, CaseMode
from tongban.cases.services import IntakeInput, _actor_user, _event, case_transition
from tongban.cases.services_window import ChecklistEntry, IdentityCheck, window_intake
from tongban.cases.transitions import SYSTEM, CaseStatus
from tongban.catalog.agreements import window_rights
from tongban.catalog.models import ItemImplementation
from tongban.core.actors import SYSTEM as SYSTEM_ACTOR
from tongban.core.actors import Actor
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed

S = CaseStatus
FAILED = frozenset({S.DENIED, S.REFUSED, S.WITHDRAWN, S.REVOKED})
APPROVED_LATER = frozenset({S.APPROVED, S.RESULT_ISSUED, S.DELIVERED, S.CLOSED})
# The parent's path; it only ever moves forward along it.
PATH = (S.SUBMITTED, S.PRE_REVIEW, S.ACCEPTED, S.UNDER_REVIEW, "decision", S.RESULT_ISSUED)


@dataclass(frozen=True)
class PartState:
    number: str
    label: str  # item and region, for the parent's timeline
    accepted: bool
    failed: bool
    approved: bool
    reason: str = ""


@dataclass(frozen=True)
class Combined:
    target: str  # one of PATH (``decision`` resolved into APPROVED/DENIED)
    decision: str | None  # APPROVED / DENIED once every part is decided
    failed: tuple[PartState, ...] = ()


def combined_target(parts: list[PartState]) -> Combined:
    """Where the parent should be, given its parts (the combination rule)."""
    if not parts:
        return Combined(S.SUBMITTED, None)
    failed = tuple(p for p in parts if p.failed)
    if all(p.failed or p.approved for p in parts):
        return Combined(S.RESULT_ISSUED, S.DENIED if failed else S.APPROVED, failed)
    if all(p.accepted or p.failed or p.approved for p in parts):
        return Combined(S.ACCEPTED, None, failed)
    return Combined(S.PRE_REVIEW, None, failed)


def _part_failure(part: Case) -> CaseEvent | None:
    return (
        part.events.filter(to_status__in=sorted(FAILED)).order_by("seq").first()
        if part.status not in (S.APPROVED,)
        else None
    )


def part_state(part: Case) -> PartState:
    failure = _part_failure(part)
    label = f"{part.item_name}（{part.handling_region.name}）"
    approved = failure is None and part.status in APPROVED_LATER
    return PartState(
        number=part.case_number or "",
        label=label,
        accepted=part.accepted_at is not None,
        failed=failure is not None,
        approved=approved,
        reason=(failure.opinion if failure else ""),
    )


@dataclass
class JointPart:
    task_code: str
    checklist: list[ChecklistEntry] = field(default_factory=list)


def _coordinator(window: Window, first: ItemImplementation) -> Department:
    """The intake region's 政务服务 office coordinates (no clerk or reviewer grants)."""
    region = window.center.region_id
    office = (
        Department.objects.filter(region_id=region, name__contains="政务服务")
        .order_by("pk")
        .first()
    )
    return office or first.department


def joint_title(impls: list[ItemImplementation]) -> str:
    """多地联办：<each item name once>（<each region once>）, at most 200 characters."""
    names = dict.fromkeys(i.current_version.name for i in impls if i.current_version)
    regions = dict.fromkeys(i.region.name for i in impls)
    return f"多地联办：{'、'.join(names)}（{'、'.join(regions)}）"[:200]


def joint_application_create(
    *,
    actor: Actor,
    window: Window,
    intake: IntakeInput,
    identity: IdentityCheck,
    parts: list[JointPart],
    today: date | None = None,
) -> Case:
    """Take a 多地联办 application in at ``window``: the parent plus one part per item."""
    if not window_clerk(actor, window.pk):
        raise PermissionDenied("permission_denied", "您不是该窗口的工作人员", field="window")
    codes = [p.task_code for p in parts]
    if len(codes) < 2 or len(set(codes)) != len(codes):
        raise ValidationFailed("joint_needs_parts", field="parts")
    key = intake.idempotency_key
    if key:
        existing = Case.objects.filter(idempotency_key=key, mode=CaseMode.JOINT).first()
        if existing is not None:
            return existing
    today = today or timezone.localdate()
    impls: list[ItemImplementation] = []
    for i, code in enumerate(codes):
        impl = (
            ItemImplementation.objects.select_related(
                "current_version", "baseline", "department", "region"
            )
            .filter(task_code=code)
            .first()
        )
        if impl is None:
            raise NotFound("事项", field=f"parts.{i}.task_code")
        version = impl.current_version
        if version is None or not version.mode_joint:
            raise ValidationFailed("item_no_joint_mode", field=f"parts.{i}.task_code")
        rights = window_rights(window=window, implementation=impl, on=today)
        if not rights.local and (not rights.allowed or "joint" not in rights.modes):
            raise PermissionDenied("no_joint_agreement", field=f"parts.{i}.task_code")
        impls.append(impl)
    first = impls[0]
    first_version = first.current_version
    assert first_version is not None
    with transaction.atomic():
        user = _actor_user(actor)
        coordinator = _coordinator(window, first)
        a = intake.applicant
        parent = Case.objects.create(
            idempotency_key=key or None,
            implementation=first,
            version=first_version,
            item_name=joint_title(impls),
            item_kind=first.current_version.kind,  # type: ignore[union-attr]
            statutory_days=max(i.current_version.statutory_days for i in impls),  # type: ignore[union-attr]
            promised_days=max(i.current_version.promised_days for i in impls),  # type: ignore[union-attr]
            applicant_kind=a.kind,
            applicant_name=a.name.strip(),
            applicant_code=a.code,
            applicant_phone=a.phone,
            agent_name=a.agent_name,
            agent_id_number=a.agent_id_number,
            channel=intake.channel,
            mode=CaseMode.JOINT,
            intake_region_id=window.center.region_id,
            intake_window=window,
            intake_clerk=user,
            handling_department=coordinator,
            handling_region_id=window.center.region_id,
            form_data=dict(intake.form_data),
            delivery=intake.delivery,
            delivery_address=intake.delivery_address,
        )
        _event(parent, action="create", actor=actor, role="clerk", to_status=S.DRAFT)
        for i, (impl, part) in enumerate(zip(impls, parts, strict=True)):
            part_intake = IntakeInput(
                applicant=a,
                channel=intake.channel,
                form_data=dict(intake.form_data),
                delivery=intake.delivery,
                delivery_address=intake.delivery_address,
                idempotency_key=f"{key}#{i + 1}" if key else None,
            )
            child = window_intake(
                actor=actor,
                implementation=impl,
                window=window,
                intake=part_intake,
                identity=identity,
                checklist=part.checklist,
                today=today,
            )
            Case.objects.filter(pk=child.pk).update(parent=parent, mode=CaseMode.JOINT)
        parent = case_transition(actor=actor, case=parent, to=S.SUBMITTED, today=today)
        _event(
            parent,
            action="joint",
            actor=SYSTEM_ACTOR,
            role=SYSTEM,
            opinion=f"联办分发：共 {len(impls)} 个部分",
            data={"parts": list(parent.parts.values_list("case_number", flat=True))},
        )
        joint_rollup(parent)
    parent.refresh_from_db()
    return parent


def joint_on_part_event(event: CaseEvent) -> None:
    """A part's timeline moved: note a failure on the parent, then roll up."""
    part = event.case
    if part.parent_id is None or not event.to_status:
        return
    parent = Case.objects.select_for_update().get(pk=part.parent_id)
    # Withdrawn whole (joint_withdraw): the parent's own entry already lists its parts.
    if event.to_status in FAILED and parent.status != S.WITHDRAWN:
        _event(
            parent,
            action="part_failed",
            actor=SYSTEM_ACTOR,
            role=SYSTEM,
            opinion=(
                f"联办部分 {part.case_number}（{part.item_name}，{part.handling_region.name}）"
                f"{S(event.to_status).label}：{event.opinion or '—'}"
            ),
            data={"part": part.case_number, "to": event.to_status},
        )
    joint_rollup(parent)


def _decision_text(combined: Combined) -> str:
    if combined.decision == S.APPROVED:
        return "联办各部分均已准予，合并出具结果"
    failed = "；".join(f"{p.label} {p.number}：{p.reason or '未获准予'}" for p in combined.failed)
    return f"联办事项须各部分均准予。未获准予的部分：{failed}"


def joint_rollup(parent: Case) -> Case:
    """Move the parent forward to where its parts say it is (never backwards)."""
    parts = list(parent.parts.select_related("handling_region").order_by("pk"))
    combined = combined_target([part_state(p) for p in parts])
    here = "decision" if parent.status in (S.APPROVED, S.DENIED) else parent.status
    if here not in PATH:
        return parent  # withdrawn or revoked by hand: nothing more to combine
    goal = PATH.index(combined.target)
    while PATH.index(here) < goal:
        nxt = PATH[PATH.index(here) + 1]
        to = combined.decision if nxt == "decision" else nxt
        opinion = _decision_text(combined) if nxt in ("decision", S.RESULT_ISSUED) else ""
        data: dict[str, Any] = {"joint": True}
        parent = case_transition(
            actor=SYSTEM_ACTOR, case=parent, to=str(to), opinion=opinion, data=data
        )
        here = nxt
    if combined.decision and not parent.result_note:
        parent.result_note = _decision_text(combined)
        Case.objects.filter(pk=parent.pk).update(result_note=parent.result_note)
    return parent
