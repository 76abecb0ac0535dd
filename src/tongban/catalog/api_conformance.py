"""Routes of the "五统一" conformance report; registered in tongban.api at
/api/v1/catalog/conformance. Session login required; the selectors check the role
(supervisor or catalog_admin, any region)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router
from ninja.security import django_auth

from tongban.catalog import conformance
from tongban.catalog.schemas_conformance import (
    ItemConformanceOut,
    ItemSummaryOut,
    RegionScoreOut,
)

router = Router(tags=["conformance"], auth=django_auth)


def _csv(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@router.get(
    "/items",
    response=list[ItemSummaryOut],
    summary="各事项的五统一一致率（由低到高）",
)
def list_items(request: HttpRequest, region: str = "", item_type: str = "") -> list[ItemSummaryOut]:
    report = conformance.conformance_overview(
        actor=request.user, region=region, item_type=item_type
    )
    return [ItemSummaryOut.of(i) for i in report.items]


@router.get(
    "/items.csv",
    summary="五统一核查结果 CSV（UTF-8 带 BOM）",
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def items_csv(
    request: HttpRequest, region: str = "", item_type: str = "", differences_only: bool = False
) -> HttpResponse:
    report = conformance.conformance_overview(
        actor=request.user, region=region, item_type=item_type
    )
    body = conformance.csv_document(report.items, differences_only=differences_only)
    return _csv(body, "conformance.csv")


@router.get("/regions", response=list[RegionScoreOut], summary="各地区五统一一致率（由低到高）")
def list_regions(
    request: HttpRequest, region: str = "", item_type: str = ""
) -> list[RegionScoreOut]:
    report = conformance.conformance_overview(
        actor=request.user, region=region, item_type=item_type
    )
    return [RegionScoreOut.of(s) for s in report.regions]


@router.get(
    "/items/{catalog_code}.csv",
    summary="单个事项的五统一比对 CSV（UTF-8 带 BOM）",
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def item_csv(
    request: HttpRequest, catalog_code: str, differences_only: bool = False
) -> HttpResponse:
    item = conformance.conformance_item(actor=request.user, catalog_code=catalog_code)
    body = conformance.csv_document([item], differences_only=differences_only)
    return _csv(body, f"conformance-{item.catalog_code}.csv")


@router.get(
    "/items/{catalog_code}", response=ItemConformanceOut, summary="单个事项的五统一比对矩阵"
)
def get_item(request: HttpRequest, catalog_code: str) -> ItemConformanceOut:
    return ItemConformanceOut.of(
        conformance.conformance_item(actor=request.user, catalog_code=catalog_code)
    )
