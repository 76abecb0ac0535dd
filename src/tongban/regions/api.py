"""Routes for regions: parse → selector → schema."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from tongban.regions import selectors
from tongban.regions.models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    full_name: str
    level: str
    parent_code: str | None


def _out(r: Region) -> RegionOut:
    return RegionOut(
        code=r.code, name=r.name, full_name=r.full_name, level=r.level, parent_code=r.parent_id
    )


@router.get("", response=list[RegionOut], summary="按代码或名称检索行政区划")
def list_regions(
    request: HttpRequest, q: str = "", level: str | None = None, parent: str | None = None
) -> list[RegionOut]:
    return [_out(r) for r in selectors.region_search(q=q, level=level, parent_code=parent)]


@router.get("/{code}", response=RegionOut, summary="行政区划详情")
def get_region(request: HttpRequest, code: str) -> RegionOut:
    return _out(selectors.region_get(code))
