"""Public guide pages: search results, item guide, one-time notice, browse.

Views parse the query string, call a selector (or the search module) and render.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tongban.catalog import selectors, selectors_browse
from tongban.catalog.models import ItemType, Mode, Scope
from tongban.catalog.search import search_items
from tongban.core.errors import NotFound
from tongban.core.text import normalise

PAGE_SIZE = 20
_REGION_RE = re.compile(r"^\d{6}$")
_THEME_RE = re.compile(r"^[-a-zA-Z0-9_]{1,32}$")


def _not_found(request: HttpRequest, message: str = "") -> HttpResponse:
    return render(request, "catalog/not_found.html", {"message": message}, status=404)


def _choice(value: str | None, allowed: list[str]) -> str | None:
    return value if value in allowed else None


def _positive_int(value: str | None) -> int | None:
    if value and value.isdigit() and 0 < int(value) < 2**31:
        return int(value)
    return None


def _search_params(request: HttpRequest) -> dict[str, Any]:
    """The search filters, each dropped when it is not a value we know."""
    g = request.GET
    region = (g.get("region") or "").strip()
    theme = (g.get("theme") or "").strip()
    return {
        "q": (g.get("q") or "").strip()[:100],
        "region_code": region if _REGION_RE.match(region) else None,
        "department_id": _positive_int(g.get("department")),
        "scope": _choice(g.get("scope"), Scope.values),
        "mode": _choice(g.get("mode"), Mode.values),
        "theme": theme if _THEME_RE.match(theme) else None,
        "item_type": _choice(g.get("item_type"), ItemType.values),
    }


def _page_links(params: dict[str, Any], page: int, pages: int) -> list[tuple[int, str]]:
    keys = {
        "q": params["q"],
        "region": params["region_code"],
        "department": params["department_id"],
        "scope": params["scope"],
        "mode": params["mode"],
        "theme": params["theme"],
        "item_type": params["item_type"],
    }
    base = {k: v for k, v in keys.items() if v}
    window = range(max(1, page - 3), min(pages, page + 3) + 1)
    return [(n, "?" + urlencode({**base, "page": n})) for n in window]


def item_search(request: HttpRequest) -> HttpResponse:
    params = _search_params(request)
    page = _positive_int(request.GET.get("page")) or 1
    result = search_items(**params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-result.total // PAGE_SIZE))
    if page > pages:
        # A stale or hand-made link past the end: show the last page, not "nothing found".
        page = pages
        result = search_items(**params, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    links = _page_links(params, page, pages)
    query = normalise(params["q"])
    context = {
        "result": result,
        # The terms searched besides what was typed (社保卡 → 社会保障卡).
        "also_searched": [t for t in result.expanded_terms if t != query],
        "params": params,
        "page": page,
        "pages": pages,
        "page_links": links,
        "prev_link": next((u for n, u in links if n == page - 1), None),
        "next_link": next((u for n, u in links if n == page + 1), None),
        "region_name": selectors_browse.region_name(params["region_code"]),
        "department_name": selectors_browse.department_name(params["department_id"]),
        "filtered": any(v for k, v in params.items() if k != "q"),
    }
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        return render(request, "catalog/_results.html", context)
    context.update(
        region_options=selectors_browse.region_options(params["region_code"]),
        themes=selectors_browse.theme_options(),
        scopes=[(v, label) for v, label in Scope.choices if v != Scope.LOCAL],
        modes=Mode.choices,
        item_types=ItemType.choices,
    )
    return render(request, "catalog/search.html", context)


def _guide(request: HttpRequest, task_code: str) -> selectors.Guide | None:
    raw = request.GET.get("version")
    version = _positive_int(raw)
    if raw is not None and version is None:
        return None
    try:
        return selectors.guide_for(task_code, version)
    except NotFound:
        return None


def item_guide(request: HttpRequest, task_code: str) -> HttpResponse:
    guide = _guide(request, task_code)
    if guide is None:
        return _not_found(request, "没有找到该事项的办事指南，事项编码可能有误或事项已停止实施。")
    return render(request, "catalog/guide.html", {"g": guide, "v": guide.version})


def item_notice(request: HttpRequest, task_code: str) -> HttpResponse:
    guide = _guide(request, task_code)
    if guide is None:
        return _not_found(request, "没有找到该事项的一次性告知清单。")
    return render(
        request,
        "catalog/notice.html",
        {"g": guide, "v": guide.version, "today": timezone.localdate()},
    )


def browse(request: HttpRequest) -> HttpResponse:
    theme = (request.GET.get("theme") or "").strip()
    region = (request.GET.get("region") or "").strip()
    try:
        if theme:
            return render(
                request, "catalog/browse_theme.html", {"b": selectors_browse.browse_theme(theme)}
            )
        if region and not _REGION_RE.match(region):
            raise NotFound("行政区划")
        return render(
            request,
            "catalog/browse.html",
            {
                "b": selectors_browse.browse_region(region or None),
                "theme_groups": selectors_browse.themes_with_counts() if not region else {},
            },
        )
    except NotFound:
        return _not_found(request, "没有找到该地区或主题。")
