"""Rating pages: the applicant's 评价 page, the window evaluator (一次一评) on a tablet
at the counter, the staff rectification tasks, and the public disclosure page.

Parse → service or selector → render; a refused input re-renders the page with the
coded error. Comments are rendered through Django's autoescape and never marked safe.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from tongban.core.errors import TongbanError
from tongban.ratings import selectors, selectors_pages, services
from tongban.ratings.models import RatingChannel, Stage, Target
from tongban.ratings.rules import LEVEL_LABELS, indicators_for
from tongban.ratings.transitions import ACTION_LABELS

LEVELS = [(v, LEVEL_LABELS[v]) for v in (5, 4, 3, 2, 1)]


def _login(request: HttpRequest) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


def _scores(request: HttpRequest, channel: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in indicators_for(channel):
        raw = request.POST.get(f"score_{key}", "").strip()
        if raw:
            out[key] = int(raw) if raw.lstrip("-").isdigit() else raw
    return out


def _submit(request: HttpRequest, case_number: str, channel: str) -> TongbanError | None:
    data = services.RatingInput(
        case_number=case_number,
        stage=request.POST.get("stage", ""),
        target=request.POST.get("target", ""),
        scores=_scores(request, channel),
        comment=request.POST.get("comment", ""),
    )
    try:
        services.rating_submit(actor=request.user, data=data, channel=channel)
    except TongbanError as exc:
        return exc
    return None


def _error_page(request: HttpRequest, exc: TongbanError) -> HttpResponse:
    return render(request, "ratings/error.html", {"error": exc}, status=exc.status)


def my_rating(request: HttpRequest, case_number: str) -> HttpResponse:
    """/my/ratings/<case_number>/: the applicant rates the stages reached (一事一评)."""
    if (resp := _login(request)) is not None:
        return resp
    try:
        case = selectors_pages.own_case(request.user, case_number)
    except TongbanError as exc:
        return _error_page(request, exc)
    error = None
    if request.method == "POST":
        error = _submit(request, case_number, RatingChannel.ONLINE)
        if error is None:
            messages.success(request, "感谢您的评价！")
            return redirect(f"/my/ratings/{case_number}/")
    ctx = {
        "case": case,
        "slots": selectors_pages.rating_slots(case),
        "indicators": list(indicators_for(RatingChannel.ONLINE).items()),
        "levels": LEVELS,
        "error": error,
        "posted": request.POST if error else {},
    }
    return render(request, "ratings/my_rating.html", ctx, status=error.status if error else 200)


def evaluator_pick(request: HttpRequest) -> HttpResponse:
    """/workbench/ratings/evaluator/: the clerk opens the evaluator for a case."""
    if (resp := _login(request)) is not None:
        return resp
    number = request.GET.get("case_number", "").strip()
    if number:
        return redirect(f"/workbench/ratings/evaluator/{number}/")
    cases = selectors_pages.window_cases_to_rate(request.user)
    return render(request, "ratings/evaluator_pick.html", {"cases": cases})


def evaluator(request: HttpRequest, case_number: str) -> HttpResponse:
    """The tablet screen: big buttons, offline indicators, one rating at a time."""
    if (resp := _login(request)) is not None:
        return resp
    try:
        case = selectors_pages.window_case(request.user, case_number)
    except TongbanError as exc:
        return _error_page(request, exc)
    error = None
    if request.method == "POST":
        error = _submit(request, case_number, RatingChannel.WINDOW)
        if error is None:
            return render(request, "ratings/evaluator_thanks.html", {"case": case})
    slots = selectors_pages.rating_slots(case)
    # At the counter the window itself is rated when two regions share the case.
    prefer = Target.WINDOW if any(s.target == Target.WINDOW for s in slots) else Target.DEPARTMENT
    open_slots = [s for s in slots if s.open and s.target == prefer]
    ctx = {
        "case": case,
        "slot": open_slots[-1] if open_slots else None,  # the latest stage reached
        "indicators": list(indicators_for(RatingChannel.WINDOW).items()),
        "levels": LEVELS,
        "error": error,
        "posted": request.POST if error else {},
    }
    return render(request, "ratings/evaluator.html", ctx, status=error.status if error else 200)


def tasks(request: HttpRequest) -> HttpResponse:
    """/workbench/ratings/tasks/: 回访 and 整改 tasks of the caller's side."""
    if (resp := _login(request)) is not None:
        return resp
    show_all = request.GET.get("all") == "1"
    rows = list(selectors_pages.rectification_queue(request.user, open_only=not show_all)[:200])
    today = timezone.localdate()
    return render(
        request,
        "ratings/tasks.html",
        {"rows": rows, "today": today, "show_all": show_all},
    )


def task(request: HttpRequest, task_id: int) -> HttpResponse:
    if (resp := _login(request)) is not None:
        return resp
    error = None
    if request.method == "POST":
        revision = request.POST.get("revision", "")
        try:
            services.rectification_transition(
                actor=request.user,
                rectification_id=task_id,
                action=request.POST.get("action", ""),
                note=request.POST.get("note", ""),
                outcome=request.POST.get("outcome", ""),
                expected_revision=int(revision) if revision.isdigit() else None,
            )
            messages.success(request, "已提交")
            return redirect(f"/workbench/ratings/tasks/{task_id}/")
        except TongbanError as exc:
            error = exc
    try:
        view = selectors_pages.rectification_view(request.user, task_id, today=timezone.localdate())
    except TongbanError as exc:
        return _error_page(request, exc)
    ctx = {
        "v": view,
        "events": [(ACTION_LABELS.get(e.action, e.action), e) for e in view.rect.events.all()],
        "error": error,
        "posted": request.POST if error else {},
    }
    return render(request, "ratings/task.html", ctx, status=error.status if error else 200)


def _month(raw: str, today: date) -> tuple[date, date]:
    """The month asked for (YYYY-MM, else this month), up to today when it is current."""
    try:
        year, month = (int(p) for p in raw.split("-", 1))
        start = date(year, month, 1)
    except (ValueError, TypeError):
        start = today.replace(day=1)
    last = date(start.year, start.month, monthrange(start.year, start.month)[1])
    return start, min(last, max(today, start))


def public(request: HttpRequest) -> HttpResponse:
    """/ratings/public/: satisfaction per department and item, bad ratings and what was
    done. No login, no personal data (no names, ID numbers, phones or comments)."""
    today = timezone.localdate()
    start, end = _month(request.GET.get("month", ""), today)
    region = request.GET.get("region", "").strip() or None
    if region and not (region.isdigit() and len(region) in (6, 12)):
        region = None
    ctx = {
        "start": start,
        "end": end,
        "month": f"{start.year:04d}-{start.month:02d}",
        "region": region or "",
        "totals": selectors.rating_totals(start=start, end=end, region_code=region),
        "departments": selectors.satisfaction_by_department(
            start=start, end=end, region_code=region
        ),
        "items": selectors.satisfaction_by_item(start=start, end=end, region_code=region),
        "bad": selectors_pages.public_bad_ratings(start=start, end=end, region_code=region),
        "stages": dict(Stage.choices),
    }
    return render(request, "ratings/public.html", ctx)
