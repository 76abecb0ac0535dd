import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_region_api_search_and_detail() -> None:
    c = Client()
    rows = c.get("/api/v1/regions?q=攀枝花").json()
    assert rows[0] == {
        "code": "510400",
        "name": "攀枝花市",
        "full_name": "四川省攀枝花市",
        "level": "city",
        "parent_code": "510000",
    }
    children = c.get("/api/v1/regions?parent=510400").json()
    assert {r["name"] for r in children} >= {"东区", "西区", "仁和区", "米易县", "盐边县"}
    assert c.get("/api/v1/regions/411603").json()["full_name"] == "河南省周口市淮阳区"
    missing = c.get("/api/v1/regions/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
