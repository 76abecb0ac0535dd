"""API input and output of ratings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from tongban.ratings.models import Rating, Rectification
from tongban.ratings.selectors import DepartmentSatisfaction, RatingTotals


class RatingIn(Schema):
    case_number: str = Field(..., max_length=43)
    stage: str = Field(..., description="acceptance (受理) or closure (办结)")
    target: str = Field("department", description="department (办理部门) or window (收件窗口)")
    scores: dict[str, Any] = Field(
        ...,
        description="indicator → level 1-5; 'overall' (整体满意度) is required. Online: "
        "efficiency, guide_accuracy, convenience, usability; window: service_efficiency, "
        "service_level, service_attitude",
    )
    comment: str = ""
    channel: str = Field("online", description="online (申请人本人) or window (窗口评价器)")


class RatingOut(Schema):
    id: int
    case_number: str
    item_name: str
    stage: str
    target: str
    channel: str
    level: int
    scores: dict[str, int]
    comment: str
    rated_at: datetime
    excluded: bool
    rectification_status: str | None

    @staticmethod
    def of(r: Rating) -> RatingOut:
        rect = getattr(r, "rectification", None) if r.is_bad else None
        return RatingOut(
            id=r.pk,
            case_number=r.case.case_number or "",
            item_name=r.item_name,
            stage=r.stage,
            target=r.target,
            channel=r.channel,
            level=r.level,
            scores=r.scores,
            comment=r.comment,
            rated_at=r.rated_at,
            excluded=r.excluded,
            rectification_status=rect.status if rect else None,
        )


class RectificationOut(Schema):
    id: int
    status: str
    case_number: str
    item_name: str
    level: int
    comment: str
    department: str | None
    window: str | None
    due_on: date | None
    followed_up_at: datetime | None
    follow_up_note: str
    measures: str
    outcome: str
    appeal_reason: str
    revision: int

    @staticmethod
    def of(x: Rectification) -> RectificationOut:
        return RectificationOut(
            id=x.pk,
            status=x.status,
            case_number=x.rating.case.case_number or "",
            item_name=x.rating.item_name,
            level=x.rating.level,
            comment=x.rating.comment,
            department=x.department.name if x.department else None,
            window=str(x.window) if x.window else None,
            due_on=x.due_on,
            followed_up_at=x.followed_up_at,
            follow_up_note=x.follow_up_note,
            measures=x.measures,
            outcome=x.outcome,
            appeal_reason=x.appeal_reason,
            revision=x.revision,
        )


class ActionIn(Schema):
    action: str = Field(
        ...,
        description="follow_up, submit_rectification, appeal, approve_rectification, "
        "return_rectification, uphold_appeal, reject_appeal",
    )
    note: str = ""
    outcome: str = Field("", description="public outcome (submit_rectification)")
    revision: int | None = None


class PublicDepartmentOut(Schema):
    department_name: str
    region_code: str
    ratings: int
    average: str
    bad: int
    rectified: int

    @staticmethod
    def of(d: DepartmentSatisfaction) -> PublicDepartmentOut:
        return PublicDepartmentOut(
            department_name=d.department_name,
            region_code=d.region_code,
            ratings=d.ratings,
            average=str(d.average),
            bad=d.bad,
            rectified=d.rectified,
        )


class TotalsOut(Schema):
    ratings: int
    average: str
    bad: int
    follow_up_rate: str
    rectification_rate: str

    @staticmethod
    def of(t: RatingTotals) -> TotalsOut:
        return TotalsOut(
            ratings=t.ratings,
            average=str(t.average),
            bad=t.bad,
            follow_up_rate=str(t.follow_up_rate),
            rectification_rate=str(t.rectification_rate),
        )


class PublicOut(Schema):
    start: date
    end: date
    totals: TotalsOut
    departments: list[PublicDepartmentOut]
