"""Catalogue-manager pages (/manage/catalog/): the implementations of the 事项管理员's
regions with their versions, publishing drafts, Excel import and export.

Parse → service or selector → render. Anonymous visitors are sent to the login page;
a logged-in user without the catalog_admin role gets a 403 page saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tongban.accounts.models import Role
from tongban.accounts.services import require_role
from tongban.catalog import selectors_manage
from tongban.catalog.io.exporter import (
    catalog_export_json,
    catalog_export_xlsx,
    catalog_template_xlsx,
)
from tongban.catalog.io.http import (
    TEMPLATE_FILENAME,
    export_filename,
    json_download,
    xlsx_response,
)
from tongban.catalog.io.importer import catalog_import_xlsx, read_upload
from tongban.catalog.services import version_publish
from tongban.config import CONFIG
from tongban.core.errors import NotAuthenticated, NotFound, PermissionDenied, TongbanError


def _guarded(
    request: HttpRequest, page: Callable[[], HttpResponse], *, after_login: str | None = None
) -> HttpResponse:
    """Run ``page`` for a 事项管理员 only; others log in and come back to ``after_login``
    (default: this page)."""
    try:
        require_role(request.user, Role.CATALOG_ADMIN)
        return page()
    except NotAuthenticated:
        return redirect_to_login(after_login or request.get_full_path())
    except PermissionDenied as exc:
        return render(
            request, "catalog/manage/forbidden.html", {"message": exc.message}, status=403
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _page_number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() else 1


def home(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()

    def page() -> HttpResponse:
        regions = selectors_manage.manager_regions(request.user)
        codes = None if regions is None else [r.code for r in regions]
        result = selectors_manage.managed_items(
            region_codes=codes, q=q, page=_page_number(request.GET.get("page"))
        )
        query = urlencode({"q": q}) + "&" if q else ""
        context: dict[str, Any] = {
            "regions": regions,
            "result": result,
            "q": q,
            "page_query": query,
            "here": request.get_full_path(),
        }
        return render(request, "catalog/manage/home.html", context)

    return _guarded(request, page)


@require_POST
def publish(request: HttpRequest, version_id: int) -> HttpResponse:
    def page() -> HttpResponse:
        version = selectors_manage.managed_version(version_id)
        try:
            published = version_publish(actor=request.user, version=version)
        except TongbanError as exc:
            messages.error(
                request,
                f"第{version.version}版“{version.name}”未能发布：{exc.message}（{exc.code}）",
            )
        else:
            messages.success(
                request,
                f"已发布第{published.version}版“{published.name}”，"
                f"自 {published.valid_from} 起生效",
            )
        back = request.POST.get("next", "")
        home_url = reverse("catalog_manage:home")
        return redirect(back if back.startswith(home_url) else home_url)

    # A POST-only address: after logging in, go back to the list, not here.
    return _guarded(request, page, after_login=reverse("catalog_manage:home"))


@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    def page() -> HttpResponse:
        context: dict[str, Any] = {"max_mb": CONFIG.upload_max_bytes // (1024 * 1024)}
        status = 200
        if request.method == "POST":
            upload = request.FILES.get("file")
            context["publish"] = bool(request.POST.get("publish"))
            if upload is None:
                context["form_error"] = "请选择要导入的 Excel (.xlsx) 文件"
                status = 400
            else:
                report = catalog_import_xlsx(
                    actor=request.user, data=read_upload(upload), publish=context["publish"]
                )
                context.update(report=report, filename=upload.name)
                status = 200 if report.ok else 422
        return render(request, "catalog/manage/import.html", context, status=status)

    return _guarded(request, page)


def template_download(request: HttpRequest) -> HttpResponse:
    return _guarded(request, lambda: xlsx_response(catalog_template_xlsx(), TEMPLATE_FILENAME))


def export(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "xlsx")
    status = request.GET.get("status", "current")
    region = request.GET.get("region") or None

    def page() -> HttpResponse:
        try:
            if fmt == "json":
                doc = catalog_export_json(actor=request.user, region_code=region, status=status)
                return json_download(doc, export_filename(region, status, "json"))
            data = catalog_export_xlsx(actor=request.user, region_code=region, status=status)
            return xlsx_response(data, export_filename(region, status, "xlsx"))
        except TongbanError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            messages.error(request, f"导出失败：{exc.message}（{exc.code}）")
            return redirect("catalog_manage:home")

    return _guarded(request, page)
