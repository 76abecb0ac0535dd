"""Reads for cases. Every read starts from ``access.visible_cases(actor)``, so lists and
details apply the same object-level rules."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from tongban.accounts.models import Window
from tongban.cases.access import (
    applicant_filter,
    department_cases,
    require_case_access,
    staff_department_ids,
    visible_cases,
    window_cases,
)
from tongban.cases.models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseMode,
    Shipment,
    inbox_due,
    inbox_paused_rank,
)
from tongban.cases.transitions import OPEN, PAUSED, CaseStatus, Move, moves_from
from tongban.core.actors import Actor
from tongban.core.errors import NotFound, ValidationFailed

_BASE_RELATED = (
    "implementation",
    "handling_department",
    "handling_region",
    "intake_region",
    "intake_window",
    "intake_window__center",
)


def case_get(actor: Actor, *, case_id: int | None = None, case_number: str | None = None) -> Case:
    """One case the actor may see (NotFound otherwise — never a hint that it exists)."""
    qs = Case.objects.select_related(*_BASE_RELATED, "version")
    try:
        case = qs.get(pk=case_id) if case_id is not None else qs.get(case_number=case_number)
    except Case.DoesNotExist as exc:
        raise NotFound("办件") from exc
    require_case_access(actor, case)
    return case


def case_timeline(actor: Actor, case: Case) -> list[CaseEvent]:
    require_case_access(actor, case)
    return list(case.events.select_related("actor").order_by("seq"))


def case_available_moves(actor: Actor, case: Case) -> dict[str, Move]:
    """The moves the actor may make now (for buttons); supplement resumes only to where
    the pause came from."""
    roles = require_case_access(actor, case)
    moves = moves_from(case.status, roles)
    if case.status == CaseStatus.SUPPLEMENT_REQUESTED:
        moves = {
            to: m
            for to, m in moves.items()
            if to in (case.paused_from, CaseStatus.REFUSED, CaseStatus.WITHDRAWN)
        }
    return moves


@dataclass(frozen=True)
class CaseFilters:
    status: list[str] | None = None
    open_only: bool = False
    task_code: str | None = None
    catalog_code: str | None = None
    department_id: int | None = None
    region_code: str | None = None  # handling region (and everything inside it)
    intake_region_code: str | None = None
    channel: str | None = None
    mode: str | None = None
    applicant_code: str | None = None
    deadline_from: date | None = None
    deadline_to: date | None = None
    deadline_unknown: bool | None = None
    window_id: int | None = None


def _base(actor: Actor, f: CaseFilters) -> QuerySet[Case]:
    """Visible cases; narrowed to a plain indexable filter when the filter names a window
    or department the actor works at (the common workbench case)."""
    if f.window_id:
        narrowed = window_cases(actor, f.window_id)
        if narrowed is not None:
            return narrowed
    if f.department_id:
        narrowed = department_cases(actor, f.department_id)
        if narrowed is not None:
            return narrowed
    return visible_cases(actor)


def _filtered(actor: Actor, f: CaseFilters) -> QuerySet[Case]:
    from tongban.regions.codes import prefix

    qs = _base(actor, f)
    if f.status:
        bad = set(f.status) - set(CaseStatus.values)
        if bad:
            raise ValidationFailed(
                "invalid_input", f"未知状态：{'、'.join(sorted(bad))}", field="status"
            )
        qs = qs.filter(status__in=f.status)
    if f.open_only:
        qs = qs.filter(status__in=OPEN)
    if f.task_code:
        qs = qs.filter(implementation__task_code=f.task_code)
    if f.catalog_code:
        qs = qs.filter(implementation__baseline__catalog_code=f.catalog_code)
    if f.department_id:
        qs = qs.filter(handling_department_id=f.department_id)
    if f.region_code:
        qs = qs.filter(handling_region__code__startswith=prefix(f.region_code))
    if f.intake_region_code:
        qs = qs.filter(intake_region__code__startswith=prefix(f.intake_region_code))
    if f.channel:
        qs = qs.filter(channel=f.channel)
    if f.mode:
        qs = qs.filter(mode=f.mode)
    if f.applicant_code:
        qs = qs.filter(applicant_code=f.applicant_code.upper())
    if f.deadline_from:
        qs = qs.filter(promised_deadline__gte=f.deadline_from)
    if f.deadline_to:
        qs = qs.filter(promised_deadline__lte=f.deadline_to)
    if f.deadline_unknown is not None:
        qs = qs.filter(deadline_unknown=f.deadline_unknown)
    if f.window_id:
        qs = qs.filter(intake_window_id=f.window_id)
    return qs


@dataclass(frozen=True)
class CasePage:
    cases: list[Case]
    next_cursor: str | None


def _encode(values: list[object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def _decode(cursor: str, *, deadline: bool) -> tuple[date | None, int]:
    """(promised deadline or None, id) from a cursor; a tampered one is invalid_input."""
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        if not isinstance(raw, list) or len(raw) != 2:
            raise ValueError
        key, pk = raw
        if not isinstance(pk, int) or isinstance(pk, bool) or not isinstance(key, str):
            raise ValueError
        return (date.fromisoformat(key) if deadline else None), pk
    except (ValueError, json.JSONDecodeError) as exc:
        raise ValidationFailed("invalid_input", "分页游标无效", field="cursor") from exc


def case_list(
    actor: Actor,
    filters: CaseFilters,
    *,
    order: str = "newest",
    cursor: str | None = None,
    limit: int = 20,
) -> CasePage:
    """Keyset (cursor) pagination: ``newest`` by id descending, ``deadline`` by promised
    deadline ascending (cases without one last), then id."""
    qs = _filtered(actor, filters).select_related(*_BASE_RELATED)
    limit = max(1, min(limit, 200))
    if order == "deadline":
        qs = qs.filter(promised_deadline__isnull=False)
        if cursor:
            d, pk = _decode(cursor, deadline=True)
            # The >= bound lets the database start its index scan at the cursor.
            qs = qs.filter(promised_deadline__gte=d).filter(
                Q(promised_deadline__gt=d) | Q(promised_deadline=d, id__gt=pk)
            )
        rows = list(qs.order_by("promised_deadline", "id")[: limit + 1])
        nxt = (
            _encode([rows[limit - 1].promised_deadline.isoformat(), rows[limit - 1].pk])  # type: ignore[union-attr]
            if len(rows) > limit
            else None
        )
    elif order == "newest":
        if cursor:
            _, pk = _decode(cursor, deadline=False)
            qs = qs.filter(id__lt=pk)
        rows = list(qs.order_by("-id")[: limit + 1])
        nxt = _encode(["id", rows[limit - 1].pk]) if len(rows) > limit else None
    else:
        raise ValidationFailed("invalid_input", "排序方式只能是 newest 或 deadline", field="order")
    return CasePage(rows[:limit], nxt)


def department_inbox(actor: Actor, *, department_id: int | None = None) -> QuerySet[Case]:
    """Open cases routed to the actor's departments, most urgent first (paused last)."""
    if department_id is None:
        # Every department the actor staffs, as an IN list (no OR with other grants, so
        # the inbox index serves it); supervisors and applicants have no inbox.
        qs = Case.objects.filter(
            handling_department_id__in=staff_department_ids(actor),
            status__in=sorted(s.value for s in OPEN),
        )
    else:
        qs = _filtered(actor, CaseFilters(open_only=True, department_id=department_id))
    # The deadline running now (承诺办结时间 once accepted, 受理期限 before), paused cases
    # after running ones: the same expressions as the inbox index in models.py.
    return (
        qs.exclude(status=CaseStatus.DRAFT)
        .select_related(*_BASE_RELATED)
        .order_by(inbox_paused_rank(), inbox_due().asc(nulls_last=True), "id")
    )


