"""Reads for the applicant's pages: the item to apply for with its material fields, the
list of my cases with their deadline countdown, and one case with its progress, timeline,
materials and the 一次性告知 of a supplement request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.paginator import Page, Paginator

from tongban.accounts.models import Role
from tongban.cases.access import case_roles
from tongban.cases.labels_remote import REMOTE_ACTION_LABELS
from tongban.cases.models import Case, CaseEvent, CaseMaterial, MaterialStatus, Shipment
from tongban.cases.selectors import applicant_cases, case_available_moves, case_get, case_timeline
from tongban.cases.services import EXEMPT_SOURCES
from tongban.cases.transitions import APPLICANT, BEFORE_DECISION, PAUSED, CaseStatus, move_for
from tongban.catalog.models import ItemImplementation, ItemVersion, MaterialRequirement
from tongban.catalog.selectors_versions import implementation_get
from tongban.core.actors import Actor
from tongban.core.calendar import CalendarExhausted, WorkCalendar, remaining_working_days
from tongban.core.errors import NotFound

S = CaseStatus
PAGE_SIZE = 20


# --- the application form -------------------------------------------------------------


@dataclass(frozen=True)
class ApplyItem:
    implementation: ItemImplementation
    version: ItemVersion
    online: bool  # 全程网办 or 网上申报

    @property
    def task_code(self) -> str:
        return self.implementation.task_code


def apply_item(task_code: str) -> ApplyItem:
    """The item in force to apply for online (NotFound when there is none)."""
    impl = implementation_get(task_code)
    version = impl.current_version
    if version is None:
        raise NotFound("该事项", field="task_code")
    return ApplyItem(impl, version, version.mode_fully_online or version.is_online)


_CHOICE_OF: dict[str, str] = {
    MaterialStatus.DEFERRED: "defer",
    MaterialStatus.COMMITMENT: "commitment",
}


@dataclass(frozen=True)
class MaterialField:
    requirement: MaterialRequirement
    exempt: bool
    can_defer: bool  # 容缺: the item allows it and the material is deferrable
    can_commit: bool  # 告知承诺
    status: str  # the draft's material status ("" before a draft exists)
    status_label: str
    files: list[str]  # names of files already on the draft
    stashed: str  # a file kept from an earlier try, waiting for the draft
    choice: str  # upload / defer / commitment

    @property
    def name(self) -> str:
        return f"file_{self.requirement.pk}"

    @property
    def choice_name(self) -> str:
        return f"how_{self.requirement.pk}"


def material_fields(
    version: ItemVersion, case: Case | None = None, stashed: dict[int, str] | None = None
) -> list[MaterialField]:
    stashed = stashed or {}
    on_case: dict[int, CaseMaterial] = {}
    if case is not None:
        on_case = {
            m.requirement_id: m for m in case.materials.prefetch_related("files").order_by("id")
        }
    rows = []
    for r in version.materials.order_by("position"):
        m = on_case.get(r.pk)
        status = m.status if m is not None else ""
        choice = _CHOICE_OF.get(status, "upload")
        rows.append(
            MaterialField(
                requirement=r,
                exempt=r.source in EXEMPT_SOURCES,
                can_defer=version.allows_deferral and r.deferrable,
                can_commit=version.allows_commitment,
                status=status,
                status_label=MaterialStatus(status).label if status else "",
                files=[f.original_name for f in m.files.all()] if m is not None else [],
                stashed=stashed.get(r.pk, ""),
                choice=choice,
            )
        )
    return rows


# --- deadlines --------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    label: str  # 受理期限 / 承诺办结时间 ("" when no clock runs)
    due: date | None
    remaining: int | None
    paused: bool = False
    unknown: bool = False

    @property
    def text(self) -> str:
        if self.unknown:
            return "期限无法计算：工作日历未覆盖"
        if self.paused:
            return "已暂停计时"
        if self.remaining is None:
            return ""
        if self.remaining > 0:
            return f"剩余 {self.remaining} 个工作日"
        if self.remaining == 0:
            return "今日到期"
        return f"已超期 {-self.remaining} 个工作日"

    @property
    def urgency(self) -> str:
        """CSS class of the badge: bad when overdue, warn when paused, unknown or close."""
        if self.unknown or self.paused:
            return "warn"
        if self.remaining is None:
            return ""
        if self.remaining < 0:
            return "bad"
        return "warn" if self.remaining <= 1 else "ok"


NO_CLOCK = Deadline("", None, None)


def deadline_of(case: Case, cal: WorkCalendar, today: date) -> Deadline:
    """The clock the applicant cares about now: acceptance before the case is accepted,
    completion after; paused during 补正 and 特别程序; none before submission or after a
    decision."""
    if case.status not in BEFORE_DECISION:
        return NO_CLOCK
    accepted = case.accepted_on is not None
    label = "承诺办结时间" if accepted else "受理期限"
    due = case.promised_deadline if accepted else case.acceptance_deadline
    if case.deadline_unknown or due is None:
        return Deadline(label, None, None, paused=case.status in PAUSED, unknown=True)
    if case.status in PAUSED:
        return Deadline(label, due, None, paused=True)
    try:
        remaining: int | None = remaining_working_days(cal, today, due)
    except CalendarExhausted:
        remaining = None  # today is outside the calendar: show the date alone
    return Deadline(label, due, remaining)


# --- status presentation ----------------------------------------------------------------

_STATUS_CLASS: dict[str, str] = {
    S.APPROVED: "ok",
    S.RESULT_ISSUED: "ok",
    S.DELIVERED: "ok",
    S.CLOSED: "ok",
    S.REFUSED: "bad",
    S.DENIED: "bad",
    S.WITHDRAWN: "bad",
    S.REVOKED: "bad",
    S.SUPPLEMENT_REQUESTED: "warn",
    S.SPECIAL_PROCEDURE: "warn",
}


def status_class(status: str) -> str:
    return _STATUS_CLASS.get(status, "")


# --- my cases ---------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    case: Case
    deadline: Deadline
    status_class: str

    @property
    def ref(self) -> str:
        return case_ref(self.case)


def case_ref(case: Case) -> str:
    """The case's address on the applicant pages: its number, or its id while a draft."""
    return case.case_number or str(case.pk)


