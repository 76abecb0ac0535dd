"""GET /api/v1/catalog/items (search) and /api/v1/catalog/items/{task_code} (one item)."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from tongban.catalog.elements import FAQInput, FeeInput, SpecialProcedureInput, VariantInput
from tongban.catalog.models import ItemImplementation
from tongban.catalog.services import version_create_draft, version_publish
from tongban.catalog.synonyms import synonyms_load_defaults
from tongban.core.actors import SYSTEM
from tongban.testing import elements, make_baseline, make_department, make_implementation

pytestmark = pytest.mark.django_db

HIT_KEYS = {
    "name",
    "task_code",
    "catalog_code",
    "region_code",
    "region_name",
    "department_name",
    "scope",
    "modes",
    "kind",
    "promised_days",
    "url",
}


@pytest.fixture
def impl() -> ItemImplementation:
    synonyms_load_defaults()
    dept = make_department("140400", "长治市人力资源和社会保障局")
    impl = make_implementation(make_baseline(), dept)
    el = elements(
        fees=[FeeInput(name="工本费", standard="免费")],
        special_procedures=[SpecialProcedureInput(name="专家评审", days=5)],
        faqs=[FAQInput(question="可以异地办理吗？", answer="可以。")],
        variants=[VariantInput(code=impl.task_code + "01", kind="new", name="首次申领")],
        scope="regional",
        partner_region_codes=["510400"],
    )
    v = version_create_draft(actor=SYSTEM, implementation=impl, elements=el)
    version_publish(actor=SYSTEM, version=v, today=date(2026, 3, 1))
    # A second item of the same department, never published: not searchable.
    make_implementation(make_baseline(code="000105002000", name="社会保障卡补领"), dept)
    return impl


def test_search_shape(impl: ItemImplementation) -> None:
    body = Client().get("/api/v1/catalog/items", {"q": "社保卡"}).json()
    assert set(body) == {"items", "total", "q", "expanded_terms", "limit", "offset"}
    assert (body["total"], body["q"], body["limit"], body["offset"]) == (1, "社保卡", 20, 0)
    assert "社会保障卡" in body["expanded_terms"]
    (hit,) = body["items"]
    assert set(hit) == HIT_KEYS
    assert hit == {
        "name": "社会保障卡申领",
        "task_code": impl.task_code,
        "catalog_code": "000105001000",
        "region_code": "140400",
        "region_name": "山西省长治市",
        "department_name": "长治市人力资源和社会保障局",
        "scope": "regional",
        "modes": ["fully_online", "proxy_intake"],
        "kind": "promised",
        "promised_days": 5,
        "url": f"/items/{impl.task_code}/",
    }


def test_search_filters_browse_and_limits(impl: ItemImplementation) -> None:
    c = Client()
    assert c.get("/api/v1/catalog/items", {"q": "社保", "region": "510400"}).json()["total"] == 0
    assert c.get("/api/v1/catalog/items", {"region": "140000"}).json()["total"] == 1  # browse
    assert c.get("/api/v1/catalog/items", {"limit": 100, "offset": 1}).json()["items"] == []
    for bad in ({"limit": 101}, {"limit": 0}, {"offset": -1}, {"q": "证" * 101}):
        r = c.get("/api/v1/catalog/items", bad)
        assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    r = c.get("/api/v1/catalog/items", {"q": "证", "mode": "teleport"})
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (422, "invalid_input", "mode")
    r = c.get("/api/v1/catalog/items", {"region": "abc"})
    assert (r.status_code, r.json()["code"]) == (422, "region_code_format")


def test_item_detail_has_every_element(impl: ItemImplementation) -> None:
    body = Client().get(f"/api/v1/catalog/items/{impl.task_code.lower()}").json()
    assert body["task_code"] == impl.task_code and body["version"] == 1
    assert (body["status"], body["valid_from"], body["valid_to"]) == (
        "published",
        "2026-03-01",
        None,
    )
    assert (body["name"], body["kind"], body["statutory_days"], body["promised_days"]) == (
        "社会保障卡申领",
        "promised",
        20,
        5,
    )
    assert body["item_type"] == "public_service" and body["department_uscc"] == impl.department.uscc
    assert [m["name"] for m in body["materials"]] == ["居民身份证", "近期免冠照片"]
    assert body["materials"][0]["source"] == "licence" and body["materials"][0]["original_required"]
    assert [s["name"] for s in body["steps"]] == ["受理", "审核", "决定"]
    assert body["special_procedures"][0] == {
        "position": 1,
        "name": "专家评审",
        "days": 5,
        "legal_basis": "",
        "counted_in_limit": False,
    }
    assert body["fees"][0]["standard"] == "免费"
    assert body["variants"] == [{"code": impl.task_code + "01", "kind": "new", "name": "首次申领"}]
    assert body["faqs"][0]["answer"] == "可以。"
    assert body["partner_regions"] == [
        {"code": "510400", "name": "攀枝花市", "full_name": "四川省攀枝花市"}
    ]
    assert body["modes"] == ["fully_online", "proxy_intake"]


def test_item_detail_not_found(impl: ItemImplementation) -> None:
    c = Client()
    r = c.get("/api/v1/catalog/items/NOSUCHCODE")
    assert (r.status_code, r.json()["code"], r.json()["field"]) == (404, "not_found", "task_code")
    unpublished = ItemImplementation.objects.exclude(pk=impl.pk).get()
    assert c.get(f"/api/v1/catalog/items/{unpublished.task_code}").status_code == 404
