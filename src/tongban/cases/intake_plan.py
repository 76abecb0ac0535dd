"""Checking one counter application and planning its rows, without touching the database.

``plan_application`` applies every rule the step-by-step path applies (case_create_draft,
window_intake, material_upload / material_defer / material_check_original and
case_transition for each move) to an application held in memory, and returns the case,
materials, files and events it will write. The moves are looked up in the transitions
table and guarded with the actor's roles for the case exactly as ``case_transition``
does; the case is then inserted once, already in its final status, with one history row
per move. services_intake.py does the writing, for one application or a batch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from tongban.accounts.models import Window
from tongban.cases import deadlines
from tongban.cases.access import case_roles
from tongban.cases.files import check_upload
from tongban.cases.models import Case, CaseMode, Channel, Delivery, MaterialStatus
from tongban.cases.remote_guard import remote_move_check
from tongban.cases.requirements import originals_pending, version_requirements
from tongban.cases.services import EXEMPT_SOURCES, IntakeInput, _validate_applicant
from tongban.cases.services_remote_node import remote_node_for
from tongban.cases.services_window import (
    DEFER_CHOICES,
    IDENTITY_METHODS,
    ChecklistEntry,
    IdentityCheck,
    Scan,
)
from tongban.cases.transitions import (
    APPROVER,
    CLERK,
    REVIEWER,
    SYSTEM,
    CaseStatus,
    Move,
    move_for,
)
from tongban.catalog.agreements import WindowRights
from tongban.catalog.models import (
    ItemImplementation,
    MaterialRequirement,
    MaterialSource,
    WindowRight,
)
from tongban.core.actors import Actor
from tongban.core.calendar import WorkCalendar
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed

S = CaseStatus
# Where a counter intake may end, and the moves that lead there from a draft.
PATHS: dict[str, tuple[str, ...]] = {
    S.SUBMITTED: (S.SUBMITTED,),
    S.ACCEPTED: (S.SUBMITTED, S.PRE_REVIEW, S.ACCEPTED),
}


@dataclass
class CounterApplication:
    """One application taken in at the counter: applicant, checklist with scans, and the
    status the clerk takes it to (受理 on the spot, or only submitted)."""

    implementation: ItemImplementation
    intake: IntakeInput
    identity: IdentityCheck
    checklist: list[ChecklistEntry] = field(default_factory=list)
    to: str = S.ACCEPTED  # "": as far as this window may take it (see plan_application)


@dataclass(frozen=True)
class PlannedFile:
    scan: Scan
    content_type: str
    sha256: str


@dataclass(frozen=True)
class PlannedEvent:
    action: str
    role: str
    from_status: str = ""
    to_status: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class Plan:
    """Everything one application writes; ``case`` is unsaved, its number still unset."""

    index: int
    case: Case
    requirements: tuple[MaterialRequirement, ...]
    material_status: dict[int, str]  # requirement id → status
    original_checked: set[int]  # requirement ids
    files: dict[int, list[PlannedFile]]  # requirement id → files
    events: list[PlannedEvent]
    last_move: Move | None
    task_code: str


@dataclass
class Context:
    """What a batch looks up once: the actor's right to the window, the agreement rights
    per implementation, the calendar, the clock."""

    actor: Actor
    user: Any  # the acting User, or None for the system
    window: Window
    today: date
    now: datetime
    calendar: WorkCalendar
    rights: dict[int, WindowRights] = field(default_factory=dict)


def _check_form(app: CounterApplication) -> None:
    """Rules that need nothing but the application itself."""
    if not app.identity.verified:
        raise ValidationFailed("identity_check_required", field="identity_verified")
    if app.identity.method not in IDENTITY_METHODS:
        raise ValidationFailed("invalid_input", "身份核验方式不正确", field="identity_method")
    if app.to and app.to not in PATHS:
        target = S(app.to).label if app.to in S.values else app.to
        raise ValidationFailed(
            "illegal_transition", f"窗口收件不能直接办理到“{target}”", field="status"
        )
    intake = app.intake
    if intake.channel not in (Channel.WINDOW, Channel.KIOSK, Channel.HOTLINE):
        raise ValidationFailed("invalid_input", "网上申请不能指定收件窗口", field="window")
    if intake.delivery not in Delivery.values:
        raise ValidationFailed("invalid_input", "送达方式不正确", field="delivery")
    if intake.delivery == Delivery.POST and not intake.delivery_address.strip():
        raise ValidationFailed("delivery_address_required", field="delivery_address")
    _validate_applicant(intake.applicant)
    for entry in app.checklist:
        if entry.defer and entry.defer not in DEFER_CHOICES:
            raise ValidationFailed("invalid_input", "材料处理方式不正确", field="defer")


def _check_rights(app: CounterApplication, rights: WindowRights) -> None:
    if not rights.allowed:
        raise PermissionDenied(rights.reason or "no_agreement_right", field="window")
    if rights.local:
        return
    if app.intake.delivery == Delivery.PICKUP and WindowRight.DELIVER_RESULT not in rights.rights:
        raise ValidationFailed("no_deliver_result_right", field="delivery")
    if (
        any(e.original_checked for e in app.checklist)
        and WindowRight.VERIFY_ORIGINAL not in rights.rights
    ):
        raise PermissionDenied("no_verify_original_right", field="materials")


def _materials(
    app: CounterApplication, requirements: tuple[MaterialRequirement, ...]
) -> tuple[dict[int, str], dict[int, list[PlannedFile]], set[int]]:
    """Material statuses after the scans and deferrals, as the step path leaves them."""
    version = app.implementation.current_version
    assert version is not None
    by_id = {r.pk: r for r in requirements}
    status: dict[int, str] = {
        r.pk: MaterialStatus.EXEMPTED if r.source in EXEMPT_SOURCES else MaterialStatus.MISSING
        for r in requirements
    }
    files: dict[int, list[PlannedFile]] = {}
    checked: set[int] = set()
    for entry in app.checklist:
        req = by_id.get(entry.requirement_id)
        if req is None:
            raise NotFound("材料", field="materials")
        for scan in entry.scans:
            content_type, digest = check_upload(
                scan.data, claimed_type=scan.content_type, field=f"scan_{entry.requirement_id}"
            )
            files.setdefault(req.pk, []).append(PlannedFile(scan, content_type, digest))
            status[req.pk] = MaterialStatus.PROVIDED
        if entry.defer and not entry.scans:
            commitment = entry.defer == "commitment"
            if commitment and not version.allows_commitment:
                raise ValidationFailed("commitment_not_allowed", field="material")
            if not commitment and not (version.allows_deferral and req.deferrable):
                raise ValidationFailed("deferral_not_allowed", field="material")
            status[req.pk] = MaterialStatus.COMMITMENT if commitment else MaterialStatus.DEFERRED
        if entry.original_checked:
            checked.add(req.pk)
    return status, files, checked


def _moves(ctx: Context, case: Case, path: tuple[str, ...]) -> tuple[list[PlannedEvent], Move]:
    """Walk ``path`` through the transitions table with case_transition's guard, applying
    each move's side effects to the unsaved case."""
    events: list[PlannedEvent] = []
    move: Move | None = None
    for to in path:
        roles = case_roles(ctx.actor, case)
        if not roles:
            raise PermissionDenied("permission_denied")
        move = move_for(case.status, to)
        if move is None:
            raise ValidationFailed("illegal_transition", field="status")
        acting = roles & move.roles
        if not acting:
            raise PermissionDenied("permission_denied")
        # The step path's guard too: on an item decided on another node the window only
        # submits; 受理 is the deciding department's (else the two records diverge).
        remote_move_check(actor=ctx.actor, case=case, move=move, acting=acting)
        frm = case.status
        if to == S.SUBMITTED:
            case.submitted_at = ctx.now
            case.acceptance_deadline = deadlines.acceptance_deadline(ctx.calendar, ctx.today)
            case.deadline_unknown = case.acceptance_deadline is None
        elif to == S.ACCEPTED:
            case.accepted_at = ctx.now
            case.accepted_on = ctx.today
            d = deadlines.completion_deadlines(
                ctx.calendar,
                accepted_on=ctx.today,
                promised_days=case.promised_days,
                statutory_days=case.statutory_days,
                pauses=[],
            )
            case.promised_deadline, case.statutory_deadline = d.promised, d.statutory
            case.deadline_unknown = d.unknown
        case.status = to
        case.status_changed_at = ctx.now
        case.revision += 1
        role = SYSTEM if SYSTEM in acting else sorted(acting)[0]
        events.append(PlannedEvent(move.action, role, frm, to))
    assert move is not None
    return events, move