def my_cases(
    actor: Actor, *, cal: WorkCalendar, today: date, page: int = 1
) -> tuple[Page[Any], list[CaseRow]]:
    p = Paginator(applicant_cases(actor), PAGE_SIZE).get_page(page)
    rows = [CaseRow(c, deadline_of(c, cal, today), status_class(c.status)) for c in p]
    return p, rows


def case_for_applicant(actor: Actor, ref: str) -> Case:
    """A case of the actor's own, by number (or id while a draft); NotFound otherwise."""
    ref = (ref or "").strip()
    if ref.isdigit() and len(ref) <= 18:
        case = case_get(actor, case_id=int(ref))
    elif 20 <= len(ref) <= 43:
        case = case_get(actor, case_number=ref.upper())
    else:
        raise NotFound("办件")
    if APPLICANT not in case_roles(actor, case):
        raise NotFound("办件")
    return case


# --- one case ---------------------------------------------------------------------------

STAGES = ("提交申请", "受理", "审查", "决定", "办结")
_STAGE_OF: dict[str, int] = {
    S.DRAFT: 0,
    S.SUBMITTED: 1,
    S.PRE_REVIEW: 1,
    S.ACCEPTED: 2,
    S.UNDER_REVIEW: 2,
    S.SPECIAL_PROCEDURE: 2,
    S.APPROVED: 4,
    S.DENIED: 4,
    S.RESULT_ISSUED: 4,
    S.DELIVERED: 4,
    S.CLOSED: 5,
}
_ROLE_LABELS = {**dict(Role.choices), "system": "系统"}
_ACTION_LABELS = {
    "create": "填写申请（草稿）",
    "ship": "寄出",
    "receive_shipment": "签收寄递",
    **REMOTE_ACTION_LABELS,  # cases across nodes (labels_remote)
}


