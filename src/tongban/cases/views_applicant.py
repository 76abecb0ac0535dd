"""The applicant's pages: apply online (/apply/<task_code>/), my cases (/my/cases/),
one case with its timeline, supplement and withdraw (/my/cases/<ref>/…).

Parse → service or selector → render. Every page needs a logged-in user (others are
sent to the login page and come back); a case that is not the user's own does not exist
for them (404). Services get an explicit ``today`` from :func:`_today` so tests can fix
the date.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongban.cases import selectors_applicant as sel
from tongban.cases.forms_applicant import (
    ACCEPT,
    ApplicationForm,
    RevisionForm,
    channel_of,
    choices_from,
    files_from,
    initial_from_case,
    initial_from_user,
)
from tongban.cases.joint_withdraw import application_withdraw
from tongban.cases.models import Case, MaterialStatus
from tongban.cases.services_applicant import (
    Outcome,
    application_save,
    case_supplement_with_files,
    stashed_files,
)
from tongban.cases.transitions import CaseStatus
from tongban.config import CONFIG
from tongban.core.calendar_store import work_calendar
from tongban.core.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    TongbanError,
    ValidationFailed,
)
from tongban.licences.exemption import licence_consents_from, licence_rows

S = CaseStatus
CONFLICT_MESSAGE = "办件已被更新，请刷新"


def _today() -> date:
    return timezone.localdate()


def _not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "catalog/not_found.html", {"message": message}, status=404)


def _case_url(case: Case) -> str:
    return f"/my/cases/{sel.case_ref(case)}/"


def _conflict(request: HttpRequest, case: Case) -> HttpResponse:
    messages.error(request, CONFLICT_MESSAGE)
    return redirect(_case_url(case))


# --- the application form -------------------------------------------------------------


def _material_error(
    f: sel.MaterialField, field_errors: dict[str, TongbanError], general: list[TongbanError]
) -> TongbanError | None:
    """The error to show at a material: its own, or "still missing" after a submission
    that failed for missing materials."""
    if f.name in field_errors:
        return field_errors[f.name]
    missing = f.status == MaterialStatus.MISSING and f.requirement.is_required and not f.exempt
    if missing and any(e.code == "materials_missing" for e in general):
        return ValidationFailed("materials_missing", "必要材料，请上传", field=f.name)
    return None


def _form_page(
    request: HttpRequest,
    item: sel.ApplyItem,
    form: ApplicationForm,
    *,
    case: Case | None,
    key: str | None,
    errors: dict[str, TongbanError] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    field_errors: dict[str, TongbanError] = {}
    general: list[TongbanError] = []
    for name, exc in errors.items():
        target = form.field_for(name) or form.field_for(exc.field)
        if target:
            field_errors.setdefault(target, exc)
        else:
            general.append(exc)
    fields = sel.material_fields(item.version, case, stashed_files(request.user, key))
    offers, used = licence_rows(request.user, item.version, case)
    context: dict[str, Any] = {
        "item": item,
        "v": item.version,
        "form": form,
        "case": case,
        "key": key,
        "errors": field_errors,
        "general_errors": general,
        "materials_error": next((e for e in general if e.field == "materials"), None),
        "materials": [
            {
                "f": f,
                "error": _material_error(f, field_errors, general),
                "offer": offers.get(f.requirement.pk),
                "used": used.get(f.requirement.pk),
            }
            for f in fields
        ],
        "form_errors": [e for errs in form.errors.values() for e in errs] if form.is_bound else [],
        "accept": ACCEPT,
        "max_mb": CONFIG.upload_max_bytes // (1024 * 1024),
    }
    return render(request, "cases/applicant/apply.html", context, status=status)


def _after_save(
    request: HttpRequest, item: sel.ApplyItem, form: ApplicationForm, outcome: Outcome, key: str
) -> HttpResponse:
    case = outcome.case
    if case is not None and outcome.replayed:
        return redirect(_case_url(case))
    if case is not None and outcome.done:
        messages.success(request, f"申请已提交，办件编号 {case.case_number}")
        return redirect(_case_url(case))
    if case is not None and not outcome.errors:
        messages.success(request, "草稿已保存，可随时继续填写")
        return redirect(_case_url(case))
    # Errors: the same page again with everything entered; the draft (if any) keeps the
    # files that passed; the next post edits it through the same key.
    data = request.POST.copy()
    if case is not None:
        data["revision"] = str(case.revision)
    again = ApplicationForm(data)
    again.is_valid()
    return _form_page(request, item, again, case=case, key=key, errors=outcome.errors, status=422)


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, task_code: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        item = sel.apply_item(task_code)
    except NotFound:
        return _not_found(request, "没有找到该事项，事项编码可能有误或事项已停止实施。")
    if not item.online:
        return render(request, "cases/applicant/unavailable.html", {"item": item}, status=409)
    if request.method == "GET":
        key = str(uuid.uuid4())
        form = ApplicationForm(initial={**initial_from_user(request.user), "idempotency_key": key})
        return _form_page(request, item, form, case=None, key=key)
    form = ApplicationForm(request.POST)
    if not form.is_valid() or not form.cleaned_data.get("idempotency_key"):
        key = str(form.cleaned_data.get("idempotency_key") or uuid.uuid4())
        return _form_page(request, item, form, case=None, key=key, status=422)
    key = str(form.cleaned_data["idempotency_key"])
    ids = [r.pk for r in item.version.materials.all()]
    try:
        outcome = application_save(
            actor=request.user,
            implementation=item.implementation,
            intake=form.intake(channel=channel_of(request)),
            files=files_from(request, ids),
            choices=choices_from(request, ids),
            licence_consents=licence_consents_from(request, ids),
            submit=form.submitting,
            expected_revision=form.cleaned_data.get("revision"),
            today=_today(),
        )
    except Conflict as exc:
        if exc.code == "conflict":
            messages.error(request, CONFLICT_MESSAGE)
        return _form_page(request, item, form, case=None, key=key, errors={"form": exc}, status=409)
    except TongbanError as exc:
        return _form_page(request, item, form, case=None, key=key, errors={"form": exc}, status=422)
    return _after_save(request, item, form, outcome, key)


def _edit_draft(request: HttpRequest, case: Case) -> HttpResponse:
    item = sel.ApplyItem(case.implementation, case.version, True)
    key = case.idempotency_key
    if request.method == "GET":
        form = ApplicationForm(initial={**initial_from_case(case), "idempotency_key": key})
        return _form_page(request, item, form, case=case, key=key)
    form = ApplicationForm(request.POST)
    if not form.is_valid():
        return _form_page(request, item, form, case=case, key=key, status=422)
    ids = [r.pk for r in case.version.materials.all()]
    intake = form.intake(channel=case.channel)
    intake.idempotency_key = key
    try:
        outcome = application_save(
            actor=request.user,
            implementation=case.implementation,
            intake=intake,
            files=files_from(request, ids),
            choices=choices_from(request, ids),
            licence_consents=licence_consents_from(request, ids),
            submit=form.submitting,
            draft=case,
            expected_revision=form.cleaned_data.get("revision"),
            today=_today(),
        )
    except Conflict:
        return _conflict(request, case)
    except TongbanError as exc:
        return _form_page(request, item, form, case=case, key=key, errors={"form": exc}, status=422)
    return _after_save(request, item, form, outcome, key or "")


# --- my cases -------------------------------------------------------------------------


@require_GET
def my_cases(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raw = request.GET.get("page", "")
    page, rows = sel.my_cases(
        request.user, cal=work_calendar(), today=_today(), page=int(raw) if raw.isdigit() else 1
    )
    return render(request, "cases/applicant/my_cases.html", {"page": page, "rows": rows})


def _case_or_none(request: HttpRequest, ref: str) -> Case | None:
    try:
        return sel.case_for_applicant(request.user, ref)
    except (NotFound, NotAuthenticated):
        return None


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    errors: dict[str, TongbanError] | None = None,
    status: int = 200,
) -> HttpResponse:
    detail = sel.case_detail(request.user, case, cal=work_calendar(), today=_today())
    errors = errors or {}
    defects = [{"m": m, "error": errors.get(f"file_{m.requirement_id}")} for m in detail.defects]
    general = [e for k, e in errors.items() if not k.startswith("file_")]
    context = {
        "d": detail,
        "case": case,
        "defects": defects,
        "general_errors": general,
        "errors": {k: e for k, e in errors.items() if k.startswith("file_")},
        "accept": ACCEPT,
        "max_mb": CONFIG.upload_max_bytes // (1024 * 1024),
    }
    return render(request, "cases/applicant/case.html", context, status=status)


@require_http_methods(["GET", "POST"])
def case_page(request: HttpRequest, ref: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    case = _case_or_none(request, ref)
    if case is None:
        return _not_found(request, "没有找到该办件。")
    if case.status == S.DRAFT:
        return _edit_draft(request, case)
    if request.method == "POST":
        return redirect(_case_url(case))
    return _case_page(request, case)


@require_POST
def supplement(request: HttpRequest, ref: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(f"/my/cases/{ref}/")
    case = _case_or_none(request, ref)
    if case is None:
        return _not_found(request, "没有找到该办件。")
    form = RevisionForm(request.POST)
    if not form.is_valid():
        return _conflict(request, case)
    ids = [m.requirement_id for m in case.materials.all()]
    try:
        outcome = case_supplement_with_files(
            actor=request.user,
            case=case,
            files=files_from(request, ids),
            expected_revision=form.cleaned_data["revision"],
            today=_today(),
        )
    except Conflict:
        return _conflict(request, case)
    except TongbanError as exc:
        return _case_page(request, case, errors={"form": exc}, status=422)
    if outcome.done:
        messages.success(request, "补正材料已提交，办件恢复计时")
        return redirect(_case_url(case))
    assert outcome.case is not None
    return _case_page(request, outcome.case, errors=outcome.errors, status=422)


@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(f"/my/cases/{ref}/")
    case = _case_or_none(request, ref)
    if case is None:
        return _not_found(request, "没有找到该办件。")
    draft = case.status == S.DRAFT
    if request.method == "GET":
        return render(request, "cases/applicant/withdraw.html", {"case": case, "draft": draft})
    form = RevisionForm(request.POST)
    if not form.is_valid():
        return _conflict(request, case)
    try:
        kept = application_withdraw(
            actor=request.user,
            case=case,
            reason=form.cleaned_data["reason"],
            expected_revision=form.cleaned_data["revision"],
            today=_today(),
        )
    except Conflict:
        return _conflict(request, case)
    except TongbanError as exc:
        messages.error(request, f"未能撤回：{exc.message}")
        return redirect(_case_url(case))
    if draft:
        messages.success(request, "草稿已删除")
        return redirect("/my/cases/")
    if kept:
        names = "、".join(f"{p.case.item_name}（{p.case.handling_region.name}）" for p in kept)
        messages.success(request, f"申请已撤回；以下部分已有决定或已结束，未撤回：{names}")
    else:
        messages.success(request, "申请已撤回")
    return redirect(_case_url(case))
