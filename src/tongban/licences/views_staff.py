"""证照管理: the issuing department's staff find the licences their departments issued,
read one with its history and use log, and suspend, restore, revoke, cancel, 吊销 or
转出 it (``services.licence_operate``, the one guarded status write). Mounted under
/workbench/licences/; a licence of another issuer is not found."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from tongban.cases.views_staff import forbidden, nav
from tongban.core.errors import NotFound, TongbanError, ValidationFailed
from tongban.licences.selectors_staff import (
    allowed_operations,
    issued_licence,
    issued_licences,
    issuer_departments,
)
from tongban.licences.services import licence_operate
from tongban.licences.transitions import LicenceOperation, LicenceStatus
from tongban.licences.views import _login, _missing, licence_context

NO_DEPARTMENT = "您没有颁证部门的岗位，无法管理电子证照"


@require_GET
def staff_list(request: HttpRequest) -> HttpResponse:
    if (r := _login(request)) is not None:
        return r
    departments = issuer_departments(request.user)
    if not departments:
        return forbidden(request, NO_DEPARTMENT)
    query = request.GET.get("q", "")[:80]
    status = request.GET.get("status", "")
    status = status if status in LicenceStatus.values else ""
    issuer = request.GET.get("issuer", "")
    rows, more = issued_licences(request.user, query=query, status=status, issuer_code=issuer)
    return render(
        request,
        "licences/staff/list.html",
        {
            **nav(request),
            "departments": departments,
            "rows": [(lic, LicenceStatus(lic.status).label) for lic in rows],
            "more": more,
            "q": query,
            "status": status,
            "issuer": issuer,
            "statuses": LicenceStatus.choices,
        },
    )


@require_http_methods(["GET", "POST"])
def staff_licence(request: HttpRequest, identifier: str) -> HttpResponse:
    if (r := _login(request)) is not None:
        return r
    if not issuer_departments(request.user):
        return forbidden(request, NO_DEPARTMENT)
    try:
        lic = issued_licence(request.user, identifier)
    except (NotFound, ValidationFailed):
        return _missing(request)
    error: TongbanError | None = None
    if request.method == "POST":
        operation = request.POST.get("operation", "")
        try:
            licence_operate(
                actor=request.user,
                licence=lic,
                operation=operation,
                reason=request.POST.get("reason", ""),
            )
        except TongbanError as exc:
            error = exc
        else:
            label = LicenceOperation(operation).label
            messages.success(request, f"已{label}：{lic.type.name} {lic.number}")
            return redirect("licences:staff_licence", identifier=lic.identifier)
    return render(
        request,
        "licences/staff/licence.html",
        {
            **nav(request),
            **licence_context(lic),
            "operations": allowed_operations(lic),
            "error": error,
            "posted": request.POST if error else {},
        },
        status=422 if error else 200,
    )
