"""多地联办 at the window (/workbench/clerk/joint/): choose two or more items (each part is
decided by its own region's node), then take the application in once — one applicant,
one identity check, each part's materials checklist — and go to the parent case page.
On the parent's page the window withdraws the whole application on the applicant's
request (/workbench/cases/<ref>/joint-withdraw/)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tongban.cases import selectors_staff as sel
from tongban.cases.forms_staff import Checklist, IntakeForm
from tongban.cases.joint import JointPart, joint_application_create
from tongban.cases.joint_selectors import implementations_by_code, joint_items
from tongban.cases.joint_withdraw import joint_withdraw
from tongban.cases.models import Case
from tongban.cases.views_clerk import NO_WINDOW, _pick_window
from tongban.cases.views_staff import (
    _act,
    _revision,
    case_url,
    error_text,
    forbidden,
    nav,
    staff_page,
    today,
)
from tongban.core.errors import TongbanError, ValidationFailed


@staff_page
@require_http_methods(["GET", "POST"])
def joint_intake(request: HttpRequest) -> HttpResponse:
    windows = sel.clerk_windows(request.user)  # type: ignore[arg-type]
    if not windows:
        return forbidden(request, NO_WINDOW)
    window = _pick_window(request, windows)
    items = joint_items(window=window, on=today())
    offered = {i.task_code: i for i in items}
    source = request.POST if request.method == "POST" else request.GET
    chosen = [c for c in dict.fromkeys(source.getlist("items")) if c in offered]
    context: dict[str, Any] = {
        **nav(request),
        "windows": windows,
        "window": window,
        "items": items,
        "chosen": chosen,
    }
    if "items" in source and len(chosen) < 2:
        context["error"] = error_text(ValidationFailed("joint_needs_parts"))
        return render(request, "cases/staff/joint_intake.html", context, status=422)
    if not chosen:
        return render(request, "cases/staff/joint_intake.html", context)
    impls = implementations_by_code(chosen)
    parts = [(offered[c], Checklist(impls[c].current_version)) for c in chosen]  # type: ignore[arg-type]
    status = 200
    if request.method == "POST":
        form = IntakeForm(request.POST)
        scans_ok = all([cl.parse(request.POST, request.FILES) for _, cl in parts])
        if form.is_valid() and scans_ok:
            try:
                parent = joint_application_create(
                    actor=request.user,
                    window=window,
                    intake=form.intake(),
                    identity=form.identity(),
                    parts=[JointPart(item.task_code, cl.entries) for item, cl in parts],
                    today=today(),
                )
            except TongbanError as exc:
                context["error"] = error_text(exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    f"已受理多地联办申请 {parent.case_number}，共 {len(parts)} 个部分，"
                    "异地部分已推送各办理地节点",
                )
                return redirect(case_url(parent))
        else:
            context["error"] = "请按提示改正后重新提交（已选择的扫描件需重新选择）"
            status = 422
    else:
        form = IntakeForm(initial={"idempotency_key": uuid.uuid4().hex})
    context.update(form=form, parts=parts)
    return render(request, "cases/staff/joint_intake.html", context, status=status)


@staff_page
@require_POST
def case_joint_withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    def action(case: Case) -> str:
        result = joint_withdraw(
            actor=request.user,
            parent=case,
            reason=request.POST.get("reason", "")[:500],
            expected_revision=_revision(request),
        )
        done = len(result.parts) - len(result.kept)
        kept = f"，{len(result.kept)} 个部分已有决定未撤回" if result.kept else ""
        return f"已整体撤回联办申请：撤回 {done} 个部分{kept}"

    return _act(request, ref, "joint-withdraw", action)
