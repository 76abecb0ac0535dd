"""Counter intake in one call, and in batches (kiosk batches, migrations, national
exchange imports).

``case_intake``: what a clerk does at the counter in one go — create the case for the
applicant, attach the scanned materials, record the identity check and original checks,
submit and (by default) accept — in one transaction of about ten statements: the case
number (one upsert), the case row inserted in its final status, then one bulk insert each
for materials, files, history events, the notification, the hand-off outbox message and
their jobs. Every rule of the step-by-step path (services.py, services_window.py,
services_materials.py) is applied first by ``intake_plan.plan_application``.

``case_intake_batch``: many applications at one window in one transaction, each checked
on its own. All or nothing: if any application breaks a rule, nothing is written and
``IntakeBatchRejected`` lists every bad application by index with its error code; a
clean batch commits whole. A replayed idempotency key answers with the existing case
(as the step path does) and is reported in ``replayed``.

One intake notifies the applicant once, of where the case ended (受理), rather than once
per intermediate move; a proxy case writes one hand-off message that carries its status.
See docs/adr/0007-one-call-and-batch-intake.md.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.accounts.models import Window
from tongban.cases.access import case_roles, window_clerk
from tongban.cases.bulk_insert import insert_rows
from tongban.cases.intake_plan import (
    Context,
    CounterApplication,
    Plan,
    PlannedFile,
    plan_application,
    reference_for,
)
from tongban.cases.models import Case, CaseEvent, CaseFile, CaseMaterial, CaseMode
from tongban.cases.numbering import case_numbers_issue
from tongban.cases.numbering_nodes import serial_share
from tongban.cases.services import HANDED_OFF, _actor_user
from tongban.catalog.agreements import window_rights_many
from tongban.core.actors import Actor
from tongban.core.calendar_store import work_calendar
from tongban.core.errors import (
    Conflict,
    PermissionDenied,
    TongbanError,
    ValidationFailed,
)
from tongban.core.jobs import enqueue_many
from tongban.federation.models import OutboxMessage
from tongban.notifications.models import Notification
from tongban.notifications.services import SEND_JOB, notification_build

MAX_BATCH = 1000
STORE_THREADS = 4
STORE_THREADS_FROM = 8  # files in one intake before writing them in threads
NOTIFY_JOB = SEND_JOB
DELIVER_JOB = "federation.deliver_outbox"

__all__ = [
    "MAX_BATCH",
    "BatchRowError",
    "CounterApplication",
    "IntakeBatchRejected",
    "IntakeBatchResult",
    "case_intake",
    "case_intake_batch",
]


@dataclass(frozen=True)
class BatchRowError:
    index: int
    code: str
    message: str
    field: str | None
    error: TongbanError = dataclasses.field(repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "code": self.code,
            "message": self.message,
            "field": self.field,
        }


class IntakeBatchRejected(ValidationFailed):
    """A batch with bad applications: nothing was written; ``errors`` lists every one."""

    def __init__(self, errors: list[BatchRowError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(
            "intake_batch_rejected",
            f"批量收件未写入：{len(errors)} 件申请有误"
            f"（首个为第 {first.index + 1} 件：{first.message}）",
            field="applications",
            details=[e.as_dict() for e in errors],
        )


@dataclass
class IntakeBatchResult:
    cases: list[Case]  # in the order of the applications
    replayed: list[int] = dataclasses.field(
        default_factory=list
    )  # indexes answered by an existing case


def _context(actor: Actor, window: Window, today: date | None) -> Context:
    if not window_clerk(actor, window.pk):
        raise PermissionDenied("permission_denied", "您不是该窗口的工作人员", field="window")
    return Context(
        actor=actor,
        user=_actor_user(actor),
        window=window,
        today=today or timezone.localdate(),
        now=timezone.now(),
        calendar=work_calendar(),
    )


def _replays(
    actor: Actor, apps: list[CounterApplication]
) -> tuple[dict[int, Case], list[BatchRowError]]:
    """Applications whose idempotency key already names a case (one query for all)."""
    keys = [a.intake.idempotency_key for a in apps if a.intake.idempotency_key]
    errors: list[BatchRowError] = []
    if len(set(keys)) != len(keys):
        seen: set[str] = set()
        for i, a in enumerate(apps):
            k = a.intake.idempotency_key
            if k and k in seen:
                errors.append(
                    _row_error(i, Conflict("batch_duplicate_key", field="idempotency_key"))
                )
            if k:
                seen.add(k)
    if not keys:
        return {}, errors
    existing = {c.idempotency_key: c for c in Case.objects.filter(idempotency_key__in=keys)}
    found: dict[int, Case] = {}
    for i, a in enumerate(apps):
        case = existing.get(a.intake.idempotency_key or "")
        if case is None:
            continue
        # A replay returns the case only to someone who may see it (the window's clerks).
        if case.applicant_user_id is not None or not case_roles(actor, case):
            errors.append(
                _row_error(i, Conflict("idempotency_key_reused", field="idempotency_key"))
            )
        else:
            found[i] = case
    return found, errors


def _row_error(index: int, exc: TongbanError) -> BatchRowError:
    return BatchRowError(index, exc.code, exc.message, exc.field, exc)


def _plan_all(
    ctx: Context, apps: list[CounterApplication], skip: set[int]
) -> tuple[list[Plan], list[BatchRowError]]:
    plans: list[Plan] = []
    errors: list[BatchRowError] = []
    todo = [a.implementation for i, a in enumerate(apps) if i not in skip]
    ctx.rights.update(window_rights_many(window=ctx.window, implementations=todo, on=ctx.today))
    for i, app in enumerate(apps):
        if i in skip:
            continue
        try:
            plans.append(plan_application(ctx, app, i))
        except TongbanError as exc:
            errors.append(_row_error(i, exc))
    return plans, errors


def _case_file(pf: PlannedFile, material: CaseMaterial, user: Any) -> CaseFile:
    return CaseFile(
        material=material,
        original_name=pf.scan.file_name[:200],
        content_type=pf.content_type,
        size=len(pf.scan.data),
        sha256=pf.sha256,
        uploaded_by=user,
    )


def _save_file(f: CaseFile, data: bytes) -> None:
    """Write one scan to storage as FieldFile.save does (name from upload_to)."""
    field_ = f.file.field
    name = field_.generate_filename(f, f"{f.sha256[:16]}-{f.material.pk}")
    f.file.name = field_.storage.save(name, ContentFile(data), max_length=field_.max_length)


def _store(files: list[tuple[CaseFile, bytes]]) -> None:
    """Write the scans of a batch; a few threads overlap the file-system calls (they
    release the GIL). Every write has finished (or raised) before the rows go in."""
    if len(files) < STORE_THREADS_FROM:
        for f, data in files:
            _save_file(f, data)
        return
    with ThreadPoolExecutor(max_workers=STORE_THREADS) as pool:
        for future in [pool.submit(_save_file, f, data) for f, data in files]:
            future.result()


def _handoff_payload(plan: Plan, materials: list[CaseMaterial], files: dict[int, int]) -> Any:
    case = plan.case
    version = case.version
    return {
        "case_number": case.case_number,
        "task_code": plan.task_code,
        "version": version.version,
        "intake_region": case.intake_region_id,
        "intake_window": case.intake_window_id,
        "handling_region": case.handling_region_id,
        "applicant": {"kind": case.applicant_kind, "name": case.applicant_name},
        "materials": [
            {"name": m.name, "status": m.status, "files": files.get(m.pk, 0)} for m in materials
        ],
        "status": case.status,
    }


def _write(ctx: Context, plans: list[Plan]) -> None:
    """Insert the planned rows: numbers per implementation, then one bulk insert per
    table. Runs inside the caller's transaction."""
    by_code: dict[str, list[Plan]] = defaultdict(list)
    for p in plans:
        by_code[p.task_code].append(p)
    for code, group in by_code.items():
        numbers = case_numbers_issue(
            task_code=code,
            day=ctx.today,
            count=len(group),
            **serial_share(group[0].case.implementation.region_id),
        )
        for p, number in zip(group, numbers, strict=True):
            p.case.case_number = number
    insert_rows(Case, [p.case for p in plans])
    materials = [
        CaseMaterial(
            case=p.case,
            requirement=r,
            name=r.name,
            is_required=r.is_required,
            status=p.material_status[r.pk],
            reference=reference_for(r),
            original_checked=r.pk in p.original_checked,
        )
        for p in plans
        for r in p.requirements
    ]
    insert_rows(CaseMaterial, materials)
    by_case: dict[int, list[CaseMaterial]] = defaultdict(list)
    for m in materials:
        by_case[m.case_id].append(m)
    scans: list[tuple[CaseFile, bytes]] = []
    for p in plans:
        assert p.case.pk is not None
        for m in by_case[p.case.pk]:
            scans += [
                (_case_file(pf, m, ctx.user), pf.scan.data)
                for pf in p.files.get(m.requirement_id, [])
            ]
    _store(scans)
    files = [f for f, _ in scans]
    insert_rows(CaseFile, files)
    actor_name = str(ctx.user) if ctx.user else "系统"
    events = [
        CaseEvent(
            case=p.case,
            seq=seq,
            action=e.action,
            from_status=e.from_status,
            to_status=e.to_status,
            actor=ctx.user,
            actor_role=e.role,
            actor_name=actor_name,
            at=ctx.now,
            data=e.data,
        )
        for p in plans
        for seq, e in enumerate(p.events, start=1)
    ]
    insert_rows(CaseEvent, events)
    # One message per case, of where the intake left it (not one per move).
    notes = [
        notification_build(p.case, event=p.last_move.label if p.last_move else "") for p in plans
    ]
    insert_rows(Notification, notes)
    jobs = [(NOTIFY_JOB, {"id": n.pk}) for n in notes]
    counts: dict[int, int] = defaultdict(int)
    for f in files:
        counts[f.material.pk] += 1
    proxied = [p for p in plans if p.case.mode == CaseMode.PROXY_INTAKE]
    # Federated: an item decided on another node travels as the whole application
    # (services_remote.case_hand_off, ADR 0010) — bulk inserts fire no post_save, so the
    # hand-off is called here; the engine's local hand-off note is for this node only.
    remote = _remote_nodes(proxied)
    proxied = [p for p in proxied if p.case.pk not in remote]
    messages = [
        OutboxMessage(
            type=HANDED_OFF,
            stream=p.case.case_number or "",
            seq=1,  # the case number was issued just now: its stream is new
            recipient_region_id=p.case.handling_region_id,
            payload=_handoff_payload(p, by_case[p.case.pk or 0], counts),
        )
        for p in proxied
    ]
    insert_rows(OutboxMessage, messages)
    jobs += [(DELIVER_JOB, {"id": m.pk}) for m in messages]
    enqueue_many(jobs, run_at=ctx.now)
    if remote:
        from tongban.cases.services_remote import case_hand_off

        for case in (p.case for p in plans if p.case.pk in remote):
            case_hand_off(case, remote[case.pk])


