"""Messages pages: /my/messages/ (the logged-in user's own notifications) and, in demo or
development mode only, /messages/ — every message the fake notifier sent, so a demo
visitor can see what an applicant would have received by SMS or e-mail."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tongban.config import CONFIG
from tongban.notifications import selectors


def outbox_enabled() -> bool:
    return CONFIG.demo_mode or CONFIG.env == "development"


@require_GET
def my_messages(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    rows = list(selectors.notifications_for(request.user))
    return render(
        request,
        "notifications/my_messages.html",
        {"rows": rows, "outbox_enabled": outbox_enabled()},
    )


@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    if not outbox_enabled():
        raise Http404("仅在演示或开发环境提供")
    rows = [(n, selectors.mask_phone(n.phone)) for n in selectors.outbox_all()]
    return render(request, "notifications/outbox.html", {"rows": rows})
