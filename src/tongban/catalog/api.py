"""Public routes of the catalogue: search the items in force, read one item.

Registered in tongban.api at /api/v1/catalog. No login needed: the catalogue is public.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from tongban.catalog.schemas import ItemDetailOut, ItemSearchOut
from tongban.catalog.search import search_items
from tongban.catalog.selectors_items import item_in_force

router = Router(tags=["catalog"])

MAX_LIMIT = 100


class ItemSearchParams(Schema):
    q: str = NinjaField(
        "", max_length=100, description="关键词：名称、别名、简称、拼音首字母、材料…"
    )
    region: str | None = NinjaField(None, description="行政区划代码，含下级地区")
    department: int | None = NinjaField(None, description="实施部门 id")
    scope: str | None = NinjaField(None, description="通办范围")
    mode: str | None = NinjaField(None, description="通办模式")
    theme: str | None = NinjaField(None, description="主题编码")
    item_type: str | None = NinjaField(None, description="事项类型")
    limit: int = NinjaField(20, ge=1, le=MAX_LIMIT)
    offset: int = NinjaField(0, ge=0)


@router.get("/items", response=ItemSearchOut, summary="检索现行事项（空关键词时按名称浏览）")
def list_items(request: HttpRequest, params: Query[ItemSearchParams]) -> ItemSearchOut:
    page = search_items(
        q=params.q,
        region_code=params.region or None,
        department_id=params.department,
        scope=params.scope or None,
        mode=params.mode or None,
        theme=params.theme or None,
        item_type=params.item_type or None,
        limit=params.limit,
        offset=params.offset,
    )
    return ItemSearchOut.of(page, limit=params.limit, offset=params.offset)


@router.get("/items/{task_code}", response=ItemDetailOut, summary="事项现行版本的全部要素")
def get_item(request: HttpRequest, task_code: str) -> ItemDetailOut:
    return ItemDetailOut.of(item_in_force(task_code))