@dataclass(frozen=True)
class Stage:
    label: str
    state: str  # done / current / todo / stopped


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str
    actor_name: str
    role_label: str
    opinion: str
    defects: list[dict[str, str]]
    detail: str


@dataclass(frozen=True)
class CaseDetail:
    case: Case
    ref: str
    status_class: str
    deadline: Deadline
    stages: list[Stage]
    timeline: list[TimelineEntry]
    materials: list[CaseMaterial]
    # The 一次性告知: every material flagged in the current supplement request.
    defects: list[CaseMaterial]
    supplement_opinion: str
    can_withdraw: bool
    can_supplement: bool


def _stage_index(case: Case, events: list[CaseEvent]) -> int:
    status = case.status
    if status == S.SUPPLEMENT_REQUESTED:
        return 1 if case.paused_from in (S.PRE_REVIEW, S.SUBMITTED) else 2
    if status in _STAGE_OF:
        return _STAGE_OF[status]
    # Ended early (不予受理, 撤回, 撤销): where it stood before.
    before = events[-1].from_status if events else S.DRAFT
    if before == S.SUPPLEMENT_REQUESTED:
        return 1 if case.accepted_on is None else 2
    return _STAGE_OF.get(before, 1)


def _stages(case: Case, events: list[CaseEvent]) -> list[Stage]:
    at = _stage_index(case, events)
    stopped = case.status in (S.REFUSED, S.WITHDRAWN, S.REVOKED)
    out = []
    for i, label in enumerate(STAGES):
        if i < at:
            state = "done"
        elif i == at:
            state = "stopped" if stopped else "current"
        else:
            state = "todo"
        out.append(Stage(label, state))
    return out


def _entry(e: CaseEvent) -> TimelineEntry:
    move = move_for(e.from_status, e.to_status) if e.to_status and e.from_status else None
    label = move.label if move is not None else _ACTION_LABELS.get(e.action, e.action)
    detail = ""
    if e.action == "ship":
        kind = Shipment.Kind(e.data["kind"]).label if e.data.get("kind") else ""
        detail = f"{kind} {e.data.get('carrier', '')} 运单号 {e.data.get('tracking_number', '')}"
    elif e.action == "receive_shipment":
        detail = f"运单号 {e.data.get('tracking_number', '')}"
    return TimelineEntry(
        at=e.at,
        label=label,
        actor_name=e.actor_name,
        # An entry from another node names the organisation and role in actor_name.
        role_label=""
        if e.data.get("origin_node")
        else _ROLE_LABELS.get(e.actor_role, e.actor_role),
        opinion=e.opinion,
        defects=list(e.data.get("defects", [])),
        detail=detail.strip(),
    )


def case_detail(actor: Actor, case: Case, *, cal: WorkCalendar, today: date) -> CaseDetail:
    events = case_timeline(actor, case)
    materials = list(case.materials.select_related("requirement").prefetch_related("files"))
    moves = case_available_moves(actor, case)
    defects: list[CaseMaterial] = []
    opinion = ""
    if case.status == S.SUPPLEMENT_REQUESTED:
        # The current request's list (an earlier round's notes stay on their materials).
        asked = [e for e in events if e.to_status == S.SUPPLEMENT_REQUESTED]
        last = asked[-1] if asked else None
        names = {d.get("material") for d in (last.data.get("defects", []) if last else [])}
        defects = [m for m in materials if m.name in names or m.status == MaterialStatus.DEFECTIVE]
        opinion = last.opinion if last else ""
    return CaseDetail(
        case=case,
        ref=case_ref(case),
        status_class=status_class(case.status),
        deadline=deadline_of(case, cal, today),
        stages=_stages(case, events),
        timeline=[_entry(e) for e in events],
        materials=materials,
        defects=defects,
        supplement_opinion=opinion,
        can_withdraw=S.WITHDRAWN in moves and case.status in BEFORE_DECISION,
        can_supplement=case.status == S.SUPPLEMENT_REQUESTED and bool(defects),
    )
