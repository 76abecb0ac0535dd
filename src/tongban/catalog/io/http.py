"""HTTP responses for catalogue files, shared by the API and the manager pages."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_FILENAME = "事项目录导入模板.xlsx"


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    # RFC 6266: an ASCII fallback plus the UTF-8 name for Chinese file names.
    ascii_name = filename.encode("ascii", "ignore").decode() or "catalog"
    response["Content-Disposition"] = (
        f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    )
    return response


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    return _attachment(HttpResponse(data, content_type=XLSX), filename)


def json_download(doc: dict[str, Any], filename: str) -> HttpResponse:
    body = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True)
    return _attachment(HttpResponse(body, content_type="application/json; charset=utf-8"), filename)


def export_filename(region: str | None, status: str, ext: str) -> str:
    return f"tongban-catalog-{region or 'all'}-{status}.{ext}"
