"""电子监察 pages under /workbench/supervision/: the dashboard, cards with their history
and 督办, monthly reports. Views call selectors/services only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from tongban.cases.views_staff import calendar, error_text, forbidden, today
from tongban.core.calendar_store import calendar_coverage
from tongban.core.errors import NotFound, PermissionDenied, TongbanError, ValidationFailed
from tongban.supervision import access, report, selectors, selectors_rules, services
from tongban.supervision.assets import ECHARTS_STATIC
from tongban.supervision.models import CardKind, CardStatus
from tongban.supervision.rules import (
    DEFAULT_REPLY_DAYS,
    DEFAULT_YELLOW_DAYS,
    DEFAULT_YELLOW_PERCENT,
    rule_label,
)
from tongban.supervision.transitions import ACTION_LABELS

View = Callable[..., HttpResponseBase]


def _page(*, supervisor_only: bool) -> Callable[[View], View]:
    def deco(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            allowed = access.is_supervisor(request.user)
            if not supervisor_only:
                depts, windows = access.addressee_units(request.user)
                allowed = allowed or bool(depts or windows)
            if not allowed:
                return forbidden(request, "监察页面仅向监察人员开放。")
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                return render(
                    request, "cases/staff/not_found.html", {"message": exc.message}, status=404
                )
            except PermissionDenied as exc:
                return forbidden(request, error_text(exc))

        return wrapper

    return deco


def _chart_data(d: selectors.Dashboard) -> dict[str, Any]:
    return {
        "status": d.by_status,
        "region": d.by_region,
        "department": d.by_department,
        "channel": d.by_channel,
        "mode": d.by_mode,
        "segments": d.segments,
        "cards": [(dict(CardKind.choices)[k], n) for k, n in d.open_cards.items()],
    }


@_page(supervisor_only=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    day = today()
    error = None
    try:
        f = selectors.filters_parse(request.user, request.GET.dict(), today=day)
    except ValidationFailed as exc:
        error = exc
        f = selectors.filters_parse(request.user, {}, today=day)
    d = selectors.dashboard(request.user, f)
    return render(
        request,
        "supervision/dashboard.html",
        {
            "d": d,
            "f": f,
            "error": error_text(error) if error else "",
            "charts": _chart_data(d),
            "echarts_src": ECHARTS_STATIC,
            "coverage": calendar_coverage(),
            "today": day,
            "kinds": dict(CardKind.choices),
            "departments": selectors.departments_for_filter(request.user),
            "regions": selectors.regions_for_filter(request.user),
        },
        status=422 if error else 200,
    )


@_page(supervisor_only=False)
def cards(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or CardStatus.OPEN
    kind = request.GET.get("kind") or None
    try:
        rows = selectors.cards_list(request.user, status=status, kind=kind)
    except ValidationFailed as exc:
        return render(
            request, "cases/staff/not_found.html", {"message": error_text(exc)}, status=422
        )
    return render(
        request,
        "supervision/cards.html",
        {
            "rows": [(c, rule_label(c.rule)) for c in rows],
            "status": status,
            "kind": kind or "",
            "kinds": CardKind.choices,
            "statuses": CardStatus.choices,
            "supervisor": access.is_supervisor(request.user),
        },
    )


def _card_page(
    request: HttpRequest, card_id: int, *, error: TongbanError | None = None, section: str = ""
) -> HttpResponse:
    detail = selectors.card_detail(request.user, card_id)
    return render(
        request,
        "supervision/card.html",
        {
            "x": detail,
            "labels": ACTION_LABELS,
            "error": error_text(error) if error else "",
            "section": section,
            "posted": request.POST if error else {},
            "reply_days": DEFAULT_REPLY_DAYS,
        },
        status=error.status if error else 200,
    )


@_page(supervisor_only=False)
def card_page(request: HttpRequest, card_id: int) -> HttpResponse:
    return _card_page(request, card_id)


def _act(
    request: HttpRequest, card_id: int, section: str, action: Callable[[], str]
) -> HttpResponse:
    try:
        done = action()
    except TongbanError as exc:
        if isinstance(exc, NotFound):
            raise
        return _card_page(request, card_id, error=exc, section=section)
    messages.success(request, done)
    return redirect(reverse("workbench:supervision:card", args=[card_id]) + f"#{section}")


@require_POST
@_page(supervisor_only=True)
def card_escalate(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.card_get(request.user, card_id)

    def act() -> str:
        try:
            days = int(request.POST.get("reply_days", ""))
        except ValueError as exc:
            raise ValidationFailed("escalation_reply_days", field="reply_days") from exc
        services.escalation_issue(
            actor=request.user,
            card=card,
            request=request.POST.get("request", ""),
            reply_days=days,
            today=today(),
            cal=calendar(),
        )
        return "已发起督办"

    return _act(request, card_id, "escalate", act)


@require_POST
@_page(supervisor_only=False)
def escalation_reply(request: HttpRequest, card_id: int, escalation_id: int) -> HttpResponse:
    esc = selectors.escalation_get(request.user, escalation_id)

    def act() -> str:
        services.escalation_reply(
            actor=request.user, escalation=esc, reply=request.POST.get("reply", ""), today=today()
        )
        return "已答复督办"

    return _act(request, card_id, "escalations", act)


@require_POST
@_page(supervisor_only=True)
def escalation_close(request: HttpRequest, card_id: int, escalation_id: int) -> HttpResponse:
    esc = selectors.escalation_get(request.user, escalation_id)

    def act() -> str:
        services.escalation_close(
            actor=request.user,
            escalation=esc,
            outcome=request.POST.get("outcome", ""),
            close_card=request.POST.get("close_card") == "1",
        )
        return "督办已办结"

    return _act(request, card_id, "escalations", act)


@require_POST
@_page(supervisor_only=True)
def card_close(request: HttpRequest, card_id: int) -> HttpResponse:
    card = selectors.card_get(request.user, card_id)

    def act() -> str:
        services.card_close(actor=request.user, card=card, note=request.POST.get("note", ""))
        return "预警牌已办结"

    return _act(request, card_id, "close", act)


@_page(supervisor_only=True)
def reports(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            r = report.report_generate(
                actor=request.user,
                month=request.POST.get("month", ""),
                region_code=request.POST.get("region") or None,
                today=today(),
            )
        except TongbanError as exc:
            error = error_text(exc)
        else:
            messages.success(request, f"已生成 {r.month:%Y年%-m月} 月通报")
            return redirect(reverse("workbench:supervision:reports"))
    return render(
        request,
        "supervision/reports.html",
        {
            "reports": report.reports_list(request.user),
            "error": error,
            "regions": selectors.regions_for_filter(request.user),
            "default_month": f"{report.last_month(today()):%Y-%m}",
        },
        status=422 if error else 200,
    )


@_page(supervisor_only=True)
def report_file(request: HttpRequest, report_id: int, fmt: str) -> HttpResponseBase:
    r = report.report_get(request.user, report_id)
    path = report.report_path(r, fmt)
    name = f"monthly-report-{r.region_id}-{r.month:%Y-%m}.{fmt}"
    ctype = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    return FileResponse(
        path.open("rb"), content_type=ctype, as_attachment=fmt == "pdf", filename=name
    )


def _int(raw: str | None, fieldname: str) -> int:
    try:
        return int((raw or "").strip())
    except ValueError:
        raise ValidationFailed("warning_rule_invalid", field=fieldname) from None


@_page(supervisor_only=True)
def warning_rules(request: HttpRequest) -> HttpResponse:
    """/workbench/supervision/rules/: per-item yellow-card thresholds and step timers."""
    q = request.GET.get("q", "")
    error, failed = "", None
    if request.method == "POST":
        try:
            raw = request.POST.get("implementation", "")
            if not raw.isdigit():
                raise NotFound("事项")
            impl = selectors_rules.warning_rule_target(request.user, int(raw))
            failed = impl.pk
            services.warning_rule_set(
                actor=request.user,
                implementation=impl,
                yellow_days=_int(request.POST.get("yellow_days"), "yellow_days"),
                yellow_percent=_int(request.POST.get("yellow_percent"), "yellow_percent"),
                step_timers=request.POST.get("step_timers") == "on",
            )
        except NotFound:
            raise  # (not an item of the supervisor's regions: the 404 page)
        except TongbanError as exc:
            error = error_text(exc)
        else:
            name = impl.current_version.name if impl.current_version else impl.task_code
            messages.success(request, f"已保存“{name}”的预警规则，下次扫描起生效。")
            back = reverse("workbench:supervision:rules")
            return redirect(f"{back}?q={q}" if q else back)
    rows, total = selectors_rules.warning_rules(request.user, q=q)
    return render(
        request,
        "supervision/rules.html",
        {
            "rows": rows,
            "total": total,
            "limit": selectors_rules.RULES_PAGE_LIMIT,
            "q": q,
            "error": error,
            "failed": failed,
            "defaults": (DEFAULT_YELLOW_DAYS, DEFAULT_YELLOW_PERCENT),
        },
        status=422 if error else 200,
    )
