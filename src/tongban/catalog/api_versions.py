"""Routes for catalogue administrators: baselines, implementations, draft versions, publish.

Registered under /api/v1/catalog/manage. Every route needs a session login; the
services check the catalog_admin role and its region scope.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.security import django_auth

from tongban.catalog import selectors_versions as sel
from tongban.catalog import services as svc
from tongban.catalog.elements import VersionElements
from tongban.catalog.models import ItemImplementation, ItemVersion
from tongban.catalog.schemas_versions import (
    BaselineIn,
    BaselineOut,
    ElementsIn,
    ImplementationIn,
    ImplementationOut,
    VersionSummary,
)

router = Router(tags=["catalog-manage"], auth=django_auth)


def _elements(payload: Any) -> VersionElements:
    return VersionElements.from_dict(payload.model_dump())


def _summary(v: ItemVersion) -> VersionSummary:
    return VersionSummary(
        id=v.pk,
        task_code=v.implementation.task_code,
        version=v.version,
        status=v.status,
        name=v.name,
        valid_from=v.valid_from,
        valid_to=v.valid_to,
        published_at=v.published_at,
    )


def _impl_out(i: ItemImplementation) -> ImplementationOut:
    return ImplementationOut(
        task_code=i.task_code,
        catalog_code=i.baseline.catalog_code,
        department_name=i.department.name,
        region_code=i.region_id,
        use_level=i.use_level,
    )


@router.post("/baselines", response=BaselineOut, summary="新增或更新基本目录事项")
def upsert_baseline(request: HttpRequest, payload: BaselineIn) -> BaselineOut:
    b = svc.baseline_upsert(actor=request.user, **payload.model_dump())
    return BaselineOut(
        catalog_code=b.catalog_code, name=b.name, item_type=b.item_type, high_risk=b.high_risk
    )


@router.post("/implementations", response={201: ImplementationOut}, summary="登记实施清单事项")
def create_implementation(
    request: HttpRequest, payload: ImplementationIn
) -> Status[ImplementationOut]:
    impl = svc.implementation_create(
        actor=request.user,
        baseline=sel.baseline_get(payload.catalog_code),
        department=sel.department_by_uscc(payload.department_uscc),
        use_level=payload.use_level,
    )
    return Status(201, _impl_out(impl))


@router.get(
    "/implementations/{task_code}/versions",
    response=list[VersionSummary],
    summary="事项的全部版本",
)
def list_versions(request: HttpRequest, task_code: str) -> list[VersionSummary]:
    return [_summary(v) for v in sel.versions_of(task_code)]


@router.post(
    "/implementations/{task_code}/versions",
    response={201: VersionSummary},
    summary="新建草稿版本",
)
def create_draft(
    request: HttpRequest, task_code: str, payload: ElementsIn
) -> Status[VersionSummary]:
    v = svc.version_create_draft(
        actor=request.user,
        implementation=sel.implementation_get(task_code),
        elements=_elements(payload),
    )
    return Status(201, _summary(v))


@router.put("/versions/{version_id}", response=VersionSummary, summary="修改草稿版本")
def update_draft(request: HttpRequest, version_id: int, payload: ElementsIn) -> VersionSummary:
    v = svc.version_update_draft(
        actor=request.user, version=sel.version_get(version_id), elements=_elements(payload)
    )
    return _summary(v)


@router.post("/versions/{version_id}/publish", response=VersionSummary, summary="发布版本")
def publish(request: HttpRequest, version_id: int) -> VersionSummary:
    v = svc.version_publish(actor=request.user, version=sel.version_get(version_id))
    return _summary(v)
