"""/api/v1/catalog/io: template download, upload with report, export."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from tongban.catalog.io.samples import rows_to_xlsx, sample_rows
from tongban.catalog.models import ItemVersion
from tongban.testing import make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/catalog/io"


def _upload(data: bytes, name: str = "目录.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def admin_client() -> Client:
    make_user("cz-admin", "catalog_admin", "140400")
    client = Client()
    assert client.login(username="cz-admin", password="pass-1234")
    return client


def test_template_download_is_an_xlsx_with_every_sheet() -> None:
    response = Client().get(f"{URL}/template")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == [
        "说明",
        "事项",
        "材料",
        "环节",
        "特殊环节",
        "收费",
        "业务办理项",
        "常见问题",
    ]
    headers = [c.value for c in wb["事项"][1]]
    assert headers[:3] == ["基本编码", "基本目录名称", "事项类型"]
    assert wb["事项"].max_row == 1  # headers only: an unchanged template imports nothing


def test_import_needs_a_logged_in_catalog_admin() -> None:
    data = rows_to_xlsx(sample_rows())
    anonymous = Client().post(f"{URL}/import", {"file": _upload(data)})
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "not_authenticated"
    make_user("clerk", "clerk", "140400")
    clerk = Client()
    clerk.login(username="clerk", password="pass-1234")
    denied = clerk.post(f"{URL}/import", {"file": _upload(data)})
    assert denied.status_code == 403 and denied.json()["code"] == "permission_denied"
    assert ItemVersion.objects.count() == 0


def test_import_good_file_and_publish(admin_client: Client) -> None:
    data = rows_to_xlsx(sample_rows(count=2))
    response = admin_client.post(f"{URL}/import", {"file": _upload(data), "publish": "true"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["ok"] is True and body["errors"] == []
    assert body["counts"]["versions"] == 2 and body["counts"]["published"] == 2
    assert set(ItemVersion.objects.values_list("status", flat=True)) == {"published"}


def test_import_bad_file_returns_422_with_the_report(admin_client: Client) -> None:
    rows = sample_rows()
    rows["事项"][0]["基本编码"] = "ABC"
    far = sample_rows(region_code="510400", dept_name="攀枝花市政务服务管理局", first_code=9)
    rows["事项"] += far["事项"]
    response = admin_client.post(f"{URL}/import", {"file": _upload(rows_to_xlsx(rows))})
    assert response.status_code == 422
    body = response.json()
    assert body["ok"] is False and body["counts"] == {}
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in body["errors"]] == [
        ("事项", 2, "基本编码", "catalog_code_format"),
        ("事项", 3, "实施机关区划代码", "region_scope"),
    ]
    assert ItemVersion.objects.count() == 0


def test_import_rejects_a_renamed_file(admin_client: Client) -> None:
    response = admin_client.post(f"{URL}/import", {"file": _upload(b"%PDF-1.7 not excel")})
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "import_not_xlsx"


def test_export_json_and_xlsx(admin_client: Client) -> None:
    data = rows_to_xlsx(sample_rows(count=2))
    response = admin_client.post(f"{URL}/import", {"file": _upload(data), "publish": "true"})
    assert response.status_code == 200
    doc = admin_client.get(f"{URL}/export", {"format": "json", "region": "140400"}).json()
    assert doc["format"] == "tongban-catalog" and len(doc["items"]) == 2
    assert doc["items"][0]["steps"][0] == {
        "position": 1,
        "name": "受理",
        "role": "clerk",
        "days": 0,
        "counted_in_limit": True,
        "review_points": "",
    }
    xlsx = admin_client.get(
        f"{URL}/export", {"format": "xlsx", "status": "all", "region": "140400"}
    )
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content), read_only=True)
    assert len(list(wb["事项"].iter_rows(min_row=2, values_only=True))) == 2


def test_export_of_all_versions_is_limited_to_the_admins_region(admin_client: Client) -> None:
    elsewhere = admin_client.get(
        f"{URL}/export", {"format": "json", "status": "all", "region": "510400"}
    )
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "region_scope"
    everywhere = admin_client.get(f"{URL}/export", {"format": "json", "status": "all"})
    assert everywhere.status_code == 403
    current = admin_client.get(f"{URL}/export", {"format": "json", "region": "510400"})
    assert current.status_code == 200 and current.json()["items"] == []
    assert Client().get(f"{URL}/export").status_code == 401
