"""API output of the national exchange export (cases/exchange.py builds the dict; these
schemas validate and document it). Group keys: accept=受理, process=过程, result=结果,
special_procedures=特别程序, materials=材料."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema


class ExRegion(Schema):
    code: str
    name: str


class ExDepartment(Schema):
    name: str
    uscc: str


class ExApplicant(Schema):
    kind: str
    name: str
    code: str
    code_type: str = Field(description="111 身份证号 / 001 统一社会信用代码")
    phone: str
    agent_name: str
    agent_id_number: str


class ExAccept(Schema):
    case_number: str | None
    task_code: str
    catalog_code: str
    item_name: str
    item_version: int
    applicant: ExApplicant
    submitted_at: datetime | None
    accepted_at: datetime | None
    intake_region: ExRegion
    intake_window: str | None
    channel: str
    mode: str
    handling_department: ExDepartment
    handling_region: ExRegion
    promised_days: int
    statutory_days: int
    promised_deadline: date | None
    statutory_deadline: date | None
    deadline_unknown: bool


class ExStep(Schema):
    seq: int
    name: str
    action: str
    from_status: str | None
    to_status: str | None
    start: datetime
    end: datetime
    handler: str
    handler_role: str
    opinion: str


class ExResult(Schema):
    code: int | None = Field(
        description="0 出证办结 1 退回 2 作废 3 删除 4 转报 5 补正逾期 6 其他办结；null 未办结"
    )
    label: str | None
    status: str
    time: datetime | None
    opinion: str
    certificate_name: str | None
    certificate_number: str | None
    by_post: bool
    satisfaction: int | None


class ExSpecialProcedure(Schema):
    kind: str
    kind_label: str
    reason: str
    start: date
    end: date | None
    result: str | None


class ExMaterial(Schema):
    name: str
    required: bool
    status: str
    received_via: str = Field(
        description="upload / paper / exempted / deferred / commitment / none"
    )
    copies: int
    files: int
    original_checked: bool
    reference: str | None


class ExchangeOut(Schema):
    format: str
    accept: ExAccept = Field(description="受理")
    process: list[ExStep] = Field(description="过程")
    result: ExResult = Field(description="结果")
    special_procedures: list[ExSpecialProcedure] = Field(description="特别程序")
    materials: list[ExMaterial] = Field(description="材料")
