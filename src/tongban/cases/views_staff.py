"""Staff workbench pages shared by window clerks and departments: the landing page, the
guard every page uses, one case with its moves, and the actions posted from it.

Parse → service or selector → render. Every action form carries the case revision it
was rendered at; a stale page gets ``conflict`` ("办件已被他人处理，请刷新"), and any
refused action re-renders the page with the coded error and the typed input kept.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any, NoReturn

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tongban.cases import selectors_staff as sel
from tongban.cases.forms_staff import (
    HandOverForm,
    MoveForm,
    RevisionForm,
    ShipmentForm,
    SupplementRequestForm,
    read_scans,
)
from tongban.cases.models import Case, CaseMode, MaterialStatus, Shipment
from tongban.cases.services import case_transition
from tongban.cases.services_materials import (
    case_request_supplement,
    material_check_original,
    shipment_receive,
    shipment_send,
)
from tongban.cases.services_window import (
    HAND_OVER_METHODS,
    Scan,
    result_hand_over,
    window_supplement,
)
from tongban.cases.transitions import (
    APPROVER,
    BEFORE_DECISION,
    CLERK,
    REVIEWER,
    TERMINAL,
    CaseStatus,
)
from tongban.core.calendar import WorkCalendar
from tongban.core.calendar_store import work_calendar
from tongban.core.errors import NotFound, PermissionDenied, TongbanError, ValidationFailed

S = CaseStatus
View = Callable[..., HttpResponseBase]
CONFLICT_MESSAGE = "办件已被他人处理，请刷新"
CARRIERS = ["EMS", "中国邮政", "顺丰速运", "京东物流"]
# Moves that have their own form on the case page rather than a plain button.
_OWN_FORM = frozenset({S.SUPPLEMENT_REQUESTED, S.DELIVERED})


def today() -> date:
    return timezone.localdate()


def calendar() -> WorkCalendar:
    return work_calendar()


def error_text(exc: TongbanError) -> str:
    if exc.code == "conflict":
        return f"{CONFLICT_MESSAGE}（conflict）"
    return f"{exc.message}（{exc.code}）"


def staff_page(view: View) -> View:
    """Staff only: visitors log in first; others get a 403 page saying why. A case the
    user may not see is answered as not found."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            back = request.get_full_path() if request.method == "GET" else reverse("workbench:home")
            return redirect_to_login(back)
        if not sel.is_staff(request.user):
            return forbidden(request, "工作台仅向窗口人员、审查人员和审批人员开放。")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return render(
                request, "cases/staff/not_found.html", {"message": exc.message}, status=404
            )
        except PermissionDenied as exc:
            return forbidden(request, error_text(exc))

    return wrapper


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "cases/staff/forbidden.html", {"message": message}, status=403)


def nav(request: HttpRequest) -> dict[str, bool]:
    """Which workbench tabs the user has."""
    return {
        "nav_windows": bool(sel.clerk_windows(request.user)),  # type: ignore[arg-type]
        "nav_departments": bool(sel.staff_departments(request.user)),  # type: ignore[arg-type]
    }


def case_url(case: Case) -> str:
    return reverse("workbench:case", args=[case.case_number or str(case.pk)])


@staff_page
def home(request: HttpRequest) -> HttpResponse:
    """/workbench/: straight to the one workbench the user has, or a choice of both."""
    windows = sel.clerk_windows(request.user)  # type: ignore[arg-type]
    departments = sel.staff_departments(request.user)  # type: ignore[arg-type]
    if windows and not departments:
        return redirect("workbench:clerk")
    if departments and not windows:
        return redirect("workbench:inbox")
    return render(
        request, "cases/staff/home.html", {"windows": windows, "departments": departments}
    )


# ---- one case ---------------------------------------------------------------------


