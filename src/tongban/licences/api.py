"""E-licence routes (/api/v1/licences).

Public (no session): ``GET /verify?id=`` (typed identifier or QR), ``POST /verify/pdf``
(uploaded certificate), ``GET /present/{token}`` (a scanned 亮证 code). The holder's
wallet (``/mine``…) and the applicant's offers/exemptions need a session; life-cycle
operations need the issuing department's staff.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from tongban.cases.selectors import case_get
from tongban.cases.selectors_applicant import apply_item
from tongban.config import CONFIG
from tongban.core.errors import ValidationFailed
from tongban.licences import selectors
from tongban.licences.exemption import case_materials_exempt, licence_offers
from tongban.licences.models import Licence
from tongban.licences.present import token_make, token_read
from tongban.licences.schemas import (
    ExemptIn,
    ExemptOut,
    LicenceOut,
    OfferOut,
    OperationIn,
    PresentOut,
    TransferInIn,
    UseOut,
    VerifyOut,
)
from tongban.licences.services import licence_get, licence_operate, licence_transfer_in
from tongban.licences.transitions import LicenceStatus
from tongban.licences.verify import Verification, licence_verify, licence_verify_pdf

router = Router(tags=["licences"])
PDF_MAX = 10 * 1024 * 1024


def licence_out(lic: Licence) -> LicenceOut:
    return LicenceOut(
        identifier=lic.identifier,
        type_code=lic.type.code,
        type_name=lic.type.name,
        number=lic.number,
        holder_name=lic.holder_name,
        issuer_name=lic.issuer_name,
        issuer_node=lic.issuer_node,
        issue_date=lic.issue_date,
        valid_from=lic.valid_from,
        valid_to=lic.valid_to,
        status=lic.status,
        status_label=LicenceStatus(lic.status).label,
        status_reason=lic.status_reason,
        version=lic.version,
        predecessor=lic.predecessor.identifier if lic.predecessor is not None else None,
        pdf_ready=bool(lic.pdf),
    )


def verify_out(v: Verification) -> VerifyOut:
    p = v.payload or {}
    return VerifyOut(
        outcome=v.outcome,
        label=v.label,
        reason=v.reason,
        identifier=v.identifier,
        type_name=p.get("type_name"),
        holder_name=p.get("holder_name"),
        issuer_name=p.get("issuer_name"),
        valid_to=(p.get("valid_to") or "长期") if p else None,
    )


@router.get("/verify", response=VerifyOut, summary="按电子证照标识核验（公开）")
def verify(request: HttpRequest, id: str) -> VerifyOut:
    return verify_out(licence_verify(id))


@router.post("/verify/pdf", response=VerifyOut, summary="上传证照 PDF 核验（公开）")
def verify_pdf(request: HttpRequest, file: File[UploadedFile]) -> VerifyOut:
    if (file.size or 0) > PDF_MAX:
        raise ValidationFailed("file_too_large", field="file")
    return verify_out(licence_verify_pdf(file.read()))


@router.get("/present/{token}", response=VerifyOut, summary="扫描亮证码核验（公开）")
def present_scan(request: HttpRequest, token: str) -> VerifyOut:
    return verify_out(licence_verify(token_read(token)))


@router.get("/mine", response=list[LicenceOut], auth=django_auth, summary="我的电子证照")
def mine(request: HttpRequest) -> list[LicenceOut]:
    return [licence_out(lic) for lic in selectors.wallet(request.user)]


@router.get("/uses", response=list[UseOut], auth=django_auth, summary="我的用证记录")
def uses(request: HttpRequest) -> list[UseOut]:
    return [
        UseOut(
            licence_identifier=u.licence_identifier,
            licence_type=u.licence.type.name if u.licence is not None else None,
            data_item=u.data_item,
            case_ref=u.case_ref,
            department_name=u.department_name,
            requester_node=u.requester_node,
            purpose=u.purpose,
            consented=u.consented,
            at=u.at,
        )
        for u in selectors.uses_of_holder(request.user)
    ]


@router.post(
    "/mine/{identifier}/present",
    response=PresentOut,
    auth=django_auth,
    summary="亮证：生成5分钟有效的亮证码",
)
def present(request: HttpRequest, identifier: str) -> PresentOut:
    lic = selectors.wallet_licence(request.user, identifier)
    token, exp = token_make(lic.identifier)
    return PresentOut(token=token, url=f"{CONFIG.public_url}/licences/p/{token}/", expires_at=exp)


@router.post(
    "/{identifier}/operations",
    response=LicenceOut,
    auth=django_auth,
    summary="暂扣、暂扣发还、撤销、注销、吊销、转出（颁发机构）",
)
def operate(request: HttpRequest, identifier: str, payload: OperationIn) -> LicenceOut:
    from tongban.core.ids import validate_licence_id

    lic = licence_get(validate_licence_id(identifier))
    return licence_out(
        licence_operate(
            actor=request.user, licence=lic, operation=payload.operation, reason=payload.reason
        )
    )


@router.post(
    "/{identifier}/transfer-in",
    response={201: LicenceOut},
    auth=django_auth,
    summary="转入：接收机构另发本机构证照，原证照同时转出（同一节点）",
)
def transfer_in(request: HttpRequest, identifier: str, payload: TransferInIn) -> Status[LicenceOut]:
    from tongban.core.ids import validate_licence_id

    lic = licence_get(validate_licence_id(identifier))
    new = licence_transfer_in(
        actor=request.user,
        licence=lic,
        issuer_code=payload.issuer_code,
        issuer_name=payload.issuer_name,
        issue_date=payload.issue_date,
        reason=payload.reason,
        region_code=payload.region_code,
    )
    return Status(201, licence_out(new))


@router.get("/offers", response=list[OfferOut], auth=django_auth, summary="可免提交的材料")
def offers(request: HttpRequest, task_code: str) -> list[OfferOut]:
    item = apply_item(task_code)
    holder = (selectors.holder_codes(request.user) or [""])[0]
    found = licence_offers(version=item.version, holder_code=holder)
    names = {r.pk: r.name for r in item.version.materials.all()}
    return [
        OfferOut(
            requirement_id=rid,
            material=names.get(rid, ""),
            found=o.licence is not None,
            message=o.message,
            licence_id=o.licence.identifier if o.licence else None,
            type_name=o.licence.type_name if o.licence else None,
        )
        for rid, o in found.items()
    ]


@router.post(
    "/exemptions",
    response={200: ExemptOut},
    auth=django_auth,
    summary="同意使用电子证照免提交材料（草稿办件）",
)
def exempt(request: HttpRequest, payload: ExemptIn) -> Status[ExemptOut]:
    case = case_get(request.user, case_id=payload.case_id)
    n = case_materials_exempt(
        actor=request.user,
        case=case,
        consents={c.requirement_id: c.licence_id for c in payload.consents},
    )
    return Status(200, ExemptOut(exempted_materials=n))
