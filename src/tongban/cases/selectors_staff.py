"""Reads for the staff workbenches: the clerk's windows and queues, the department
inbox with its working-day countdown, one case with everything its page shows.

Every case read goes through ``selectors`` (and so ``access.visible_cases`` /
``require_case_access``): a workbench can never show what the case page would refuse.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tongban.accounts.models import Department, Role, User, Window
from tongban.accounts.selectors import user_grants
from tongban.accounts.services import require_role
from tongban.cases import selectors
from tongban.cases.access import require_case_access
from tongban.cases.labels_remote import REMOTE_ACTION_LABELS, node_label
from tongban.cases.models import (
    Case,
    CaseEvent,
    CaseFile,
    CaseMaterial,
    CaseMode,
    CasePause,
    Shipment,
)
from tongban.cases.transitions import PAUSED, TRANSITIONS, CaseStatus, Move
from tongban.catalog.agreements import WindowRights, agreement_get, window_rights
from tongban.catalog.models import Agreement, ItemVersion
from tongban.catalog.search import SearchPage, search_items
from tongban.catalog.selectors_items import item_in_force
from tongban.core.actors import Actor
from tongban.core.calendar import CalendarExhausted, WorkCalendar, remaining_working_days
from tongban.core.errors import NotFound, ValidationFailed
from tongban.regions.codes import province_of

S = CaseStatus
STAFF_ROLES = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER, Role.SUPERVISOR})
INBOX_LIMIT = 200

# Timeline verbs that are not status moves.
_EXTRA_ACTIONS = {
    "create": "创建办件",
    "identity_check": "身份核验",
    "check_original": "原件核验",
    "ship": "寄出",
    "receive_shipment": "签收寄递",
}


def action_labels() -> dict[str, str]:
    """Chinese label of every timeline action (the first move label of each verb)."""
    labels = dict(_EXTRA_ACTIONS)
    for moves in TRANSITIONS.values():
        for move in moves.values():
            labels.setdefault(move.action, move.label)
    labels["withdraw"] = "撤回"
    labels.update(REMOTE_ACTION_LABELS)  # cases across nodes (labels_remote)
    return labels


# ---- who is working where ---------------------------------------------------------


def clerk_windows(user: User) -> list[Window]:
    """Windows where ``user`` takes in applications (most clerks have one)."""
    seen: dict[int, Window] = {}
    for g in user_grants(user):
        if g.role == Role.CLERK and g.window is not None:
            seen.setdefault(g.window.pk, g.window)
    return list(seen.values())


def staff_departments(user: User) -> list[Department]:
    """Departments whose inbox ``user`` works (clerk, reviewer or approver grants)."""
    seen: dict[int, Department] = {}
    for g in user_grants(user):
        if g.role in (Role.CLERK, Role.REVIEWER, Role.APPROVER) and g.department is not None:
            seen.setdefault(g.department.pk, g.department)
    return list(seen.values())


def is_staff(user: User) -> bool:
    return any(g.role in STAFF_ROLES for g in user_grants(user))


# ---- the countdown ----------------------------------------------------------------


@dataclass(frozen=True)
class Countdown:
    kind: str  # ok, soon, due, overdue, paused, unknown, none, done
    label: str
    days: int | None = None
    deadline: date | None = None
    which: str = ""  # 受理期限 or 承诺办结时间


_BEFORE_ACCEPTANCE = frozenset({S.SUBMITTED, S.PRE_REVIEW})
_RUNNING = frozenset({S.ACCEPTED, S.UNDER_REVIEW, S.APPROVED, S.DENIED})


def countdown(case: Case, cal: WorkCalendar, today: date) -> Countdown:
    """How many working days are left on the deadline that runs now."""
    if case.status == S.DRAFT:
        return Countdown("none", "未提交")
    if case.status in PAUSED:
        return Countdown("paused", f"暂停计时（{S(case.status).label}）")
    if case.status in _BEFORE_ACCEPTANCE:
        deadline, which = case.acceptance_deadline, "受理期限"
    elif case.status in _RUNNING:
        deadline, which = case.promised_deadline, "承诺办结时间"
    else:
        return Countdown("done", "不再计时")
    if deadline is None:
        return Countdown("unknown", "期限无法计算：工作日历未覆盖", which=which)
    try:
        n = remaining_working_days(cal, today, deadline)
    except CalendarExhausted:
        return Countdown("unknown", "期限无法计算：工作日历未覆盖", deadline=deadline, which=which)
    if n < 0:
        return Countdown("overdue", f"已超期 {-n} 天", n, deadline, which)
    if n == 0:
        return Countdown("due", "今日到期", 0, deadline, which)
    return Countdown("soon" if n == 1 else "ok", f"剩余 {n} 个工作日", n, deadline, which)


def cross_province(case: Case) -> bool:
    return province_of(case.intake_region_id) != province_of(case.handling_region_id)


@dataclass(frozen=True)
class CaseRow:
    case: Case
    countdown: Countdown

    @property
    def proxy(self) -> bool:
        return self.case.mode == CaseMode.PROXY_INTAKE

    @property
    def cross_province(self) -> bool:
        return cross_province(self.case)


# ---- department inbox -------------------------------------------------------------


@dataclass(frozen=True)
class Inbox:
    rows: list[CaseRow]
    truncated: bool


def inbox(
    actor: Actor,
    *,
    cal: WorkCalendar,
    today: date,
    department_id: int | None = None,
    status: str | None = None,
) -> Inbox:
    """Open cases of the actor's departments, most urgent first."""
    if status and status not in S.values:
        raise ValidationFailed("invalid_input", "未知状态", field="status")
    qs = selectors.department_inbox(actor, department_id=department_id)
    if status:
        qs = qs.filter(status=status)
    cases = list(qs[: INBOX_LIMIT + 1])
    rows = [CaseRow(c, countdown(c, cal, today)) for c in cases[:INBOX_LIMIT]]
    return Inbox(rows, len(cases) > INBOX_LIMIT)


