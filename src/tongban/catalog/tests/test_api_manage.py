import json

import pytest
from django.test import Client

from tongban.accounts.models import Role
from tongban.catalog.models import ItemVersion, VersionStatus
from tongban.testing import elements, make_baseline, make_department, make_user

pytestmark = pytest.mark.django_db


def _json(client: Client, method: str, url: str, body: dict | None = None):  # type: ignore[no-untyped-def]
    return getattr(client, method)(
        url, data=json.dumps(body or {}), content_type="application/json"
    )


@pytest.fixture
def admin_client():  # type: ignore[no-untyped-def]
    dept = make_department("140400")
    make_baseline()
    client = Client()
    client.force_login(make_user("cz_admin", Role.CATALOG_ADMIN, "140400"))
    return client, dept


def test_draft_edit_publish_through_api(admin_client) -> None:  # type: ignore[no-untyped-def]
    client, dept = admin_client
    r = _json(
        client,
        "post",
        "/api/v1/catalog/manage/implementations",
        {"catalog_code": "000105001000", "department_uscc": dept.uscc},
    )
    assert r.status_code == 201, r.content
    task_code = r.json()["task_code"]
    assert task_code == dept.uscc + "3000105001000"
    body = elements().as_dict()
    r = _json(client, "post", f"/api/v1/catalog/manage/implementations/{task_code}/versions", body)
    assert r.status_code == 201, r.content
    vid = r.json()["id"]
    r = _json(client, "put", f"/api/v1/catalog/manage/versions/{vid}", {**body, "promised_days": 3})
    assert r.status_code == 200 and ItemVersion.objects.get(pk=vid).promised_days == 3
    r = _json(client, "post", f"/api/v1/catalog/manage/versions/{vid}/publish")
    assert r.status_code == 200 and r.json()["status"] == "published"
    r = _json(client, "put", f"/api/v1/catalog/manage/versions/{vid}", body)
    assert r.status_code == 422 and r.json()["code"] == "version_published_immutable"
    listed = client.get(f"/api/v1/catalog/manage/implementations/{task_code}/versions").json()
    assert [(v["version"], v["status"]) for v in listed] == [(1, "published")]


def test_manage_api_refuses_bad_input_and_outsiders(admin_client) -> None:  # type: ignore[no-untyped-def]
    client, dept = admin_client
    assert (
        _json(
            Client(),
            "post",
            "/api/v1/catalog/manage/baselines",
            {"catalog_code": "X", "name": "n", "item_type": "licensing"},
        ).status_code
        == 401
    )
    r = _json(
        client,
        "post",
        "/api/v1/catalog/manage/baselines",
        {"catalog_code": "12345", "name": "测试", "item_type": "licensing"},
    )
    assert r.status_code == 422 and r.json()["code"] == "catalog_code_format"
    r = _json(
        client,
        "post",
        "/api/v1/catalog/manage/baselines",
        {"catalog_code": "000199001000", "name": "测试", "item_type": "magic"},
    )
    assert r.json()["code"] == "item_type_unknown"
    outsider = Client()
    outsider.force_login(make_user("pzh_admin", Role.CATALOG_ADMIN, "510400"))
    r = _json(
        outsider,
        "post",
        "/api/v1/catalog/manage/implementations",
        {"catalog_code": "000105001000", "department_uscc": dept.uscc},
    )
    assert r.status_code == 403 and r.json()["code"] == "region_scope"
    r = _json(
        client,
        "post",
        "/api/v1/catalog/manage/implementations",
        {"catalog_code": "000105001000", "department_uscc": "91350100M000100Y43"},
    )
    assert r.status_code == 404 and r.json()["field"] == "department_uscc"
    assert not ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()