def _remote_nodes(proxied: list[Plan]) -> dict[int, str]:
    """Case id → the other node deciding it (empty on a single node)."""
    from tongban.cases.services_remote_node import remote_node_for, this_node

    if this_node() is None:
        return {}
    out: dict[int, str] = {}
    for p in proxied:
        node = remote_node_for(p.case.handling_region_id)
        if node is not None and p.case.pk is not None:
            out[p.case.pk] = node
    return out


def case_intake_batch(
    *,
    actor: Actor,
    window: Window,
    applications: list[CounterApplication],
    today: date | None = None,
) -> IntakeBatchResult:
    """Take in many applications at ``window`` in one transaction (all or nothing)."""
    if not applications:
        raise ValidationFailed("invalid_input", "批量收件不能为空", field="applications")
    if len(applications) > MAX_BATCH:
        raise ValidationFailed("invalid_input", f"每批最多 {MAX_BATCH} 件", field="applications")
    ctx = _context(actor, window, today)
    for attempt in range(2):
        replays, errors = _replays(actor, applications)
        plans, bad = _plan_all(ctx, applications, set(replays) | {e.index for e in errors})
        errors = sorted(errors + bad, key=lambda e: e.index)
        if errors:
            raise IntakeBatchRejected(errors)
        try:
            with transaction.atomic():
                _write(ctx, plans)
        except IntegrityError:
            # A concurrent intake took one of the idempotency keys first: nothing of this
            # batch was written; look again (the key now answers as a replay).
            if attempt or not any(a.intake.idempotency_key for a in applications):
                raise
            continue
        break
    made = {p.index: p.case for p in plans}
    cases = [made[i] if i in made else replays[i] for i in range(len(applications))]
    return IntakeBatchResult(cases=cases, replayed=sorted(replays))


def case_intake(
    *,
    actor: Actor,
    window: Window,
    application: CounterApplication,
    today: date | None = None,
) -> Case:
    """Take one application in at the counter in one transaction; raise its coded error."""
    try:
        return case_intake_batch(
            actor=actor, window=window, applications=[application], today=today
        ).cases[0]
    except IntakeBatchRejected as exc:
        raise exc.errors[0].error from None