# ---- the clerk's day --------------------------------------------------------------


def clerk_board(
    actor: Actor, *, window_id: int, cal: WorkCalendar, today: date
) -> dict[str, list[CaseRow]]:
    queues = selectors.clerk_queues(actor, window_id=window_id, today=today)
    return {
        name: [CaseRow(c, countdown(c, cal, today)) for c in cases]
        for name, cases in queues.items()
    }


# ---- intake -----------------------------------------------------------------------


def intake_search(q: str, *, limit: int = 20) -> SearchPage:
    """Any item in force (a clerk may look up every region's items)."""
    return search_items(q=q, limit=limit)


@dataclass(frozen=True)
class IntakeItem:
    version: ItemVersion
    rights: WindowRights
    agreements: list[Agreement]


def intake_item(*, task_code: str, window: Window, today: date) -> IntakeItem:
    """The item in force with what ``window`` may do for it."""
    version = item_in_force(task_code)
    rights = window_rights(window=window, implementation=version.implementation, on=today)
    return IntakeItem(version, rights, [agreement_get(pk) for pk in rights.agreement_ids])


# ---- one case ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineRow:
    event: CaseEvent
    label: str
    role_label: str
    to_label: str


def timeline_rows(events: list[CaseEvent]) -> list[TimelineRow]:
    labels = action_labels()
    roles = dict(Role.choices) | {"system": "系统"}
    nodes: dict[str, str] = {}
    return [
        TimelineRow(
            event=e,
            label=labels.get(e.action, e.action),
            role_label=_role_label(e, roles, nodes),
            to_label=S(e.to_status).label if e.to_status in S.values else "",
        )
        for e in events
    ]


