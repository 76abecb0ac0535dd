"""API input/output for one-call counter intake (/api/v1/cases/intake, /intake-batch).

Scans travel as base64 with their declared content type; the bytes are checked by the
same code as multipart uploads (``files.check_upload``: size ≤ TONGBAN_UPLOAD_MAX_BYTES,
magic bytes against the declared type) when the service plans the application.
``to_applications`` turns the payload into ``CounterApplication``s: it resolves each
distinct 实施编码 once and decodes the scans, and reports every application it cannot
read by index (``intake_batch_rejected`` with per-index ``details``).
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from ninja import Field, Schema

from tongban.cases.intake_plan import CounterApplication
from tongban.cases.schemas import ApplicantIn, case_ref
from tongban.cases.services import ApplicantInput, IntakeInput
from tongban.cases.services_intake import MAX_BATCH, BatchRowError, IntakeBatchRejected
from tongban.cases.services_window import ChecklistEntry, IdentityCheck, Scan
from tongban.catalog.models import ItemImplementation
from tongban.catalog.selectors_versions import implementation_get
from tongban.config import CONFIG
from tongban.core.errors import TongbanError, ValidationFailed

IDEMPOTENCY_MAX = 80


class ScanIn(Schema):
    file_name: str = Field(max_length=200)
    content_type: str = Field(
        max_length=100,
        description="声明的类型：application/pdf、image/jpeg、image/png、application/ofd",
    )
    data_base64: str = Field(description="文件内容（base64）；按文件内容核验类型与大小")


class ChecklistEntryIn(Schema):
    requirement_id: int = Field(description="受理标准中的材料（MaterialRequirement）id")
    received: bool = False
    original_checked: bool = Field(False, description="已核验原件")
    scans: list[ScanIn] = Field(default_factory=list)
    defer: str = Field("", description="空、deferred（容缺后补）或 commitment（告知承诺）")


class IdentityIn(Schema):
    verified: bool = Field(description="已当面核验申请人身份")
    method: str = Field(description="face_match（人证比对）/ card_reader（读卡）")


class CounterApplicationIn(Schema):
    task_code: str = Field(max_length=31, description="事项实施编码（31 位）")
    applicant: ApplicantIn
    identity: IdentityIn
    checklist: list[ChecklistEntryIn] = Field(default_factory=list)
    channel: str = Field("window", description="window / kiosk / hotline")
    form_data: dict[str, Any] = Field(default_factory=dict)
    delivery: str = Field("electronic", description="post / pickup / electronic")
    delivery_address: str = Field("", max_length=300)
    to: str = Field(
        "",
        description=(
            "accepted（当场受理）或 submitted（仅提交）；缺省：本节点部门办理的事项当场受理，"
            "由其他节点办理的事项仅提交（由办理地部门受理）"
        ),
    )
    idempotency_key: str | None = Field(None, max_length=IDEMPOTENCY_MAX)


class CounterIntakeIn(CounterApplicationIn):
    window_id: int = Field(description="收件窗口；调用者须为该窗口的工作人员")
    idempotency_key: str | None = Field(
        None, max_length=IDEMPOTENCY_MAX, description="也可用请求头 Idempotency-Key；请求头优先"
    )


class CounterIntakeBatchIn(Schema):
    window_id: int = Field(description="收件窗口；调用者须为该窗口的工作人员")
    applications: list[CounterApplicationIn] = Field(
        min_length=1, max_length=MAX_BATCH, description="1 至 1000 件"
    )


class BatchCaseOut(Schema):
    index: int
    id: int
    ref: str
    case_number: str | None
    status: str
    replayed: bool = Field(description="幂等键已用过：返回已有的办件")


class CounterIntakeBatchOut(Schema):
    cases: list[BatchCaseOut] = Field(description="与 applications 同序")
    replayed: list[int] = Field(description="按幂等键返回已有办件的序号（从 0 起）")

    @classmethod
    def of(cls, cases: list[Any], replayed: list[int]) -> CounterIntakeBatchOut:
        again = set(replayed)
        return cls(
            cases=[
                BatchCaseOut(
                    index=i,
                    id=c.pk,
                    ref=case_ref(c),
                    case_number=c.case_number,
                    status=c.status,
                    replayed=i in again,
                )
                for i, c in enumerate(cases)
            ],
            replayed=replayed,
        )


def scan_of(s: ScanIn, requirement_id: int) -> Scan:
    field = f"scan_{requirement_id}"
    # Base64 is 4 characters per 3 bytes: anything longer cannot fit the limit.
    if len(s.data_base64) > (CONFIG.upload_max_bytes + 2) // 3 * 4 + 4:
        raise ValidationFailed(
            "file_too_large",
            f"文件超过大小上限（{CONFIG.upload_max_bytes // (1024 * 1024)} MB）",
            field=field,
        )
    try:
        data = base64.b64decode(s.data_base64, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed("invalid_input", "扫描件不是有效的 base64", field=field) from None
    return Scan(s.file_name, data, s.content_type)


def _application(
    a: CounterApplicationIn, impl: ItemImplementation, key: str | None
) -> CounterApplication:
    p = a.applicant
    return CounterApplication(
        implementation=impl,
        intake=IntakeInput(
            applicant=ApplicantInput(
                kind=p.kind,
                name=p.name,
                code=p.code,
                phone=p.phone,
                agent_name=p.agent_name,
                agent_id_number=p.agent_id_number,
            ),
            channel=a.channel,
            form_data=a.form_data,
            delivery=a.delivery,
            delivery_address=a.delivery_address,
            idempotency_key=key,
        ),
        identity=IdentityCheck(a.identity.verified, a.identity.method),
        checklist=[
            ChecklistEntry(
                requirement_id=e.requirement_id,
                received=e.received,
                original_checked=e.original_checked,
                scans=[scan_of(s, e.requirement_id) for s in e.scans],
                defer=e.defer,
            )
            for e in a.checklist
        ],
        to=a.to,
    )


def idempotency_key(header: str | None, body: str | None) -> str | None:
    key = (header or body or "").strip() or None
    if key is not None and len(key) > IDEMPOTENCY_MAX:
        raise ValidationFailed("invalid_input", "幂等键最长 80 个字符", field="idempotency_key")
    return key


def to_application(a: CounterApplicationIn, *, key: str | None) -> CounterApplication:
    """One application for the single route (its own coded error)."""
    return _application(a, implementation_get(a.task_code.strip()), key)


def to_applications(items: list[CounterApplicationIn]) -> list[CounterApplication]:
    """The service's applications; every unreadable one reported by index (all at once)."""
    impls: dict[str, ItemImplementation | TongbanError] = {}
    out: list[CounterApplication] = []
    errors: list[BatchRowError] = []
    for i, a in enumerate(items):
        code = a.task_code.strip().upper()
        if code not in impls:
            try:
                impls[code] = implementation_get(code)
            except TongbanError as exc:
                impls[code] = exc
        try:
            impl = impls[code]
            if isinstance(impl, TongbanError):
                raise impl
            out.append(_application(a, impl, idempotency_key(None, a.idempotency_key)))
        except TongbanError as exc:
            errors.append(BatchRowError(i, exc.code, exc.message, exc.field, exc))
    if errors:
        raise IntakeBatchRejected(errors)
    return out
