"""Catalogue import/export routes (/api/v1/catalog/io): the template, the all-or-nothing
Excel import with its row-by-row error report, and xlsx/JSON export."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from tongban.catalog.io.exporter import (
    catalog_export_json,
    catalog_export_xlsx,
    catalog_template_xlsx,
)
from tongban.catalog.io.http import TEMPLATE_FILENAME, export_filename, xlsx_response
from tongban.catalog.io.importer import catalog_import_xlsx, read_upload
from tongban.catalog.schemas_io import ImportReportOut

router = Router(tags=["catalog-io"])


@router.get("/template", summary="下载事项目录导入模板 (xlsx)")
def template(request: HttpRequest) -> HttpResponse:
    return xlsx_response(catalog_template_xlsx(), TEMPLATE_FILENAME)


@router.post(
    "/import",
    auth=django_auth,
    response={200: ImportReportOut, 422: ImportReportOut},
    summary="从 Excel 导入事项目录（全部成功或全部不导入）",
)
def import_catalog(
    request: HttpRequest,
    file: File[UploadedFile],
    publish: Form[bool] = False,
    dry_run: Form[bool] = False,
) -> Status[ImportReportOut]:
    report = catalog_import_xlsx(
        actor=request.user, data=read_upload(file), publish=publish, dry_run=dry_run
    )
    return Status(200 if report.ok else 422, ImportReportOut.of(report))


@router.get("/export", auth=django_auth, summary="导出事项目录 (xlsx 或 JSON)")
def export_catalog(
    request: HttpRequest,
    format: Literal["xlsx", "json"] = "xlsx",
    region: str | None = None,
    status: Literal["current", "all"] = "current",
) -> Any:
    if format == "json":
        return catalog_export_json(actor=request.user, region_code=region, status=status)
    data = catalog_export_xlsx(actor=request.user, region_code=region, status=status)
    return xlsx_response(data, export_filename(region, status, "xlsx"))