def _role_label(e: CaseEvent, roles: dict[str, str], nodes: dict[str, str]) -> str:
    """An entry applied from another node says where it came from (its actor name already
    carries the organisation and role there)."""
    origin = e.data.get("origin_node") if isinstance(e.data, dict) else None
    if origin:
        if origin not in nodes:
            nodes[origin] = node_label(str(origin))
        return f"来自{nodes[origin]}"
    return roles.get(e.actor_role, e.actor_role)


@dataclass
class MaterialView:
    material: CaseMaterial
    files: list[CaseFile]


@dataclass
class CaseDetail:
    case: Case
    roles: set[str]
    events: list[TimelineRow]
    materials: list[MaterialView]
    moves: dict[str, Move]
    shipments: list[Shipment]
    countdown: Countdown
    intake_rights: WindowRights | None  # the intake window's rights (proxy cases)
    pauses: list[CasePause]
    at_intake_window: bool  # the actor is a clerk of the window that took it in


def case_by_ref(actor: Actor, ref: str) -> Case:
    """A case by its number, or (drafts have none) by its id."""
    if ref.isdigit() and len(ref) <= 12:
        return selectors.case_get(actor, case_id=int(ref))
    return selectors.case_get(actor, case_number=ref)


def case_detail(actor: Actor, ref: str, *, cal: WorkCalendar, today: date) -> CaseDetail:
    case = case_by_ref(actor, ref)
    roles = require_case_access(actor, case)
    materials = [
        MaterialView(m, list(m.files.all()))
        for m in case.materials.select_related("requirement").prefetch_related("files")
    ]
    rights = None
    if case.mode == CaseMode.PROXY_INTAKE and case.intake_window is not None:
        rights = window_rights(
            window=case.intake_window, implementation=case.implementation, on=today
        )
    windows = {w.pk for w in clerk_windows(actor)} if isinstance(actor, User) else set()
    return CaseDetail(
        case=case,
        roles=roles,
        events=timeline_rows(selectors.case_timeline(actor, case)),
        materials=materials,
        moves=selectors.case_available_moves(actor, case),
        shipments=list(case.shipments.order_by("sent_at", "id")),
        countdown=countdown(case, cal, today),
        intake_rights=rights,
        at_intake_window=case.intake_window_id in windows,
        pauses=list(case.pauses.all()),
    )


def case_materials(case: Case, *, status: str | None = None) -> list[CaseMaterial]:
    qs = case.materials.all()
    return list(qs.filter(status=status) if status else qs)


def case_file(actor: Actor, case: Case, file_id: int) -> CaseFile:
    require_case_access(actor, case)
    f = CaseFile.objects.filter(pk=file_id, material__case=case).first()
    if f is None:
        raise NotFound("文件")
    return f


def case_shipment(actor: Actor, case: Case, shipment_id: int) -> Shipment:
    require_case_access(actor, case)
    s = case.shipments.filter(pk=shipment_id).first()
    if s is None:
        raise NotFound("寄递记录")
    return s


# ---- supervisors ------------------------------------------------------------------


@dataclass(frozen=True)
class Watchlist:
    unknown: list[CaseRow]  # deadline past the working-day calendar: not computed
    overdue: list[CaseRow]


WATCH_LIMIT = 200


def supervision_watchlist(actor: Actor, *, cal: WorkCalendar, today: date) -> Watchlist:
    """What a supervisor must see every morning in their region: open cases whose deadline
    could not be computed (calendar not yet covering the year) and running cases past it."""
    require_role(actor, Role.SUPERVISOR)
    base = selectors.visible_cases_for_supervisor(actor)
    unknown = list(base.filter(deadline_unknown=True).order_by("id")[:WATCH_LIMIT])
    overdue = list(
        base.filter(promised_deadline__lt=today)
        .exclude(status__in=sorted(s.value for s in PAUSED))
        .order_by("promised_deadline", "id")[:WATCH_LIMIT]
    )
    return Watchlist(
        [CaseRow(c, countdown(c, cal, today)) for c in unknown],
        [CaseRow(c, countdown(c, cal, today)) for c in overdue],
    )