def plan_application(ctx: Context, app: CounterApplication, index: int) -> Plan:
    """Check one application against every intake rule; raise the first coded error."""
    _check_form(app)
    impl = app.implementation
    version = impl.current_version
    if version is None:
        raise ValidationFailed("item_not_in_force", field="task_code")
    rights = ctx.rights[impl.pk]
    _check_rights(app, rights)
    requirements = version_requirements(version)
    status, files, checked = _materials(app, requirements)
    intake, applicant = app.intake, app.intake.applicant
    mode = CaseMode.LOCAL if rights.local else CaseMode.PROXY_INTAKE
    # Named now (the hand-off records it too) so the moves meet the remote guard.
    remote = remote_node_for(impl.region_id) if mode == CaseMode.PROXY_INTAKE else None
    form_data: dict[str, Any] = dict(intake.form_data)
    user = ctx.user
    form_data["identity_check"] = {
        "verified": True,
        "method": app.identity.method,
        "method_label": IDENTITY_METHODS[app.identity.method],
        "by": str(user) if user else "系统",
        "by_id": getattr(user, "pk", None),
        "at": ctx.now.isoformat(),
    }
    names = {r.pk: r.name for r in requirements}
    form_data["intake_checklist"] = [
        {
            "material": names[e.requirement_id],
            "received": e.received,
            "original_checked": e.original_checked,
            "scans": len(e.scans),
            "defer": e.defer if not e.scans else "",
        }
        for e in app.checklist
    ]
    case = Case(
        idempotency_key=intake.idempotency_key or None,
        implementation=impl,
        version=version,
        item_name=version.name,
        item_kind=version.kind,
        statutory_days=version.statutory_days,
        promised_days=version.promised_days,
        applicant_kind=applicant.kind,
        applicant_name=applicant.name.strip(),
        applicant_code=applicant.code,
        applicant_phone=applicant.phone,
        applicant_user=None,
        agent_name=applicant.agent_name,
        agent_id_number=applicant.agent_id_number,
        channel=intake.channel,
        mode=mode,
        intake_region_id=ctx.window.center.region_id,
        intake_window=ctx.window,
        intake_clerk=user,
        handling_department_id=impl.department_id,
        handling_region_id=impl.region_id,
        form_data=form_data,
        delivery=intake.delivery,
        delivery_address=intake.delivery_address,
        originals_pending=originals_pending(mode, requirements),
        status=S.DRAFT,
        remote_node=remote or "",
    )
    events = [
        PlannedEvent("create", CLERK, to_status=S.DRAFT),
        PlannedEvent(
            "identity_check",
            CLERK,
            data={
                "method": app.identity.method,
                "method_label": IDENTITY_METHODS[app.identity.method],
            },
        ),
    ]
    if checked:
        roles = case_roles(ctx.actor, case) & {CLERK, REVIEWER, APPROVER, SYSTEM}
        if not roles:
            raise PermissionDenied("permission_denied")
        ordered = [r.name for r in requirements if r.pk in checked]
        events.append(PlannedEvent("check_original", sorted(roles)[0], data={"materials": ordered}))
        case.revision += 1
    missing = [
        r.name
        for r in requirements
        if r.is_required and status[r.pk] in (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE)
    ]
    if missing:
        raise ValidationFailed(
            "materials_missing", f"以下材料尚未提交：{'、'.join(missing)}", field="materials"
        )
    case.revision += sum(len(v) for v in files.values())  # one per upload, as the step path
    # Unnamed target: as far as this window may take it (受理 is the deciding
    # department's when the item is decided on another node).
    target = app.to or (S.SUBMITTED if remote else S.ACCEPTED)
    moved, last = _moves(ctx, case, PATHS[target])
    return Plan(
        index=index,
        case=case,
        requirements=requirements,
        material_status=status,
        original_checked=checked,
        files=files,
        events=events + moved,
        last_move=last,
        task_code=impl.task_code,
    )


def reference_for(req: MaterialRequirement) -> str:
    return req.data_item if req.source == MaterialSource.DATA_SHARING else ""
