"""Pages of the "五统一" conformance report: parse → selector → render.

Anonymous visitors are sent to the login page; a logged-in user without the supervisor
or catalog_admin role gets a 403 page saying why."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from tongban.catalog import conformance
from tongban.catalog.conformance import ITEM_TYPE_LABELS
from tongban.catalog.conformance_types import ItemConformance
from tongban.catalog.models import ItemType
from tongban.core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed

API = "/api/v1/catalog/conformance"


def _guarded(request: HttpRequest, page: Callable[[], HttpResponse]) -> HttpResponse:
    try:
        return page()
    except NotAuthenticated:
        return redirect_to_login(request.get_full_path())
    except PermissionDenied as exc:
        return render(
            request, "catalog/conformance/forbidden.html", {"message": exc.message}, status=403
        )
    except NotFound as exc:
        raise Http404(exc.message) from exc


def score_class(score: float | None) -> str:
    if score is None:
        return "muted"
    if score >= 100:
        return "score-ok"
    return "score-warn" if score >= 80 else "score-bad"


def overview(request: HttpRequest) -> HttpResponse:
    region = request.GET.get("region", "").strip()
    item_type = request.GET.get("item_type", "").strip()

    def page() -> HttpResponse:
        error = ""
        try:
            report = conformance.conformance_overview(
                actor=request.user, region=region, item_type=item_type
            )
        except ValidationFailed as exc:
            error = exc.message
            report = conformance.conformance_overview(actor=request.user)
        query = urlencode({k: v for k, v in (("region", region), ("item_type", item_type)) if v})
        compared = [i for i in report.items if i.comparable]
        context: dict[str, Any] = {
            "items": [
                (i, score_class(i.score), ITEM_TYPE_LABELS.get(i.item_type, i.item_type))
                for i in report.items
            ],
            "regions": [(s, score_class(s.score)) for s in report.regions],
            "compared_count": len(compared),
            "differing_count": sum(1 for i in compared if i.differences),
            "item_types": ItemType.choices,
            "region": region,
            "item_type": item_type,
            "error": error,
            "csv_url": f"{API}/items.csv" + (f"?{query}" if query else ""),
        }
        return render(request, "catalog/conformance/overview.html", context)

    return _guarded(request, page)


def _by_region(item: ItemConformance) -> list[dict[str, Any]]:
    """Per column: its differing dimensions (the phone-friendly list under the matrix)."""
    out = []
    for n, col in enumerate(item.regions):
        diffs = [(d, d.cells[n]) for d in item.dimensions if not d.cells[n].conforms]
        out.append({"column": col, "differences": diffs})
    return out


def item(request: HttpRequest, catalog_code: str) -> HttpResponse:
    def page() -> HttpResponse:
        result = conformance.conformance_item(actor=request.user, catalog_code=catalog_code)
        rows = [(d, list(zip(result.regions, d.cells, strict=True))) for d in result.dimensions]
        context = {
            "item": result,
            "item_type_label": ITEM_TYPE_LABELS.get(result.item_type, result.item_type),
            "score_class": score_class(result.score),
            "rows": rows,
            "by_region": _by_region(result),
            "csv_url": f"{API}/items/{result.catalog_code}.csv",
        }
        return render(request, "catalog/conformance/item.html", context)

    return _guarded(request, page)
