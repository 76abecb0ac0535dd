"""API and page tests of the "五统一" report (Django test client)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tongban.catalog.conformance import CSV_HEADER
from tongban.catalog.tests.test_conformance_service import ITEM, SINGLE, Demo, build_three_regions
from tongban.testing import make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/catalog/conformance"


@pytest.fixture
def demo() -> Demo:
    return build_three_regions()


@pytest.fixture
def supervisor_client(demo: Demo) -> Client:
    client = Client()
    client.force_login(make_user("sup-pzh", "supervisor", "510400"))
    return client


def _rows(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens the Chinese correctly
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    "path", ["/items", "/items.csv", "/regions", f"/items/{ITEM}", f"/items/{ITEM}.csv"]
)
def test_anonymous_gets_401_and_clerk_gets_403(demo: Demo, path: str) -> None:
    anon = Client().get(API + path)
    assert anon.status_code == 401 and anon.json()["code"] == "not_authenticated"
    clerk = Client()
    clerk.force_login(make_user("clerk", "clerk", "140400"))
    denied = clerk.get(API + path)
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"


def test_items_sorted_by_score(supervisor_client: Client) -> None:
    resp = supervisor_client.get(API + "/items")
    assert resp.status_code == 200
    body = resp.json()
    assert [(i["catalog_code"], i["score"]) for i in body] == [(ITEM, 84.8), (SINGLE, None)]
    first = body[0]
    assert first["region_count"] == 3 and first["differences"] == 5
    assert first["worst_dimension"] == "materials" and first["worst_dimension_label"] == "申请材料"
    assert first["item_type_label"] == "公共服务"
    assert body[1]["note"] == "仅一地实施，无法比对" and not body[1]["comparable"]


def test_item_filters(supervisor_client: Client) -> None:
    assert [i["catalog_code"] for i in supervisor_client.get(API + "/items?region=51").json()] == [
        ITEM
    ]
    assert supervisor_client.get(API + "/items?item_type=licensing").json() == []
    bad = supervisor_client.get(API + "/items?item_type=xx")
    assert bad.status_code == 422 and bad.json()["code"] == "item_type_unknown"
    bad_region = supervisor_client.get(API + "/regions?region=abc")
    assert bad_region.status_code == 422 and bad_region.json()["code"] == "region_code_format"


def test_item_matrix(supervisor_client: Client) -> None:
    resp = supervisor_client.get(f"{API}/items/{ITEM}")
    assert resp.status_code == 200
    body = resp.json()
    assert [r["region_code"] for r in body["regions"]] == ["140400", "411603", "510400"]
    assert len(body["dimensions"]) == 11
    materials = next(d for d in body["dimensions"] if d["key"] == "materials")
    assert materials["label"] == "申请材料" and materials["differences"] == 2
    cells = {c["region_code"]: c for c in materials["cells"]}
    assert cells["510400"]["detail"] == "多：户口簿" and not cells["510400"]["conforms"]
    assert cells["140400"]["conforms"] and cells["140400"]["detail"] == ""
    missing = supervisor_client.get(f"{API}/items/999999999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_regions(supervisor_client: Client) -> None:
    body = supervisor_client.get(API + "/regions").json()
    assert [(r["region_code"], r["score"]) for r in body] == [
        ("411603", 72.7),
        ("510400", 81.8),
        ("140400", 100.0),
    ]


def test_csv_exports(supervisor_client: Client) -> None:
    resp = supervisor_client.get(API + "/items.csv")
    assert resp.status_code == 200
    assert resp["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in resp["Content-Disposition"]
    rows = _rows(resp.content)
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + 33 + 1  # header, 11 dimensions × 3 regions, the single item
    diffs = _rows(supervisor_client.get(API + "/items.csv?differences_only=true").content)[1:]
    assert len(diffs) == 5 and {r[6] for r in diffs} == {"否"}
    assert [
        "000105001000",
        "社会保障卡申领",
        "申请材料",
        "攀枝花市（510400）",
        "居民身份证（必要1份）；近期免冠照片（必要1份）；户口簿（必要1份）",
        "居民身份证（必要1份）；近期免冠照片（必要1份）",
        "否",
        "多：户口簿",
    ] in diffs
    one = supervisor_client.get(f"{API}/items/{ITEM}.csv")
    assert one.status_code == 200 and f"conformance-{ITEM}.csv" in one["Content-Disposition"]
    assert len(_rows(one.content)) == 1 + 33
    assert supervisor_client.get(f"{API}/items/999999999999.csv").status_code == 404


def test_pages_require_login_and_role(demo: Demo) -> None:
    anon = Client().get("/conformance/")
    assert anon.status_code == 302 and anon["Location"] == "/login/?next=/conformance/"
    anon_item = Client().get(f"/conformance/{ITEM}/")
    assert anon_item["Location"] == f"/login/?next=/conformance/{ITEM}/"
    clerk = Client()
    clerk.force_login(make_user("clerk", "clerk", "140400"))
    denied = clerk.get("/conformance/")
    assert denied.status_code == 403
    assert "无权执行此操作" in denied.content.decode()


def test_overview_page(supervisor_client: Client) -> None:
    html = supervisor_client.get("/conformance/").content.decode()
    assert "84.8%" in html and "仅一地实施，无法比对" in html
    assert "淮阳区" in html and "72.7%" in html
    assert f'href="{API}/items.csv"' in html
    filtered = supervisor_client.get("/conformance/?region=51&item_type=public_service")
    text = filtered.content.decode()
    assert "社会保障卡挂失" not in text
    assert f"{API}/items.csv?region=51&amp;item_type=public_service" in text
    bad = supervisor_client.get("/conformance/?region=abc").content.decode()
    assert "行政区划代码格式不正确" in bad and "社会保障卡挂失" in bad


def test_item_page(supervisor_client: Client) -> None:
    resp = supervisor_client.get(f"/conformance/{ITEM}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert html.count('class="diff"') == 5
    assert "多：户口簿" in html and "缺：近期免冠照片" in html and "84.8%" in html
    single = supervisor_client.get(f"/conformance/{SINGLE}/").content.decode()
    assert "仅一地实施，无法比对" in single
    assert supervisor_client.get("/conformance/999999999999/").status_code == 404
