"""The "五统一" report in Chromium: a supervisor sees the overview, opens an item and the
differing cells, on a desktop and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import ARTIFACTS, login
from tongban.catalog.tests.test_conformance_service import ITEM, build_three_regions
from tongban.regions.models import Region
from tongban.regions.services import regions_load_gb2260
from tongban.testing import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo() -> None:
    # A transactional test flushes the database afterwards, regions included, so the
    # session-wide load in conftest.py is gone for every browser test after the first.
    if not Region.objects.filter(code="140400").exists():
        regions_load_gb2260()
    build_three_regions()


@pytest.fixture
def supervisor(demo: None) -> str:
    make_user("jiancha", "supervisor", "140000")
    return "jiancha"


def test_supervisor_sees_overview_and_matrix(
    page: Any, live_server: Any, shot: Any, supervisor: str
) -> None:
    page.goto(live_server.url + "/conformance/")
    assert "/login/" in page.url  # login required
    login(page, live_server.url, supervisor)
    page.goto(live_server.url + "/conformance/")
    assert page.locator("h1").inner_text() == "“五统一”核查"
    first = page.locator("table.conformance-items tbody tr").first
    assert first.get_attribute("data-catalog-code") == ITEM
    assert "84.8%" in first.inner_text() and "申请材料" in first.inner_text()
    assert (
        page.locator("table.conformance-regions tbody tr").first.get_attribute("data-region")
        == "411603"
    )
    shot(page, "conformance-overview-desktop")

    first.get_by_role("link", name="社会保障卡申领").click()
    page.wait_for_url(f"**/conformance/{ITEM}/")
    cell = page.locator('tr[data-dimension="materials"] td.diff[data-region="510400"]')
    assert cell.is_visible() and "多：户口簿" in cell.inner_text()
    assert page.locator("td.diff").count() == 5
    # The reference column comes first, right after the dimension labels.
    headers = page.locator(".conformance-matrix thead th").all_inner_texts()
    assert headers[:2] == ["要素", "基准取值"] and headers[2].startswith("长治市")
    shot(page, "conformance-item-desktop")


def test_matrix_on_phone(phone: Any, live_server: Any, shot: Any, supervisor: str) -> None:
    login(phone, live_server.url, supervisor)
    phone.goto(live_server.url + "/conformance/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "conformance-overview-phone")
    phone.goto(f"{live_server.url}/conformance/{ITEM}/")
    # The page itself does not scroll sideways; the matrix scrolls inside .table-wrap.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = phone.locator(".conformance-matrix")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth")
    shot(phone, "conformance-item-phone")
    diff = phone.locator('tr[data-dimension="fees"] td.diff[data-region="411603"]')
    diff.scroll_into_view_if_needed()
    assert diff.is_visible() and "多：工本费" in diff.inner_text()
    card = phone.locator('.region-card[data-region="411603"]')
    assert "收费标准" in card.inner_text() and "缺：近期免冠照片" in card.inner_text()
    # The matrix alone, scrolled to 淮阳区's fee cell.
    wrap.screenshot(path=str(ARTIFACTS / "conformance-matrix-phone-scrolled.png"))


def test_wrong_role_gets_403_page(page: Any, live_server: Any, demo: None) -> None:
    make_user("chuangkou", "clerk", "140400")
    login(page, live_server.url, "chuangkou")
    response = page.goto(live_server.url + "/conformance/")
    assert response is not None and response.status == 403
    assert "无权执行此操作" in page.locator("main").inner_text()
