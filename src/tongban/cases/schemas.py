"""API input/output for cases (/api/v1/cases). Outputs build themselves from the
selectors' objects (``.of``), so routes stay parse → service/selector → schema."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from ninja import Field, Schema

from tongban.cases.models import (
    Case,
    CaseEvent,
    CaseFile,
    CaseMaterial,
    MaterialStatus,
    Shipment,
)
from tongban.cases.selectors import CaseDetail, CaseFilters, CasePage
from tongban.cases.transitions import CaseStatus, Move

REF_HELP = (
    "办件的路径标识 ref：已提交的办件用办件编号（43 位：实施编码 31 位 + yyyyMMdd + 4 位流水号），"
    "草稿尚无办件编号，用数字 id（任何办件也都可用数字 id）。每个输出都带有 `ref`。"
)

# Moves that have their own endpoint, because they carry more than a status.
_MOVE_ENDPOINTS = {"request_supplement": "supplement-request", "supplement": "supplement"}


def case_ref(case: Case) -> str:
    return case.case_number or str(case.pk)


# --- input ------------------------------------------------------------------------------


class ApplicantIn(Schema):
    kind: str = Field(description="person（自然人）/ organisation（法人）")
    name: str = Field(max_length=128)
    code: str = Field(max_length=18, description="公民身份号码 或 统一社会信用代码")
    phone: str = Field("", max_length=20)
    agent_name: str = Field("", max_length=64)
    agent_id_number: str = Field("", max_length=18)


class CaseCreateIn(Schema):
    task_code: str = Field(max_length=31, description="事项实施编码（31 位）")
    applicant: ApplicantIn
    channel: str = Field(description="pc / mobile / window / kiosk / hotline")
    window_id: int | None = Field(None, description="窗口收件（channel=window）时必填")
    form_data: dict[str, Any] = Field(default_factory=dict)
    delivery: str = Field("electronic", description="post / pickup / electronic")
    delivery_address: str = Field("", max_length=300)
    idempotency_key: str | None = Field(
        None, max_length=80, description="也可用请求头 Idempotency-Key；请求头优先"
    )


class TransitionIn(Schema):
    to: str = Field(description="目标状态（见详情中的 moves）")
    opinion: str = Field("", max_length=2000)
    expected_revision: int | None = Field(
        None, description="读取时的 revision；已被他人修改则返回 409 conflict"
    )


class DefectIn(Schema):
    material_id: int
    note: str = Field(max_length=300)


class SupplementRequestIn(Schema):
    defects: list[DefectIn]
    opinion: str = Field("", max_length=2000)
    expected_revision: int | None = None


class SupplementIn(Schema):
    expected_revision: int | None = None


class ShipmentIn(Schema):
    kind: str = Field(description="originals（原件寄递）/ result（结果寄递）")
    carrier: str = Field(max_length=64)
    tracking_number: str = Field(max_length=64)
    expected_revision: int | None = None


# --- output -----------------------------------------------------------------------------


class NamedRef(Schema):
    id: int | str
    name: str


class CaseSummaryOut(Schema):
    id: int
    ref: str
    case_number: str | None
    status: str
    status_label: str
    item_name: str
    task_code: str
    applicant_name: str
    applicant_kind: str
    channel: str
    mode: str
    intake_region: NamedRef
    intake_window: NamedRef | None
    handling_department: NamedRef
    handling_region: NamedRef
    created_at: datetime
    submitted_at: datetime | None
    acceptance_deadline: date | None
    promised_deadline: date | None
    deadline_unknown: bool
    revision: int

    @classmethod
    def fields_of(cls, c: Case) -> dict[str, Any]:
        w = c.intake_window
        return {
            "id": c.pk,
            "ref": case_ref(c),
            "case_number": c.case_number,
            "status": c.status,
            "status_label": CaseStatus(c.status).label,
            "item_name": c.item_name,
            "task_code": c.implementation.task_code,
            "applicant_name": c.applicant_name,
            "applicant_kind": c.applicant_kind,
            "channel": c.channel,
            "mode": c.mode,
            "intake_region": NamedRef(id=c.intake_region.code, name=c.intake_region.name),
            "intake_window": NamedRef(id=w.pk, name=str(w)) if w is not None else None,
            "handling_department": NamedRef(
                id=c.handling_department.pk, name=c.handling_department.name
            ),
            "handling_region": NamedRef(id=c.handling_region.code, name=c.handling_region.name),
            "created_at": c.created_at,
            "submitted_at": c.submitted_at,
            "acceptance_deadline": c.acceptance_deadline,
            "promised_deadline": c.promised_deadline,
            "deadline_unknown": c.deadline_unknown,
            "revision": c.revision,
        }

    @classmethod
    def of(cls, c: Case) -> CaseSummaryOut:
        return cls(**cls.fields_of(c))


class CaseListOut(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None = Field(description="下一页的 cursor；null 表示没有更多")

    @classmethod
    def of(cls, page: CasePage) -> CaseListOut:
        return cls(items=[CaseSummaryOut.of(c) for c in page.cases], next_cursor=page.next_cursor)


class FileOut(Schema):
    id: int
    material_id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime

    @classmethod
    def of(cls, f: CaseFile) -> FileOut:
        return cls(
            id=f.pk,
            material_id=f.material_id,
            original_name=f.original_name,
            content_type=f.content_type,
            size=f.size,
            sha256=f.sha256,
            uploaded_at=f.uploaded_at,
        )


class MaterialOut(Schema):
    id: int
    name: str
    is_required: bool
    status: str
    status_label: str
    defect_note: str
    original_required: bool
    original_checked: bool
    acceptance_standard: str
    reference: str
    files: list[FileOut]

    @classmethod
    def of(cls, m: CaseMaterial) -> MaterialOut:
        return cls(
            id=m.pk,
            name=m.name,
            is_required=m.is_required,
            status=m.status,
            status_label=MaterialStatus(m.status).label,
            defect_note=m.defect_note,
            original_required=m.requirement.original_required,
            original_checked=m.original_checked,
            acceptance_standard=m.requirement.acceptance_standard,
            reference=m.reference,
            files=[FileOut.of(f) for f in m.files.all()],
        )


class MoveOut(Schema):
    to: str
    to_label: str
    action: str
    label: str
    reason_required: bool
    endpoint: str = Field(description="transitions / supplement-request / supplement")

    @classmethod
    def of(cls, to: str, m: Move) -> MoveOut:
        return cls(
            to=to,
            to_label=CaseStatus(to).label,
            action=m.action,
            label=m.label,
            reason_required=m.reason_required,
            endpoint=_MOVE_ENDPOINTS.get(m.action, "transitions"),
        )


class ShipmentOut(Schema):
    id: int
    kind: str
    kind_label: str
    carrier: str
    tracking_number: str
    sent_at: datetime | None
    received_at: datetime | None

    @classmethod
    def of(cls, s: Shipment) -> ShipmentOut:
        return cls(
            id=s.pk,
            kind=s.kind,
            kind_label=Shipment.Kind(s.kind).label,
            carrier=s.carrier,
            tracking_number=s.tracking_number,
            sent_at=s.sent_at,
            received_at=s.received_at,
        )


class DeadlinesOut(Schema):
    acceptance_deadline: date | None
    accepted_on: date | None
    promised_days: int
    statutory_days: int
    promised_deadline: date | None
    statutory_deadline: date | None
    paused_working_days: int
    deadline_unknown: bool = Field(description="工作日历未覆盖，期限无法计算")


class CaseApplicantOut(Schema):
    kind: str
    name: str
    code: str
    phone: str
    agent_name: str
    agent_id_number: str


class CaseDetailOut(CaseSummaryOut):
    applicant: CaseApplicantOut
    form_data: dict[str, Any]
    delivery: str
    delivery_address: str
    paused_from: str | None
    deadlines: DeadlinesOut
    accepted_at: datetime | None
    decided_at: datetime | None
    result_issued_at: datetime | None
    delivered_at: datetime | None
    closed_at: datetime | None
    result_name: str
    result_number: str
    result_note: str
    materials: list[MaterialOut]
    shipments: list[ShipmentOut]
    my_roles: list[str] = Field(description="调用者对该办件的角色")
    moves: list[MoveOut] = Field(description="调用者现在可以执行的操作")

    @classmethod
    def of_detail(cls, d: CaseDetail) -> CaseDetailOut:
        c = d.case
        return cls(
            **cls.fields_of(c),
            applicant=CaseApplicantOut(
                kind=c.applicant_kind,
                name=c.applicant_name,
                code=c.applicant_code,
                phone=c.applicant_phone,
                agent_name=c.agent_name,
                agent_id_number=c.agent_id_number,
            ),
            form_data=c.form_data,
            delivery=c.delivery,
            delivery_address=c.delivery_address,
            paused_from=c.paused_from or None,
            deadlines=DeadlinesOut(
                acceptance_deadline=c.acceptance_deadline,
                accepted_on=c.accepted_on,
                promised_days=c.promised_days,
                statutory_days=c.statutory_days,
                promised_deadline=c.promised_deadline,
                statutory_deadline=c.statutory_deadline,
                paused_working_days=c.paused_working_days,
                deadline_unknown=c.deadline_unknown,
            ),
            accepted_at=c.accepted_at,
            decided_at=c.decided_at,
            result_issued_at=c.result_issued_at,
            delivered_at=c.delivered_at,
            closed_at=c.closed_at,
            result_name=c.result_name,
            result_number=c.result_number,
            result_note=c.result_note,
            materials=[MaterialOut.of(m) for m in d.materials],
            shipments=[ShipmentOut.of(s) for s in d.shipments],
            my_roles=sorted(d.roles),
            moves=[MoveOut.of(to, m) for to, m in d.moves.items()],
        )


class EventOut(Schema):
    seq: int
    action: str
    from_status: str | None
    from_label: str | None
    to_status: str | None
    to_label: str | None
    actor_name: str
    actor_role: str
    at: datetime
    opinion: str
    data: dict[str, Any]

    @classmethod
    def of(cls, e: CaseEvent) -> EventOut:
        return cls(
            seq=e.seq,
            action=e.action,
            from_status=e.from_status or None,
            from_label=CaseStatus(e.from_status).label if e.from_status else None,
            to_status=e.to_status or None,
            to_label=CaseStatus(e.to_status).label if e.to_status else None,
            actor_name=e.actor_name,
            actor_role=e.actor_role,
            at=e.at,
            opinion=e.opinion,
            data=e.data,
        )


class CaseListParams(Schema):
    """Typed list filters (repeat ``status`` for several)."""

    status: list[str] = Field(default_factory=list, description="状态，可重复")
    open_only: bool = Field(False, description="只看办理中（已提交、未办结）")
    task_code: str | None = Field(None, max_length=31)
    catalog_code: str | None = Field(None, max_length=12)
    department: int | None = Field(None, description="办理部门 id")
    region: str | None = Field(None, max_length=12, description="办理地区划代码，含下级")
    intake_region: str | None = Field(None, max_length=12, description="收件地区划代码，含下级")
    channel: str | None = None
    mode: str | None = None
    applicant_code: str | None = Field(None, max_length=18)
    deadline_from: date | None = Field(None, description="承诺办结时间不早于")
    deadline_to: date | None = Field(None, description="承诺办结时间不晚于")
    deadline_unknown: bool | None = Field(None, description="只看（或排除）期限无法计算的办件")
    window: int | None = Field(None, description="收件窗口 id")
    order: Literal["newest", "deadline"] = Field(
        "newest", description="newest：最新在前；deadline：承诺办结时间最早在前（无期限的不列出）"
    )
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(20, ge=1, le=200)

    def filters(self) -> CaseFilters:
        return CaseFilters(
            status=self.status or None,
            open_only=self.open_only,
            task_code=self.task_code or None,
            catalog_code=self.catalog_code or None,
            department_id=self.department,
            region_code=self.region or None,
            intake_region_code=self.intake_region or None,
            channel=self.channel or None,
            mode=self.mode or None,
            applicant_code=self.applicant_code or None,
            deadline_from=self.deadline_from,
            deadline_to=self.deadline_to,
            deadline_unknown=self.deadline_unknown,
            window_id=self.window,
        )
