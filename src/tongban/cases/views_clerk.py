"""The window clerk's workbench (/workbench/clerk/): the day's queues at one window, and
窗口收件 — choose any item in force, see whether this window may take it in, check the
applicant's identity and the materials against the acceptance standards, scan, push
(``services_intake.case_intake`` to 已提交, in one transaction)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from tongban.accounts.models import Window
from tongban.cases import selectors_staff as sel
from tongban.cases.forms_staff import Checklist, IntakeForm
from tongban.cases.models import CaseMode
from tongban.cases.services_intake import CounterApplication, case_intake
from tongban.cases.views_staff import (
    calendar,
    case_url,
    error_text,
    forbidden,
    nav,
    staff_page,
    today,
)
from tongban.catalog.models import WindowRight
from tongban.core.errors import NotFound, TongbanError
from tongban.regions.codes import covers

NO_WINDOW = "您没有窗口收件岗位。窗口工作台仅向窗口人员开放。"
QUEUES = [
    ("today", "今日收件", "今天还没有收件。"),
    ("in_flight", "流转中（已推送办理地）", "没有流转中的异地代收件。"),
    ("supplement", "待补正", "没有待补正的办件。"),
    ("originals_to_post", "待寄送原件", "没有需要寄送原件的办件。"),
    ("results_to_hand_over", "待交付结果", "没有待交付的办理结果。"),
]


def _pick_window(request: HttpRequest, windows: list[Window]) -> Window:
    wanted = request.POST.get("window") or request.GET.get("window") or ""
    for w in windows:
        if str(w.pk) == wanted:
            return w
    return windows[0]


@staff_page
def clerk_home(request: HttpRequest) -> HttpResponse:
    windows = sel.clerk_windows(request.user)  # type: ignore[arg-type]
    if not windows:
        return forbidden(request, NO_WINDOW)
    window = _pick_window(request, windows)
    board = sel.clerk_board(request.user, window_id=window.pk, cal=calendar(), today=today())
    queues = [(key, title, board[key], empty) for key, title, empty in QUEUES]
    return render(
        request,
        "cases/staff/clerk.html",
        {
            **nav(request),
            "windows": windows,
            "window": window,
            "queues": queues,
            "today": today(),
        },
    )


def _intake_context(
    request: HttpRequest, window: Window, windows: list[Window], task_code: str
) -> dict[str, Any]:
    q = (request.GET.get("q") or "").strip()[:100]
    context: dict[str, Any] = {
        **nav(request),
        "windows": windows,
        "window": window,
        "q": q,
        "task_code": "",
    }
    if not task_code:
        page = sel.intake_search(q)
        context["hits"] = [(h, covers(h.region_code, window.center.region_id)) for h in page.hits]
        context["total"] = page.total
        return context
    try:
        item = sel.intake_item(task_code=task_code, window=window, today=today())
    except NotFound as exc:
        context["item_error"] = error_text(exc)
        context["hits"] = []
        return context
    rights = item.rights
    context.update(
        task_code=task_code,
        item=item,
        version=item.version,
        impl=item.version.implementation,
        rights_labels=[WindowRight(r).label for r in WindowRight.values if r in rights.rights],
        can_pickup=rights.local or WindowRight.DELIVER_RESULT in rights.rights,
        can_verify=rights.local or WindowRight.VERIFY_ORIGINAL in rights.rights,
        refusal=(
            None
            if rights.allowed
            else error_text(TongbanError(rights.reason or "no_agreement_right"))
        ),
    )
    return context


@staff_page
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    windows = sel.clerk_windows(request.user)  # type: ignore[arg-type]
    if not windows:
        return forbidden(request, NO_WINDOW)
    window = _pick_window(request, windows)
    task_code = (request.POST.get("item") or request.GET.get("item") or "").strip()[:31]
    context = _intake_context(request, window, windows, task_code)
    if "item" not in context:
        return render(request, "cases/staff/intake.html", context)
    version = context["version"]
    checklist = Checklist(version)
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST)
        scans_ok = checklist.parse(request.POST, request.FILES)
        if form.is_valid() and scans_ok:
            try:
                # One transaction: checks, scans, identity check, original checks and
                # submit; the deciding department accepts (to="submitted").
                case = case_intake(
                    actor=request.user,
                    window=window,
                    application=CounterApplication(
                        implementation=context["impl"],
                        intake=form.intake(),
                        identity=form.identity(),
                        checklist=checklist.entries,
                        to="submitted",
                    ),
                    today=today(),
                )
            except TongbanError as exc:
                context["error"] = error_text(exc)
                status = exc.status
            else:
                where = case.handling_department.name
                pushed = (
                    "并推送至" + where
                    if case.mode == CaseMode.PROXY_INTAKE
                    else "，办理部门：" + where
                )
                messages.success(request, f"已收件{pushed}，办件编号 {case.case_number}")
                return redirect(case_url(case))
        else:
            context["error"] = "请按提示改正后重新提交（已选择的扫描件需重新选择）"
            status = 422
    else:
        form = IntakeForm(initial={"idempotency_key": uuid.uuid4().hex})
    context.update(form=form, checklist=checklist)
    return render(request, "cases/staff/intake.html", context, status=status)