def _parse_time(value: object) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _render_case(
    request: HttpRequest,
    ref: str,
    *,
    error: TongbanError | None = None,
    section: str = "",
    posted: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    d = sel.case_detail(request.user, ref, cal=calendar(), today=today())
    case = d.case
    staff_side = bool(d.roles & {REVIEWER, APPROVER}) or (
        CLERK in d.roles and not d.at_intake_window
    )
    joint_parent = case.mode == CaseMode.JOINT and case.parent_id is None
    plain_moves = [
        (to, m)
        for to, m in d.moves.items()
        if to not in _OWN_FORM
        and not (joint_parent and to == S.WITHDRAWN)  # withdrawn whole: its own form
        and not (case.status == S.SUPPLEMENT_REQUESTED and to == case.paused_from)
    ]
    resume = case.paused_from if case.paused_from in d.moves else ""
    defective = [m for m in d.materials if m.material.status == MaterialStatus.DEFECTIVE]
    open_case = case.status not in TERMINAL and case.status != S.DRAFT
    posted = posted or {}
    identity = case.form_data.get("identity_check") or None
    chosen = posted.get("materials", [])
    chosen = {chosen} if isinstance(chosen, str) else set(chosen)
    supplement_rows = [
        {
            "material": mv.material,
            "checked": str(mv.material.pk) in chosen,
            "note": posted.get(f"note_{mv.material.pk}", ""),
        }
        for mv in d.materials
        if mv.material.status != MaterialStatus.EXEMPTED
    ]
    context: dict[str, Any] = {
        **nav(request),
        "d": d,
        "case": case,
        "ref": case.case_number or str(case.pk),
        "supplement_rows": supplement_rows,
        "status_label": S(case.status).label,
        "plain_moves": plain_moves,
        "can_request_supplement": S.SUPPLEMENT_REQUESTED in d.moves,
        "can_hand_over": S.DELIVERED in d.moves,
        "can_withdraw_joint": joint_parent and S.WITHDRAWN in d.moves,
        "can_supplement": bool(resume) and d.at_intake_window and bool(defective),
        "defective": defective,
        "can_ship": d.at_intake_window
        and case.mode == CaseMode.PROXY_INTAKE
        and case.status in BEFORE_DECISION,
        "originals_sent": any(s.kind == Shipment.Kind.ORIGINALS for s in d.shipments),
        "can_receive": staff_side,
        "can_check_originals": staff_side
        and open_case
        and any(not m.material.original_checked for m in d.materials),
        "hand_over_methods": HAND_OVER_METHODS,
        "carriers": CARRIERS,
        "identity": identity,
        "identity_at": _parse_time(identity.get("at")) if identity else None,
        "checklist": case.form_data.get("intake_checklist") or [],
        "cross_province": sel.cross_province(case),
        "error": error_text(error) if error else "",
        "error_code": error.code if error else "",
        "section": section,
        "posted": posted,
    }
    return render(request, "cases/staff/case.html", context, status=status)


@staff_page
def case_page(request: HttpRequest, ref: str) -> HttpResponse:
    return _render_case(request, ref)


def _act(
    request: HttpRequest, ref: str, section: str, action: Callable[[Case], str]
) -> HttpResponse:
    """Run ``action`` on the case; success → back to the page with its message; a coded
    error → the page again with the error by the form and the input kept."""
    case = sel.case_by_ref(request.user, ref)
    try:
        done = action(case)
    except TongbanError as exc:
        if isinstance(exc, NotFound) and exc.field is None:
            raise
        posted = {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
        flat = {k: v[0] if len(v) == 1 else v for k, v in posted.items()}
        return _render_case(
            request, ref, error=exc, section=section, posted=flat, status=exc.status
        )
    messages.success(request, done)
    return redirect(reverse("workbench:case", args=[ref]) + f"#{section}")


def _revision(request: HttpRequest) -> int:
    form = RevisionForm(request.POST)
    if not form.is_valid():
        raise_invalid("页面已过期，请刷新后重试")
    return int(form.cleaned_data["revision"])


def raise_invalid(message: str, field: str | None = None) -> NoReturn:
    raise ValidationFailed("invalid_input", message, field=field)


@staff_page
@require_POST
def case_move(request: HttpRequest, ref: str) -> HttpResponse:
    def action(case: Case) -> str:
        form = MoveForm(request.POST)
        if not form.is_valid():
            raise_invalid("请求不完整，请刷新后重试")
        to = form.cleaned_data["to"]
        moved = case_transition(
            actor=request.user,
            case=case,
            to=to,
            opinion=form.cleaned_data["opinion"].strip(),
            expected_revision=form.cleaned_data["revision"],
        )
        return f"已办理：{S(moved.status).label}"

    return _act(request, ref, "moves", action)


@staff_page
@require_POST
def case_request_supplement_view(request: HttpRequest, ref: str) -> HttpResponse:
    def action(case: Case) -> str:
        form = SupplementRequestForm(request.POST, materials=sel.case_materials(case))
        if not form.is_valid():
            raise_invalid("请求不完整，请刷新后重试")
        defects = form.defects()
        case_request_supplement(
            actor=request.user,
            case=case,
            defects=defects,
            opinion=form.notice_opinion(defects),
            expected_revision=form.cleaned_data["revision"],
        )
        return "已一次性告知申请人补正，办理时限暂停计算"

    return _act(request, ref, "supplement-request", action)


@staff_page
@require_POST
def case_supplement_view(request: HttpRequest, ref: str) -> HttpResponse:
    def action(case: Case) -> str:
        revision = _revision(request)
        scans: dict[int, list[Scan]] = {}
        for m in sel.case_materials(case, status=MaterialStatus.DEFECTIVE):
            files = read_scans(request.FILES, f"scan_{m.pk}")
            if files:
                scans[m.pk] = files
        window_supplement(actor=request.user, case=case, scans=scans, expected_revision=revision)
        return "补正材料已提交，办理时限恢复计算"

    return _act(request, ref, "supplement", action)


@staff_page
@require_POST
def case_ship(request: HttpRequest, ref: str) -> HttpResponse:
    def action(case: Case) -> str:
        form = ShipmentForm(request.POST)
        if not form.is_valid():
            raise_invalid("请填写承运商和运单号", field="tracking_number")
        s = shipment_send(
            actor=request.user,
            case=case,
            kind=Shipment.Kind.ORIGINALS,
            carrier=form.cleaned_data["carrier"],
            tracking_number=form.cleaned_data["tracking_number"],
            expected_revision=form.cleaned_data["revision"],
        )
        return f"已登记原件寄递：{s.carrier} {s.tracking_number}"

    return _act(request, ref, "shipments", action)


@staff_page
@require_POST
def case_receive(request: HttpRequest, ref: str, shipment_id: int) -> HttpResponse:
    def action(case: Case) -> str:
        revision = _revision(request)
        shipment = sel.case_shipment(request.user, case, shipment_id)
        s = shipment_receive(actor=request.user, shipment=shipment, expected_revision=revision)
        return f"已签收寄递 {s.tracking_number}"

    return _act(request, ref, "shipments", action)


@staff_page
@require_POST
def case_check_originals(request: HttpRequest, ref: str) -> HttpResponse:
    def action(case: Case) -> str:
        revision = _revision(request)
        ids = [int(x) for x in request.POST.getlist("materials") if x.isdigit()]
        if not ids:
            raise_invalid("请勾选已核验原件的材料", field="materials")
        done = material_check_original(
            actor=request.user, case=case, material_ids=ids, expected_revision=revision
        )
        return f"已记录原件核验：{'、'.join(m.name for m in done) or '无变化'}"

    return _act(request, ref, "materials", action)


@staff_page
@require_POST
def case_hand_over(request: HttpRequest, ref: str) -> HttpResponse:
    def action(case: Case) -> str:
        form = HandOverForm(request.POST)
        if not form.is_valid():
            raise_invalid("请选择送达方式", field="method")
        d = form.cleaned_data
        result_hand_over(
            actor=request.user,
            case=case,
            method=d["method"],
            recipient=d["recipient"],
            recipient_id_number=d["recipient_id_number"],
            recipient_kind=d["recipient_kind"] or "applicant",
            carrier=d["carrier"],
            tracking_number=d["tracking_number"],
            expected_revision=d["revision"],
        )
        return "结果已送达" if d["method"] == "post" else "结果已当面交付"

    return _act(request, ref, "hand-over", action)


@staff_page
def case_file(request: HttpRequest, ref: str, file_id: int) -> FileResponse:
    case = sel.case_by_ref(request.user, ref)
    f = sel.case_file(request.user, case, file_id)
    response = FileResponse(
        f.file.open("rb"), content_type=f.content_type, filename=f.original_name
    )
    response["X-Content-Type-Options"] = "nosniff"
    # An uploaded file is evidence to look at, never a page that runs scripts.
    response["Content-Security-Policy"] = "sandbox"
    return response
