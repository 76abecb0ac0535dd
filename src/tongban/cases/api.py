"""Case routes (/api/v1/cases): open, read, move and export 办件.

Every route needs a session (401 ``not_authenticated`` otherwise) and resolves the case
through ``selectors.case_get_by_ref``, which applies object-level access: a case the
caller may not see answers 404 ``not_found``, never 403. A move the caller may see but
not make answers 403 ``permission_denied``.

Path handle ``{ref}``: the 办件编号 (43 characters) of a submitted case, or the numeric
case id — the only handle of a draft, which gets its number when submitted. Every
output carries ``ref`` (the number when there is one, else the id).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, HeaderEx, P, PathEx, Query, Router, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from tongban.cases import selectors
from tongban.cases.joint import joint_application_create
from tongban.cases.joint_selectors import joint_view
from tongban.cases.joint_withdraw import joint_withdraw
from tongban.cases.schemas import (
    REF_HELP,
    CaseCreateIn,
    CaseDetailOut,
    CaseListOut,
    CaseListParams,
    EventOut,
    FileOut,
    ShipmentIn,
    ShipmentOut,
    SupplementIn,
    SupplementRequestIn,
    TransitionIn,
)
from tongban.cases.schemas_exchange import ExchangeOut
from tongban.cases.schemas_intake import (
    CounterIntakeBatchIn,
    CounterIntakeBatchOut,
    CounterIntakeIn,
    to_application,
    to_applications,
)
from tongban.cases.schemas_intake import idempotency_key as intake_key
from tongban.cases.schemas_joint import (
    HandOverIn,
    JointIntakeIn,
    JointOut,
    JointWithdrawalOut,
    JointWithdrawIn,
)
from tongban.cases.services import ApplicantInput, IntakeInput, case_create_draft, case_transition
from tongban.cases.services_intake import case_intake, case_intake_batch
from tongban.cases.services_materials import (
    Defect,
    case_request_supplement,
    case_supplement,
    material_upload,
    shipment_receive,
    shipment_send,
)
from tongban.cases.services_window import result_hand_over
from tongban.catalog.selectors_versions import implementation_get
from tongban.config import CONFIG
from tongban.core.actors import Actor
from tongban.core.errors import ValidationFailed

router = Router(tags=["cases"], auth=django_auth)

Ref = PathEx[str, P(description=REF_HELP)]
IDEMPOTENCY_MAX = 80


def _detail(actor: Actor, case_id: int) -> CaseDetailOut:
    case = selectors.case_get(actor, case_id=case_id)
    return CaseDetailOut.of_detail(selectors.case_detail(actor, case))


@router.post(
    "",
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="新建办件草稿（网上申请或窗口收件）",
    description=(
        "同一幂等键（请求头 Idempotency-Key 或 body.idempotency_key）再次提交返回同一办件，"
        "状态码 200（首次为 201）；幂等键属于他人的办件时返回 409 idempotency_key_reused。"
        "窗口收件（channel=window，或窗口代录的 kiosk/hotline 申请）须指定 window_id，调用者须为"
        "该窗口的工作人员，且窗口有合作协议授予的收件受理权；网上申请不能指定窗口。"
    ),
)
def create_case(
    request: HttpRequest,
    payload: CaseCreateIn,
    idempotency_key: HeaderEx[str | None, P(alias="Idempotency-Key")] = None,
) -> Status[CaseDetailOut]:
    key = (idempotency_key or payload.idempotency_key or "").strip() or None
    if key is not None and len(key) > IDEMPOTENCY_MAX:
        raise ValidationFailed("invalid_input", "幂等键最长 80 个字符", field="idempotency_key")
    replay = key is not None and selectors.idempotency_key_used(key)
    window = selectors.window_get(payload.window_id) if payload.window_id is not None else None
    a = payload.applicant
    case = case_create_draft(
        actor=request.user,
        implementation=implementation_get(payload.task_code),
        window=window,
        intake=IntakeInput(
            applicant=ApplicantInput(
                kind=a.kind,
                name=a.name,
                code=a.code,
                phone=a.phone,
                agent_name=a.agent_name,
                agent_id_number=a.agent_id_number,
            ),
            channel=payload.channel,
            form_data=payload.form_data,
            delivery=payload.delivery,
            delivery_address=payload.delivery_address,
            idempotency_key=key,
        ),
    )
    return Status(200 if replay else 201, _detail(request.user, case.pk))


@router.post(
    "/intake",
    response={200: CaseDetailOut, 201: CaseDetailOut},
    summary="窗口一次收件：申请人、身份核验、材料清单与扫描件、提交并受理（一个事务）",
    description=(
        "调用者须为 window_id 窗口的工作人员。扫描件以 base64 传送并声明类型，按文件内容核验"
        "（大小上限 TONGBAN_UPLOAD_MAX_BYTES；类型与声明不符返回 file_type_mismatch）。"
        "to=accepted 当场受理，to=submitted 仅提交；缺省时本节点部门办理的事项当场受理，"
        "其他节点办理的事项仅提交（to=accepted 返回 case_decided_elsewhere）。"
        "任何一项不符则不写入任何内容。"
        "同一幂等键（请求头 Idempotency-Key 或 body.idempotency_key）再次提交返回同一办件，"
        "状态码 200（首次为 201）。"
    ),
)
def counter_intake(
    request: HttpRequest,
    payload: CounterIntakeIn,
    idempotency_key: HeaderEx[str | None, P(alias="Idempotency-Key")] = None,
) -> Status[CaseDetailOut]:
    key = intake_key(idempotency_key, payload.idempotency_key)
    replay = key is not None and selectors.idempotency_key_used(key)
    window = selectors.window_get(payload.window_id)
    case = case_intake(
        actor=request.user, window=window, application=to_application(payload, key=key)
    )
    return Status(200 if replay else 201, _detail(request.user, case.pk))


@router.post(
    "/intake-batch",
    response={201: CounterIntakeBatchOut},
    summary="窗口批量收件（最多 1000 件，一个事务，全部成功或全部不写入）",
    description=(
        "每件申请分别按一次收件的全部规则核验；任何一件有误则不写入任何内容，返回 422 "
        "intake_batch_rejected，details 逐件列出 index（从 0 起）、code、message、field。"
        "幂等键已用过的申请返回已有办件，其序号列在 replayed 中；同一批内重复的幂等键为 "
        "batch_duplicate_key。"
    ),
)
def counter_intake_batch(
    request: HttpRequest, payload: CounterIntakeBatchIn
) -> Status[CounterIntakeBatchOut]:
    window = selectors.window_get(payload.window_id)
    result = case_intake_batch(
        actor=request.user, window=window, applications=to_applications(payload.applications)
    )
    return Status(201, CounterIntakeBatchOut.of(result.cases, result.replayed))


@router.post(
    "/joint",
    response={200: JointOut, 201: JointOut},
    summary="多地联办收件：一次申请，每个事项一个部分，异地部分推送办理地节点（一个事务）",
    description=(
        "与窗口页面 /workbench/clerk/joint/ 调用同一服务。调用者须为 window_id 窗口的工作人员；"
        "至少两个不同事项（joint_needs_parts），每个事项须开通多地联办（item_no_joint_mode），"
        "异地事项须有授予收件受理权的多地联办协议（no_joint_agreement）。每个部分的材料清单与扫描件"
        "按一次收件的规则核验；任何一项不符则不写入任何内容。同一幂等键再次提交返回同一申请，"
        "状态码 200（首次为 201）。"
    ),
)
def joint_intake(
    request: HttpRequest,
    payload: JointIntakeIn,
    idempotency_key: HeaderEx[str | None, P(alias="Idempotency-Key")] = None,
) -> Status[JointOut]:
    key = intake_key(idempotency_key, payload.idempotency_key)
    replay = key is not None and selectors.idempotency_key_used(key)
    window = selectors.window_get(payload.window_id)
    parent = joint_application_create(
        actor=request.user,
        window=window,
        intake=payload.intake(key),
        identity=payload.identity_check(),
        parts=payload.joint_parts(),
    )
    return Status(200 if replay else 201, JointOut.of(joint_view(request.user, parent)))


@router.get(
    "",
    response=CaseListOut,
    summary="办件列表（类型化筛选，游标分页）",
    description="只列出调用者有权查看的办件。下一页：把 next_cursor 作为 cursor 传回。",
)
def list_cases(request: HttpRequest, params: Query[CaseListParams]) -> CaseListOut:
    page = selectors.case_list(
        request.user,
        params.filters(),
        order=params.order,
        cursor=params.cursor,
        limit=params.limit,
    )
    return CaseListOut.of(page)


@router.get(
    "/{ref}",
    response=CaseDetailOut,
    summary="办件详情：材料、期限、状态、revision、调用者可执行的操作",
    description=REF_HELP,
)
def get_case(request: HttpRequest, ref: Ref) -> CaseDetailOut:
    case = selectors.case_get_by_ref(request.user, ref)
    return CaseDetailOut.of_detail(selectors.case_detail(request.user, case))


@router.get("/{ref}/timeline", response=list[EventOut], summary="办件时间线", description=REF_HELP)
def get_timeline(request: HttpRequest, ref: Ref) -> list[EventOut]:
    case = selectors.case_get_by_ref(request.user, ref)
    return [EventOut.of(e) for e in selectors.case_timeline(request.user, case)]


@router.post(
    "/{ref}/transitions",
    response=CaseDetailOut,
    summary="变更办件状态",
    description=(
        REF_HELP + " 一次性告知补正与提交补正有各自的接口（supplement-request、supplement）。"
        "expected_revision 与当前 revision 不一致时返回 409 conflict。"
    ),
)
def transition(request: HttpRequest, ref: Ref, payload: TransitionIn) -> CaseDetailOut:
    case = selectors.case_get_by_ref(request.user, ref)
    moved = case_transition(
        actor=request.user,
        case=case,
        to=payload.to,
        opinion=payload.opinion,
        expected_revision=payload.expected_revision,
    )
    return _detail(request.user, moved.pk)


@router.get(
    "/{ref}/parts",
    response=JointOut,
    summary="多地联办申请及其各部分（办理节点、状态、期限、合并结果）",
    description=REF_HELP + " 不是多地联办申请（父办件）的办件返回 422 not_joint_application。",
)
def joint_parts(request: HttpRequest, ref: Ref) -> JointOut:
    case = selectors.case_get_by_ref(request.user, ref)
    return JointOut.of(joint_view(request.user, case))


@router.post(
    "/{ref}/joint-withdrawal",
    response=JointWithdrawalOut,
    summary="整体撤回多地联办申请：父办件及各地尚可撤回的部分（一个事务）",
    description=(
        REF_HELP + " 申请人本人，或收件窗口人员代申请人撤回（须填写理由 reason_required）。"
        "父办件已决定或已结束时返回 422 illegal_transition。"
        "异地部分的撤回经节点消息发往办理地节点；"
        "已有决定或已结束的部分不撤回，列在 kept 中。"
        "联办申请不能用 transitions 单独撤回（joint_withdraw_whole）。"
    ),
)
def withdraw_joint(request: HttpRequest, ref: Ref, payload: JointWithdrawIn) -> JointWithdrawalOut:
    case = selectors.case_get_by_ref(request.user, ref)
    result = joint_withdraw(
        actor=request.user,
        parent=case,
        reason=payload.reason,
        expected_revision=payload.expected_revision,
    )
    return JointWithdrawalOut.of(result, joint_view(request.user, result.parent))


@router.post(
    "/{ref}/hand-over",
    response=CaseDetailOut,
    summary="结果送达：窗口当面交付（登记领取人）或邮寄送达，办件变为已送达",
    description=(
        REF_HELP + " 与办件页面的结果送达调用同一服务。当面交付须填写领取人姓名；他人代领须登记"
        "代领人的公民身份号码（recipient_id_required），填写的身份证号按 GB 11643 校验"
        "（id_number_*）。异地代收代办的收件窗口须有结果送达权（no_deliver_result_right）。"
    ),
)
def hand_over(request: HttpRequest, ref: Ref, payload: HandOverIn) -> CaseDetailOut:
    case = selectors.case_get_by_ref(request.user, ref)
    moved = result_hand_over(
        actor=request.user,
        case=case,
        method=payload.method,
        recipient=payload.recipient,
        recipient_kind=payload.recipient_kind,
        recipient_id_number=payload.recipient_id_number,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        expected_revision=payload.expected_revision,
    )
    return _detail(request.user, moved.pk)


def _read(upload: UploadedFile) -> bytes:
    # At most one byte past the limit: enough for file_too_large, never the whole upload.
    return bytes(upload.read(CONFIG.upload_max_bytes + 1))


@router.post(
    "/{ref}/materials/{material_id}/files",
    response={201: FileOut},
    summary="上传材料文件（multipart；声明类型取上传的 content_type，按文件内容核验）",
    description=REF_HELP,
)
def upload_file(
    request: HttpRequest, ref: Ref, material_id: int, file: File[UploadedFile]
) -> Status[FileOut]:
    case = selectors.case_get_by_ref(request.user, ref)
    f = material_upload(
        actor=request.user,
        case=case,
        material_id=material_id,
        file_name=file.name or "upload",
        data=_read(file),
        claimed_type=file.content_type or "",
    )
    return Status(201, FileOut.of(f))


@router.post(
    "/{ref}/supplement-request",
    response=CaseDetailOut,
    summary="一次性告知补正（列明全部需补正的材料，计时暂停）",
    description=REF_HELP,
)
def request_supplement(
    request: HttpRequest, ref: Ref, payload: SupplementRequestIn
) -> CaseDetailOut:
    case = selectors.case_get_by_ref(request.user, ref)
    moved = case_request_supplement(
        actor=request.user,
        case=case,
        defects=[Defect(d.material_id, d.note) for d in payload.defects],
        opinion=payload.opinion,
        expected_revision=payload.expected_revision,
    )
    return _detail(request.user, moved.pk)


@router.post(
    "/{ref}/supplement",
    response=CaseDetailOut,
    summary="提交补正（全部需补正的材料已重新上传后），恢复计时",
    description=REF_HELP,
)
def supplement(request: HttpRequest, ref: Ref, payload: SupplementIn) -> CaseDetailOut:
    case = selectors.case_get_by_ref(request.user, ref)
    moved = case_supplement(
        actor=request.user, case=case, expected_revision=payload.expected_revision
    )
    return _detail(request.user, moved.pk)


@router.post(
    "/{ref}/shipments",
    response={201: ShipmentOut},
    summary="登记寄递（原件寄递或结果寄递）",
    description=REF_HELP,
)
def send_shipment(request: HttpRequest, ref: Ref, payload: ShipmentIn) -> Status[ShipmentOut]:
    case = selectors.case_get_by_ref(request.user, ref)
    s = shipment_send(
        actor=request.user,
        case=case,
        kind=payload.kind,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        expected_revision=payload.expected_revision,
    )
    return Status(201, ShipmentOut.of(s))


@router.post(
    "/{ref}/shipments/{shipment_id}/receive",
    response=ShipmentOut,
    summary="签收寄递",
    description=REF_HELP,
)
def receive_shipment(request: HttpRequest, ref: Ref, shipment_id: int) -> ShipmentOut:
    case = selectors.case_get_by_ref(request.user, ref)
    s = selectors.case_shipment_get(request.user, case, shipment_id)
    return ShipmentOut.of(shipment_receive(actor=request.user, shipment=s))


@router.get(
    "/{ref}/exchange",
    response=ExchangeOut,
    summary="国家办件信息交换格式（受理、过程、结果、特别程序、材料）",
    description=(
        REF_HELP + " 分组键：accept=受理，process=过程，result=结果，"
        "special_procedures=特别程序，materials=材料。结果代码：0 出证办结，1 退回，"
        "2 作废，3 删除，4 转报（本平台不产生），5 补正逾期，6 其他办结；未办结为 null。"
    ),
)
def exchange(request: HttpRequest, ref: Ref) -> dict[str, object]:
    case = selectors.case_get_by_ref(request.user, ref)
    return selectors.case_exchange_export(request.user, case)
