"""The department inbox (/workbench/inbox/): open cases of the user's departments, most
urgent first, with the working days left on the deadline that runs now."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.cases import selectors_staff as sel
from tongban.cases.transitions import OPEN, CaseStatus
from tongban.cases.views_staff import calendar, forbidden, nav, staff_page, today

S = CaseStatus
NO_DEPARTMENT = "您没有部门审查、审批岗位。办件收件箱仅向办理部门的工作人员开放。"
STATUS_FILTER = [(s.value, s.label) for s in S if s in OPEN]


@staff_page
def inbox(request: HttpRequest) -> HttpResponse:
    departments = sel.staff_departments(request.user)  # type: ignore[arg-type]
    if not departments:
        return forbidden(request, NO_DEPARTMENT)
    wanted = request.GET.get("department") or ""
    department = next((d for d in departments if str(d.pk) == wanted), None)
    status = request.GET.get("status") or ""
    status = status if status in dict(STATUS_FILTER) else ""
    box = sel.inbox(
        request.user,
        cal=calendar(),
        today=today(),
        department_id=department.pk if department else None,
        status=status or None,
    )
    return render(
        request,
        "cases/staff/inbox.html",
        {
            **nav(request),
            "departments": departments,
            "department": department,
            "status": status,
            "statuses": STATUS_FILTER,
            "box": box,
            "today": today(),
        },
    )
