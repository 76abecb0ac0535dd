"""Routes for cooperation agreements (合作协议)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.security import django_auth

from tongban.catalog import agreements as svc
from tongban.catalog.models import Agreement
from tongban.catalog.schemas_agreements import (
    AgreementIn,
    AgreementOut,
    StatusIn,
    WindowRightsOut,
)

router = Router(tags=["agreements"])


def _out(a: Agreement) -> AgreementOut:
    return AgreementOut(
        id=a.pk,
        name=a.name,
        scope=a.scope,
        status=a.status,
        valid_from=a.valid_from,
        valid_to=a.valid_to,
        party_codes=sorted(p.code for p in a.parties.all()),
        catalog_codes=sorted(i.baseline.catalog_code for i in a.items.all()),
        rights=a.rights,
        modes=a.modes,
    )


@router.get("", response=list[AgreementOut], summary="合作协议列表")
def list_agreements(
    request: HttpRequest, region: str | None = None, catalog_code: str | None = None
) -> list[AgreementOut]:
    return [_out(a) for a in svc.agreement_list(region_code=region, catalog_code=catalog_code)]


@router.post("", response={201: AgreementOut}, auth=django_auth, summary="登记合作协议")
def create_agreement(request: HttpRequest, payload: AgreementIn) -> Status[AgreementOut]:
    a = svc.agreement_create(
        actor=request.user,
        name=payload.name,
        scope=payload.scope,
        party_codes=payload.party_codes,
        catalog_codes=payload.catalog_codes,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        rights=set(payload.rights),
        modes=set(payload.modes),
        status=payload.status,
        signed_at=payload.signed_at,
        notes=payload.notes,
    )
    return Status(201, _out(svc.agreement_get(a.pk)))


@router.get(
    "/window-rights",
    response=WindowRightsOut,
    summary="窗口能否收件受理某事项，以及拥有哪些窗口权限",
)
def get_window_rights(
    request: HttpRequest, window: int, task_code: str, on: date | None = None
) -> WindowRightsOut:
    got = svc.window_rights_query(
        window_id=window, task_code=task_code, on=on or timezone.localdate()
    )
    return WindowRightsOut(
        allowed=got.allowed,
        local=got.local,
        rights=sorted(got.rights),
        modes=sorted(got.modes),
        agreement_ids=list(got.agreement_ids),
        reason=got.reason,
    )


@router.get("/{agreement_id}", response=AgreementOut, summary="合作协议详情")
def get_agreement(request: HttpRequest, agreement_id: int) -> AgreementOut:
    return _out(svc.agreement_get(agreement_id))


@router.post(
    "/{agreement_id}/status", response=AgreementOut, auth=django_auth, summary="变更协议状态"
)
def set_status(request: HttpRequest, agreement_id: int, payload: StatusIn) -> AgreementOut:
    a = svc.agreement_set_status(
        actor=request.user, agreement=svc.agreement_get(agreement_id), status=payload.status
    )
    return _out(svc.agreement_get(a.pk))