def local_day(day: date) -> tuple[datetime, datetime]:
    """[start, end] of a local calendar day as aware datetimes (an index-friendly range,
    unlike ``created_at__date``)."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1) - timedelta(microseconds=1)


# What the clerk's board shows of each case (the countdown included): loading the rest
# of ~500 rows (form data, every timestamp, six related rows each) cost more than the
# five queries themselves.
_BOARD_FIELDS = (
    "id",
    "case_number",
    "item_name",
    "applicant_name",
    "status",
    "paused_from",
    "mode",
    "channel",
    "delivery",
    "intake_region_id",
    "intake_window_id",
    "applicant_user_id",
    "handling_department__name",
    "handling_region__name",
    "handling_region__full_name",
    "created_at",
    "acceptance_deadline",
    "promised_deadline",
    "deadline_unknown",
    "result_issued_at",
)
_OPEN_SORTED = sorted(s.value for s in OPEN)  # the partial indexes' predicate, verbatim


def clerk_queues(actor: Actor, *, window_id: int, today: date) -> dict[str, list[Case]]:
    """The clerk's day: today's intake, hand-offs in flight, originals to post, results to
    hand over at this window."""
    base = (
        _filtered(actor, CaseFilters(window_id=window_id))
        .select_related("handling_department", "handling_region")
        .only(*_BOARD_FIELDS)
    )
    return {
        "today": list(base.filter(created_at__range=local_day(today)).order_by("-id")[:100]),
        "in_flight": list(
            base.filter(mode=CaseMode.PROXY_INTAKE, status__in=OPEN - {CaseStatus.RESULT_ISSUED})
            .exclude(status__in=PAUSED)
            .order_by("promised_deadline", "id")[:100]
        ),
        "supplement": list(
            base.filter(status=CaseStatus.SUPPLEMENT_REQUESTED).order_by("id")[:100]
        ),
        # originals_pending is kept by the intake and shipment services (see models.py).
        "originals_to_post": list(
            base.filter(
                originals_pending=True, status__in=_OPEN_SORTED, mode=CaseMode.PROXY_INTAKE
            ).order_by("id")[:100]
        ),
        "results_to_hand_over": list(
            base.filter(status=CaseStatus.RESULT_ISSUED).order_by("result_issued_at", "id")[:100]
        ),
    }


def applicant_cases(actor: Actor) -> QuerySet[Case]:
    """我的办件: applied online, or taken in at a window for this real-name account; a
    多地联办 application once (its parts are on its page)."""
    return (
        visible_cases(actor)
        .filter(applicant_filter(actor), parent__isnull=True)
        .select_related(*_BASE_RELATED)
        .order_by("-id")
    )


# --- Reads for the cases JSON API (cases/api.py) ---------------------------------------

# 实施编码 (31) + yyyyMMdd + 4-digit serial; numeric ids are far shorter.
CASE_NUMBER_LENGTH = 43
_MAX_ID_DIGITS = 18


def case_get_by_ref(actor: Actor, ref: str) -> Case:
    """A case by the API's path handle: its 办件编号, or its numeric id (the only handle
    of a draft, which has no number until it is submitted)."""
    ref = (ref or "").strip()
    if ref.isdigit() and len(ref) <= _MAX_ID_DIGITS:
        return case_get(actor, case_id=int(ref))
    if len(ref) != CASE_NUMBER_LENGTH:
        raise NotFound("办件")
    return case_get(actor, case_number=ref.upper())


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    roles: frozenset[str]
    moves: dict[str, Move]
    materials: list[CaseMaterial]  # requirement and files loaded
    shipments: list[Shipment]


def case_detail(actor: Actor, case: Case) -> CaseDetail:
    """Everything one case page or API detail shows, for this actor."""
    roles = require_case_access(actor, case)
    return CaseDetail(
        case=case,
        roles=frozenset(roles),
        moves=case_available_moves(actor, case),
        materials=list(
            case.materials.select_related("requirement")
            .prefetch_related("files")
            .order_by("requirement__position", "id")
        ),
        shipments=list(case.shipments.order_by("id")),
    )


def case_shipment_get(actor: Actor, case: Case, shipment_id: int) -> Shipment:
    """A shipment of this case (NotFound for another case's shipment)."""
    require_case_access(actor, case)
    try:
        return case.shipments.get(pk=shipment_id)
    except Shipment.DoesNotExist as exc:
        raise NotFound("寄递记录", field="shipment") from exc


def window_get(window_id: int) -> Window:
    try:
        return Window.objects.select_related("center").get(pk=window_id)
    except Window.DoesNotExist as exc:
        raise NotFound("窗口", field="window_id") from exc


def case_exchange_export(actor: Actor, case: Case) -> dict[str, object]:
    """The case in the national exchange's five groups (see cases/exchange.py)."""
    from tongban.cases.exchange import case_exchange

    require_case_access(actor, case)
    related = (*_BASE_RELATED, "implementation__baseline", "version")
    full = Case.objects.select_related(*related).get(pk=case.pk)
    return case_exchange(
        full,
        events=list(full.events.order_by("seq")),
        materials=list(
            full.materials.select_related("requirement")
            .prefetch_related("files")
            .order_by("requirement__position", "id")
        ),
        shipments=list(full.shipments.order_by("id")),
        pauses=list(full.pauses.order_by("started_on", "id")),
    )


def idempotency_key_used(key: str) -> bool:
    """Whether a case was already opened with this key (a replay answers 200, not 201)."""
    return Case.objects.filter(idempotency_key=key).exists()


def visible_cases_for_supervisor(actor: Actor) -> QuerySet[Case]:
    """Open, submitted cases a supervisor's regions cover (intake or handling side)."""
    return (
        visible_cases(actor)
        .filter(status__in=sorted(s.value for s in OPEN))
        .select_related(*_BASE_RELATED)
    )
