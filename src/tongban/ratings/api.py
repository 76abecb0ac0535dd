"""Rating routes (/api/v1/ratings): submit, list own ratings, staff rectification tasks,
and the public figures (no login, no personal data)."""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status
from ninja.security import django_auth

from tongban.core.errors import ValidationFailed
from tongban.ratings import selectors, selectors_pages
from tongban.ratings.schemas import (
    ActionIn,
    PublicDepartmentOut,
    PublicOut,
    RatingIn,
    RatingOut,
    RectificationOut,
    TotalsOut,
)
from tongban.ratings.services import RatingInput, rating_submit, rectification_transition

router = Router(tags=["ratings"])


@router.post("/", response={201: RatingOut}, auth=django_auth)
def submit(request: HttpRequest, payload: RatingIn) -> Status:
    """Rate one side of a case at one stage (one rating per case, stage and target)."""
    rating = rating_submit(
        actor=request.user,
        data=RatingInput(
            case_number=payload.case_number,
            stage=payload.stage,
            target=payload.target,
            scores=payload.scores,
            comment=payload.comment,
        ),
        channel=payload.channel,
    )
    return Status(201, RatingOut.of(rating))


@router.get("/mine", response=list[RatingOut], auth=django_auth)
def mine(request: HttpRequest) -> list[RatingOut]:
    return [RatingOut.of(r) for r in selectors_pages.own_ratings(request.user)[:200]]


@router.get("/tasks", response=list[RectificationOut], auth=django_auth)
def tasks(request: HttpRequest, all: bool = False) -> list[RectificationOut]:
    """Rectification tasks the caller works on or reviews (open ones unless all=true)."""
    qs = selectors_pages.rectification_queue(request.user, open_only=not all)
    return [RectificationOut.of(x) for x in qs[:200]]


@router.post("/tasks/{task_id}/actions", response=RectificationOut, auth=django_auth)
def act(request: HttpRequest, task_id: int, payload: ActionIn) -> RectificationOut:
    rectification_transition(
        actor=request.user,
        rectification_id=task_id,
        action=payload.action,
        note=payload.note,
        outcome=payload.outcome,
        expected_revision=payload.revision,
    )
    view = selectors_pages.rectification_view(request.user, task_id, today=timezone.localdate())
    return RectificationOut.of(view.rect)


@router.get("/public", response=PublicOut)
def public(
    request: HttpRequest,
    start: date | None = None,
    end: date | None = None,
    region_code: str | None = None,
) -> PublicOut:
    """Satisfaction per department for a period (default: this month); no personal data."""
    today = timezone.localdate()
    start = start or today.replace(day=1)
    end = end or today
    if end < start:
        raise ValidationFailed("invalid_input", "结束日期不能早于开始日期", field="end")
    return PublicOut(
        start=start,
        end=end,
        totals=TotalsOut.of(selectors.rating_totals(start=start, end=end, region_code=region_code)),
        departments=[
            PublicDepartmentOut.of(d)
            for d in selectors.satisfaction_by_department(
                start=start, end=end, region_code=region_code
            )
        ],
    )
