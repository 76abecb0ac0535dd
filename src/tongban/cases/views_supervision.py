"""Supervisors' watch list (/workbench/supervision/): cases whose legal deadline could not
be computed (the working-day calendar does not cover the year yet) and overdue cases."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.cases import selectors_staff as sel
from tongban.cases.views_staff import calendar, forbidden, today
from tongban.core.calendar_store import calendar_coverage
from tongban.core.errors import TongbanError


def watchlist(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        watch = sel.supervision_watchlist(request.user, cal=calendar(), today=today())
    except TongbanError:
        return forbidden(request, "监察页面仅向监察人员开放。")
    return render(
        request,
        "cases/staff/supervision.html",
        {"watch": watch, "coverage": calendar_coverage(), "today": today()},
    )
