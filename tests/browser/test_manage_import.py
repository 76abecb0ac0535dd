"""The catalogue manager in a real browser: template download, a refused import with
its error table, a good import, the item listed, a draft published — desktop and phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import login
from tongban.catalog.io.samples import rows_to_xlsx, sample_rows

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def admin() -> str:
    from tongban.regions.models import Region
    from tongban.regions.services import regions_load_gb2260
    from tongban.testing import make_user

    # Transactional tests flush the database after each test; the region tree is
    # reference data, so put it back when an earlier test emptied it.
    if not Region.objects.filter(code="140400").exists():
        regions_load_gb2260()
    make_user("cz-admin", "catalog_admin", "140400")
    return "cz-admin"


def _bad_file() -> dict[str, Any]:
    rows = sample_rows(count=2)
    rows["事项"][0]["基本编码"] = "12345"
    rows["材料"][2]["材料来源"] = "快递"
    rows["环节"].append(dict(rows["环节"][3]))  # a step of the second item, twice
    return {"name": "有错误的清单.xlsx", "mimeType": XLSX, "buffer": rows_to_xlsx(rows)}


def _good_file(count: int = 2, first_code: int = 1) -> dict[str, Any]:
    data = rows_to_xlsx(sample_rows(count=count, first_code=first_code))
    return {"name": "长治市实施清单.xlsx", "mimeType": XLSX, "buffer": data}


def test_import_flow_desktop(page: Any, live_server: Any, shot: Any, admin: str) -> None:
    login(page, live_server.url, admin)
    page.goto(f"{live_server.url}/manage/catalog/")
    assert page.locator("h1").inner_text() == "事项管理"
    assert page.get_by_text("管辖范围内还没有实施清单事项").is_visible()
    page.get_by_role("link", name="从 Excel 导入").first.click()
    page.wait_for_url("**/manage/catalog/import/")

    template = page.get_by_role("link", name="下载导入模板（.xlsx）")
    assert template.get_attribute("href") == "/manage/catalog/template.xlsx"
    with page.expect_download() as download:
        template.click()
    assert Path(download.value.path()).read_bytes()[:2] == b"PK"

    page.set_input_files("input[name=file]", files=[_bad_file()])
    page.get_by_role("button", name="校验并导入").click()
    page.wait_for_load_state("networkidle")
    alert = page.locator("#import-result")
    assert "导入失败，未导入任何数据" in alert.inner_text()
    table = page.locator("table.import-errors")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() == 3
    assert rows.nth(0).locator("td").all_inner_texts()[:4] == [
        "事项",
        "2",
        "基本编码",
        "catalog_code_format",
    ]
    assert "import_duplicate_row" in table.inner_text()
    shot(page, "manage-import-errors-desktop")

    page.set_input_files("input[name=file]", files=[_good_file()])
    page.get_by_label("导入后直接发布").check()
    page.get_by_role("button", name="校验并导入").click()
    page.wait_for_load_state("networkidle")
    result = page.locator("#import-result")
    assert "导入成功" in result.inner_text() and "发布版本" in result.inner_text()
    shot(page, "manage-import-ok-desktop")

    # A second file, imported as drafts, then one draft published from the list.
    page.set_input_files("input[name=file]", files=[_good_file(count=1, first_code=3)])
    page.get_by_label("导入后直接发布").uncheck()
    page.get_by_role("button", name="校验并导入").click()
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="返回事项管理").click()
    page.wait_for_url("**/manage/catalog/")
    assert page.get_by_text("共 3 个实施清单事项").is_visible()
    items = page.locator(".manage-list > li")
    assert items.count() == 3
    assert "示例事项1" in items.nth(0).inner_text() and "已发布" in items.nth(0).inner_text()
    assert "草稿" in items.nth(2).inner_text()
    items.nth(2).get_by_role("button", name="发布").click()
    page.wait_for_load_state("networkidle")
    assert "已发布第1版“示例事项3”" in page.locator(".messages").inner_text()
    assert page.get_by_role("button", name="发布").count() == 0
    shot(page, "manage-home-desktop")


def test_import_flow_phone(phone: Any, live_server: Any, shot: Any, admin: str) -> None:
    login(phone, live_server.url, admin)
    phone.goto(f"{live_server.url}/manage/catalog/import/")
    phone.set_input_files("input[name=file]", files=[_bad_file()])
    phone.get_by_role("button", name="校验并导入").click()
    phone.wait_for_load_state("networkidle")
    assert phone.locator("table.import-errors").is_visible()
    assert phone.locator("table.import-errors tbody tr").count() == 3
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    shot(phone, "manage-import-errors-phone")

    phone.set_input_files("input[name=file]", files=[_good_file()])
    phone.get_by_role("button", name="校验并导入").click()
    phone.wait_for_load_state("networkidle")
    assert "导入成功" in phone.locator("#import-result").inner_text()
    phone.goto(f"{live_server.url}/manage/catalog/")
    assert phone.locator(".manage-list > li").count() == 2
    assert phone.get_by_role("button", name="发布").count() == 2  # imported as drafts
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    shot(phone, "manage-home-phone")


def test_wrong_role_sees_the_403_page(page: Any, live_server: Any, admin: str) -> None:
    from tongban.testing import make_user

    make_user("clerk", "clerk", "140400")
    login(page, live_server.url, "clerk")
    response = page.goto(f"{live_server.url}/manage/catalog/")
    assert response is not None and response.status == 403
    assert page.locator("h1").inner_text() == "无权访问"
    assert "无权执行此操作" in page.locator(".card").inner_text()
