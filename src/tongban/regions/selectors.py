"""Reads for regions."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tongban.core.errors import NotFound
from tongban.regions.codes import prefix
from tongban.regions.models import Region


def region_get(code: str) -> Region:
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist as exc:
        raise NotFound("行政区划", field="region_code") from exc


def region_search(
    *, q: str = "", level: str | None = None, parent_code: str | None = None, limit: int = 50
) -> list[Region]:
    qs: QuerySet[Region] = Region.objects.all()
    q = q.strip()
    if q:
        qs = qs.filter(Q(code__startswith=q) | Q(full_name__contains=q))
    if level:
        qs = qs.filter(level=level)
    if parent_code:
        qs = qs.filter(parent_id=parent_code)
    return list(qs.order_by("code")[:limit])


def region_children(code: str | None) -> list[Region]:
    if code is None:
        return list(Region.objects.filter(parent__isnull=True).order_by("code"))
    return list(Region.objects.filter(parent_id=code).order_by("code"))


def region_within(code: str) -> QuerySet[Region]:
    """The region and every region inside it."""
    return Region.objects.filter(code__startswith=prefix(code))
