"""API input/output for 多地联办 (/api/v1/cases/joint, /{ref}/parts) and the result
hand-over (/{ref}/hand-over). The input turns into the same service arguments as the
window page (``joint_application_create``, ``result_hand_over``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from ninja import Field, Schema

from tongban.cases.joint import JointPart
from tongban.cases.joint_selectors import JointView, PartRow
from tongban.cases.joint_withdraw import JointWithdrawal
from tongban.cases.schemas import ApplicantIn, CaseSummaryOut, case_ref
from tongban.cases.schemas_intake import IDEMPOTENCY_MAX, ChecklistEntryIn, IdentityIn, scan_of
from tongban.cases.services import ApplicantInput, IntakeInput
from tongban.cases.services_window import ChecklistEntry, IdentityCheck
from tongban.cases.transitions import CaseStatus

MAX_PARTS = 20


class JointPartIn(Schema):
    task_code: str = Field(max_length=31, description="该部分事项的实施编码（31 位）")
    checklist: list[ChecklistEntryIn] = Field(default_factory=list)


class JointIntakeIn(Schema):
    window_id: int = Field(description="收件窗口；调用者须为该窗口的工作人员")
    applicant: ApplicantIn
    identity: IdentityIn
    parts: list[JointPartIn] = Field(
        min_length=1, max_length=MAX_PARTS, description="每个事项一个部分，至少两个不同事项"
    )
    channel: str = Field("window", description="window / kiosk / hotline")
    form_data: dict[str, Any] = Field(default_factory=dict)
    delivery: str = Field("electronic", description="post / pickup / electronic")
    delivery_address: str = Field("", max_length=300)
    idempotency_key: str | None = Field(
        None, max_length=IDEMPOTENCY_MAX, description="也可用请求头 Idempotency-Key；请求头优先"
    )

    def intake(self, key: str | None) -> IntakeInput:
        a = self.applicant
        return IntakeInput(
            applicant=ApplicantInput(
                kind=a.kind,
                name=a.name,
                code=a.code,
                phone=a.phone,
                agent_name=a.agent_name,
                agent_id_number=a.agent_id_number,
            ),
            channel=self.channel,
            form_data=self.form_data,
            delivery=self.delivery,
            delivery_address=self.delivery_address,
            idempotency_key=key,
        )

    def identity_check(self) -> IdentityCheck:
        return IdentityCheck(self.identity.verified, self.identity.method)

    def joint_parts(self) -> list[JointPart]:
        return [
            JointPart(
                p.task_code.strip().upper(),
                [
                    ChecklistEntry(
                        requirement_id=e.requirement_id,
                        received=e.received,
                        original_checked=e.original_checked,
                        scans=[scan_of(s, e.requirement_id) for s in e.scans],
                        defer=e.defer,
                    )
                    for e in p.checklist
                ],
            )
            for p in self.parts
        ]


class JointPartOut(Schema):
    ref: str
    case_number: str | None
    item_name: str
    task_code: str
    region_code: str
    region_name: str
    department_name: str
    node: str = Field(description="办理该部分的节点；空字符串表示本节点")
    remote_case_number: str = Field(description="办理节点上的办件编号（异地部分）")
    status: str
    status_label: str
    accepted: bool
    approved: bool
    failed: bool
    reason: str = Field(description="未获准予的理由（不予受理、不予许可、撤回或撤销时）")
    promised_deadline: date | None
    statutory_deadline: date | None
    deadline_unknown: bool

    @classmethod
    def of(cls, row: PartRow) -> JointPartOut:
        c = row.case
        return cls(
            ref=case_ref(c),
            case_number=c.case_number,
            item_name=c.item_name,
            task_code=c.implementation.task_code,
            region_code=c.handling_region.code,
            region_name=c.handling_region.name,
            department_name=c.handling_department.name,
            node=row.node,
            remote_case_number=row.remote_number,
            status=c.status,
            status_label=CaseStatus(c.status).label,
            accepted=row.state.accepted,
            approved=row.state.approved,
            failed=row.state.failed,
            reason=row.state.reason,
            promised_deadline=c.promised_deadline,
            statutory_deadline=c.statutory_deadline,
            deadline_unknown=c.deadline_unknown,
        )


class JointOut(Schema):
    application: CaseSummaryOut = Field(description="多地联办申请（父办件，统计时计一件）")
    parts: list[JointPartOut]
    decision: str | None = Field(
        description=(
            "各部分均已决定时的合并结果：approved / denied；整体撤回为 withdrawn；未全部决定为 null"
        )
    )
    failed: int = Field(description="未获准予的部分数")

    @classmethod
    def of(cls, view: JointView) -> JointOut:
        return cls(
            application=CaseSummaryOut.of(view.parent),
            parts=[JointPartOut.of(r) for r in view.parts],
            decision=view.decision,
            failed=view.failed,
        )


class HandOverIn(Schema):
    method: str = Field(description="pickup（窗口当面交付）/ post（邮寄送达）")
    recipient: str = Field("", max_length=64, description="领取人姓名（当面交付必填）")
    recipient_kind: str = Field(
        "applicant", description="applicant（申请人本人）/ agent（他人代领）"
    )
    recipient_id_number: str = Field(
        "",
        max_length=18,
        description="领取人公民身份号码（GB 11643 校验）；他人代领时必填",
    )
    carrier: str = Field("", max_length=64, description="承运商（邮寄）")
    tracking_number: str = Field("", max_length=64, description="运单号（邮寄）")
    expected_revision: int | None = None


class JointWithdrawIn(Schema):
    reason: str = Field(
        "", max_length=500, description="撤回理由；窗口人员代申请人撤回时必填（reason_required）"
    )
    expected_revision: int | None = Field(
        None, description="读取时父办件的 revision；已被他人修改则返回 409 conflict"
    )


class KeptPartOut(Schema):
    ref: str
    status: str
    status_label: str


class JointWithdrawalOut(Schema):
    joint: JointOut = Field(description="撤回后的联办申请及各部分")
    withdrawn: list[str] = Field(
        description="本次撤回的部分（异地部分已通过节点消息通知办理地节点）"
    )
    kept: list[KeptPartOut] = Field(description="已有决定或已结束、未撤回的部分")

    @classmethod
    def of(cls, result: JointWithdrawal, view: JointView) -> JointWithdrawalOut:
        return cls(
            joint=JointOut.of(view),
            withdrawn=[case_ref(p.case) for p in result.parts if p.withdrawn],
            kept=[
                KeptPartOut(
                    ref=case_ref(p.case), status=p.status, status_label=CaseStatus(p.status).label
                )
                for p in result.kept
            ],
        )
