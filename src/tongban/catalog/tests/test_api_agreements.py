import json
from datetime import date

import pytest
from django.test import Client

from tongban.accounts.models import Role
from tongban.accounts.services import service_center_create, window_create
from tongban.catalog.models import Agreement
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.testing import elements, make_baseline, make_department, make_implementation, make_user

pytestmark = pytest.mark.django_db

BODY = {
    "name": "长治—攀枝花跨省通办合作协议",
    "scope": "cross_province",
    "party_codes": ["140400", "510400"],
    "catalog_codes": ["000105001000"],
    "valid_from": "2026-01-01",
    "rights": ["receive", "notify", "deliver_result"],
}


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    impl = make_implementation(make_baseline(), make_department("140400"))
    v = version_create_draft(actor=SYSTEM, implementation=impl, elements=elements())
    version_publish(actor=SYSTEM, version=v, today=date(2026, 1, 5))
    center = service_center_create(name="攀枝花市政务服务中心", region_code="510402")
    window = window_create(center=center, name="跨省通办专窗", is_cross_region=True)
    return impl, window


def _post(client: Client, url: str, body: dict) -> object:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_create_list_and_query_rights(setup) -> None:  # type: ignore[no-untyped-def]
    impl, window = setup
    client = Client()
    client.force_login(make_user("pzh_admin", Role.CATALOG_ADMIN, "510400"))
    r = _post(client, "/api/v1/catalog/agreements", BODY)
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["party_codes"] == ["140400", "510400"] and created["status"] == "active"
    listed = Client().get("/api/v1/catalog/agreements?region=510402").json()
    assert [a["id"] for a in listed] == [created["id"]]
    q = f"/api/v1/catalog/agreements/window-rights?window={window.pk}&task_code={impl.task_code}"
    rights = Client().get(q + "&on=2026-03-02").json()
    assert rights["allowed"] is True
    assert rights["rights"] == ["deliver_result", "notify", "receive"]
    r2 = _post(
        client, f"/api/v1/catalog/agreements/{created['id']}/status", {"status": "suspended"}
    )
    assert r2.status_code == 200 and r2.json()["status"] == "suspended"
    assert Client().get(q + "&on=2026-03-02").json()["reason"] == "no_agreement_right"


def test_errors_use_the_envelope(setup) -> None:  # type: ignore[no-untyped-def]
    anon = _post(Client(), "/api/v1/catalog/agreements", BODY)
    assert anon.status_code == 401 and anon.json()["code"] == "not_authenticated"
    client = Client()
    client.force_login(make_user("sy_admin", Role.CATALOG_ADMIN, "210100"))
    outside = _post(client, "/api/v1/catalog/agreements", BODY)
    assert outside.status_code == 403 and outside.json()["code"] == "region_scope"
    client.force_login(make_user("cz_admin", Role.CATALOG_ADMIN, "140400"))
    bad = _post(client, "/api/v1/catalog/agreements", {**BODY, "party_codes": ["140400", "990000"]})
    assert bad.status_code == 422
    assert bad.json() | {"message": ""} == {
        "code": "region_unknown",
        "message": "",
        "field": "party_codes",
    }
    malformed = _post(client, "/api/v1/catalog/agreements", {**BODY, "valid_from": "soon"})
    assert malformed.status_code == 422 and malformed.json()["field"] == "valid_from"
    assert not Agreement.objects.exists()
    missing = Client().get("/api/v1/catalog/agreements/999999")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
