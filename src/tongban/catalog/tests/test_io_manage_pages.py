"""The catalogue-manager pages (/manage/catalog/) with Django's test client."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from tongban.catalog.io.samples import rows_to_xlsx, sample_rows
from tongban.catalog.models import ItemVersion, VersionStatus
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.testing import elements, make_baseline, make_department, make_implementation, make_user

pytestmark = pytest.mark.django_db

HOME = "/manage/catalog/"


@pytest.fixture
def admin() -> Client:
    make_user("cz-admin", "catalog_admin", "140400")
    client = Client()
    assert client.login(username="cz-admin", password="pass-1234")
    return client


def _file(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("清单.xlsx", data)


def test_anonymous_is_sent_to_login() -> None:
    for url in (HOME, HOME + "import/", HOME + "template.xlsx", HOME + "export/"):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"
    publish = Client().post(HOME + "versions/1/publish/")
    assert publish["Location"] == f"/login/?next={HOME}"


def test_wrong_role_gets_a_403_page() -> None:
    make_user("clerk", "clerk", "140400")
    client = Client()
    client.login(username="clerk", password="pass-1234")
    response = client.get(HOME)
    assert response.status_code == 403
    assert "无权执行此操作" in response.content.decode()
    assert client.post(HOME + "import/", {"file": _file(b"x")}).status_code == 403


def test_home_lists_only_the_admins_region_with_versions(admin: Client) -> None:
    changzhi = make_implementation(make_baseline(), make_department("140400"))
    v1 = version_create_draft(actor=SYSTEM, implementation=changzhi, elements=elements())
    version_publish(actor=SYSTEM, version=v1, today=date(2026, 1, 1))
    version_create_draft(
        actor=SYSTEM, implementation=changzhi, elements=elements(name="社会保障卡申领（新）")
    )
    far = make_implementation(make_baseline(), make_department("510400", name="攀枝花市某局"))
    version_create_draft(actor=SYSTEM, implementation=far, elements=elements())
    page = admin.get(HOME).content.decode()
    assert changzhi.task_code in page and far.task_code not in page
    assert "第1版" in page and "第2版" in page
    assert "已发布" in page and "草稿" in page and "2026-01-01 起" in page
    assert page.count(">发布</button>") == 1
    assert "共 1 个实施清单事项" in page
    assert "长治市（140400）" in page or "140400" in page
    found = admin.get(HOME, {"q": "不存在的事项"}).content.decode()
    assert "没有找到匹配的事项" in found


def test_publish_button_publishes_and_reports_errors(admin: Client) -> None:
    impl = make_implementation(make_baseline(), make_department("140400"))
    draft = version_create_draft(actor=SYSTEM, implementation=impl, elements=elements())
    response = admin.post(f"{HOME}versions/{draft.pk}/publish/", {"next": HOME}, follow=True)
    assert "已发布第1版" in response.content.decode()
    assert ItemVersion.objects.get(pk=draft.pk).status == VersionStatus.PUBLISHED
    again = admin.post(f"{HOME}versions/{draft.pk}/publish/", follow=True).content.decode()
    assert "只有草稿版本可以发布（version_not_draft）" in again
    assert admin.get(f"{HOME}versions/{draft.pk}/publish/").status_code == 405


def test_publish_outside_region_is_refused(admin: Client) -> None:
    far = make_implementation(make_baseline(), make_department("510400", name="攀枝花市某局"))
    draft = version_create_draft(actor=SYSTEM, implementation=far, elements=elements())
    page = admin.post(f"{HOME}versions/{draft.pk}/publish/", follow=True).content.decode()
    assert "region_scope" in page
    assert ItemVersion.objects.get(pk=draft.pk).status == VersionStatus.DRAFT


def test_import_page_shows_the_error_table_and_imports_nothing(admin: Client) -> None:
    page = admin.get(HOME + "import/").content.decode()
    assert 'href="/manage/catalog/template.xlsx"' in page and "导入后直接发布" in page
    rows = sample_rows()
    rows["材料"][0]["材料来源"] = "快递"
    response = admin.post(HOME + "import/", {"file": _file(rows_to_xlsx(rows))})
    assert response.status_code == 422
    body = response.content.decode()
    assert "导入失败，未导入任何数据" in body
    for cell in ("材料", ">2<", "材料来源", "import_bad_value"):
        assert cell in body
    assert ItemVersion.objects.count() == 0


def test_import_page_success_shows_counts(admin: Client) -> None:
    data = rows_to_xlsx(sample_rows(count=2))
    response = admin.post(HOME + "import/", {"file": _file(data), "publish": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "导入成功" in body and "新增事项版本" in body and "发布版本" in body
    assert ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 2
    assert "示例事项1" in admin.get(HOME).content.decode()


def test_import_without_a_file(admin: Client) -> None:
    response = admin.post(HOME + "import/", {})
    assert response.status_code == 400
    assert "请选择要导入的 Excel" in response.content.decode()


def test_template_and_export_downloads(admin: Client) -> None:
    template = admin.get(HOME + "template.xlsx")
    assert template.status_code == 200
    assert "filename*=UTF-8''" in template["Content-Disposition"]
    assert "事项" in load_workbook(io.BytesIO(template.content)).sheetnames
    admin.post(HOME + "import/", {"file": _file(rows_to_xlsx(sample_rows())), "publish": "1"})
    xlsx = admin.get(HOME + "export/", {"format": "xlsx", "status": "all", "region": "140400"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    doc = admin.get(HOME + "export/", {"format": "json", "status": "all", "region": "140400"})
    assert doc.status_code == 200 and '"format": "tongban-catalog"' in doc.content.decode()
    refused = admin.get(HOME + "export/", {"status": "all", "region": "510400"})
    assert refused.status_code == 403
