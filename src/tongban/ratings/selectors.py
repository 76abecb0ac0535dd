"""Reads for ratings: the statistics the supervision dashboard, the monthly report and
the public disclosure page use (one aggregate query each, never a Python loop over
ratings), and the lists behind the rating and task pages.

Statistics count ratings whose ``rated_on`` lies in ``[start, end]`` (both inclusive)
and leave out ratings taken out by an upheld appeal (``excluded``). ``region_code``
keeps ratings of the rated side's region and everything inside it; the window and the
deciding department of a shared case each count in their own region.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from tongban.core.errors import ValidationFailed
from tongban.ratings.models import BAD_LEVEL_MAX, Rating, RectificationStatus
from tongban.regions.codes import prefix

_AVG = Decimal("0.01")
_RATE = Decimal("0.0001")
_BAD = Q(level__lte=BAD_LEVEL_MAX)
_FOLLOWED = _BAD & Q(rectification__followed_up_at__isnull=False)
_RECTIFIED = _BAD & Q(rectification__status=RectificationStatus.CLOSED)


@dataclass(frozen=True)
class DepartmentSatisfaction:
    department_id: int
    department_name: str
    region_code: str
    ratings: int
    average: Decimal  # mean overall level, 1.00-5.00 (0.00 without ratings)
    bad: int
    followed_up: int
    rectified: int


@dataclass(frozen=True)
class ItemSatisfaction:
    task_code: str
    item_name: str
    department_name: str
    ratings: int
    average: Decimal
    bad: int


@dataclass(frozen=True)
class RatingTotals:
    ratings: int
    average: Decimal
    bad: int
    followed_up: int
    rectified: int
    # Shares of bad ratings followed up / rectified, 0-1; 1 when there is no bad rating
    # (nothing is waiting for a call or a fix).
    follow_up_rate: Decimal
    rectification_rate: Decimal


def _average(total: int | None, count: int) -> Decimal:
    if not count:
        return Decimal("0.00")
    return (Decimal(total or 0) / Decimal(count)).quantize(_AVG, rounding=ROUND_HALF_UP)


def _rate(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("1.0000")
    return (Decimal(part) / Decimal(whole)).quantize(_RATE, rounding=ROUND_HALF_UP)


def counted_ratings(
    *, start: date, end: date, region_code: str | None = None, department_id: int | None = None
) -> QuerySet[Rating]:
    """The ratings the statistics count, as one filter."""
    if end < start:
        raise ValidationFailed("invalid_input", "结束日期不能早于开始日期", field="end")
    qs = Rating.objects.filter(excluded=False, rated_on__gte=start, rated_on__lte=end)
    if region_code:
        if not (region_code.isdigit() and len(region_code) in (6, 12)):
            raise ValidationFailed("region_code_format", field="region_code")
        qs = qs.filter(region__code__startswith=prefix(region_code))
    if department_id is not None:
        qs = qs.filter(department_id=department_id)
    return qs


def satisfaction_by_department(
    *, start: date, end: date, region_code: str | None = None, department_id: int | None = None
) -> list[DepartmentSatisfaction]:
    """Per deciding department (ratings of windows have no department and are left out),
    best average first."""
    rows = (
        counted_ratings(start=start, end=end, region_code=region_code, department_id=department_id)
        .filter(department__isnull=False)
        .values("department_id", "department__name", "department__region_id")
        .annotate(
            n=Count("id"),
            total=Sum("level"),
            bad=Count("id", filter=_BAD),
            followed=Count("id", filter=_FOLLOWED),
            rectified=Count("id", filter=_RECTIFIED),
        )
        .order_by("department_id")
    )
    out = [
        DepartmentSatisfaction(
            department_id=r["department_id"],
            department_name=r["department__name"],
            region_code=r["department__region_id"],
            ratings=r["n"],
            average=_average(r["total"], r["n"]),
            bad=r["bad"],
            followed_up=r["followed"],
            rectified=r["rectified"],
        )
        for r in rows
    ]
    out.sort(key=lambda d: (-d.average, -d.ratings, d.department_id))
    return out


def rating_totals(
    *, start: date, end: date, region_code: str | None = None, department_id: int | None = None
) -> RatingTotals:
    r = counted_ratings(
        start=start, end=end, region_code=region_code, department_id=department_id
    ).aggregate(
        n=Count("id"),
        total=Sum("level"),
        bad=Count("id", filter=_BAD),
        followed=Count("id", filter=_FOLLOWED),
        rectified=Count("id", filter=_RECTIFIED),
    )
    return RatingTotals(
        ratings=r["n"],
        average=_average(r["total"], r["n"]),
        bad=r["bad"],
        followed_up=r["followed"],
        rectified=r["rectified"],
        follow_up_rate=_rate(r["followed"], r["bad"]),
        rectification_rate=_rate(r["rectified"], r["bad"]),
    )


def satisfaction_by_item(
    *, start: date, end: date, region_code: str | None = None, limit: int = 200
) -> list[ItemSatisfaction]:
    """Per item implementation (department ratings only), most rated first."""
    rows = (
        counted_ratings(start=start, end=end, region_code=region_code)
        .filter(department__isnull=False)
        .values("task_code", "item_name", "department__name")
        .annotate(n=Count("id"), total=Sum("level"), bad=Count("id", filter=_BAD))
        .order_by("-n", "task_code")[:limit]
    )
    return [
        ItemSatisfaction(
            task_code=r["task_code"],
            item_name=r["item_name"],
            department_name=r["department__name"],
            ratings=r["n"],
            average=_average(r["total"], r["n"]),
            bad=r["bad"],
        )
        for r in rows
    ]
