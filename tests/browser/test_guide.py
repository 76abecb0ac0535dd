"""The public guide in a real browser: item guide, one-time notice, browse — desktop and phone."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.catalog.tests.test_views_guide import GuideData, build_guide_data

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390


@pytest.fixture
def data() -> GuideData:
    from tongban.regions.models import Region
    from tongban.regions.services import regions_load_gb2260

    # Transactional tests flush the database after each test; the region tree is
    # reference data, so put it back when an earlier test emptied it.
    if not Region.objects.filter(code="140400").exists():
        regions_load_gb2260()
    return build_guide_data()


def _no_page_scroll(p: Any) -> None:
    """Nothing wider than the phone, except inside .table-wrap (which scrolls itself)."""
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_guide_desktop(page: Any, live_server: Any, shot: Any, data: GuideData) -> None:
    page.goto(f"{live_server.url}/items/{data.ssc_changzhi.task_code}/")
    assert page.locator("h1").inner_text() == "社会保障卡申领"
    for heading in ("基本信息", "申请材料", "特殊环节", "收费标准", "常见问题", "监督投诉方式"):
        assert page.get_by_role("heading", name=heading, exact=False).first.is_visible()
    page.get_by_role("navigation", name="本页目录").get_by_role("link", name="申请材料").click()
    assert page.url.endswith("#materials")
    assert page.locator("#materials .badge.ok").first.is_visible()
    shot(page, "guide-desktop")
    page.get_by_role("link", name="一次性告知清单（可打印）").click()
    page.wait_for_url("**/notice/")
    assert page.get_by_role("button", name="打印").is_visible()
    assert page.locator("h1").inner_text() == "社会保障卡申领"
    shot(page, "notice-desktop")
    # Printing hides the site chrome and the tools.
    page.emulate_media(media="print")
    assert not page.locator(".site-header").is_visible()
    assert not page.get_by_role("button", name="打印").is_visible()
    shot(page, "notice-print")


def test_guide_phone(phone: Any, live_server: Any, shot: Any, data: GuideData) -> None:
    phone.goto(f"{live_server.url}/items/{data.ssc_changzhi.task_code}/")
    assert phone.locator("h1").is_visible()
    _no_page_scroll(phone)
    shot(phone, "guide-phone")
    phone.goto(f"{live_server.url}/items/{data.ssc_changzhi.task_code}/?version=1")
    assert phone.get_by_text("非现行版本").is_visible()
    _no_page_scroll(phone)
    phone.goto(f"{live_server.url}/items/{data.ssc_changzhi.task_code}/notice/")
    _no_page_scroll(phone)
    shot(phone, "notice-phone")
    phone.goto(f"{live_server.url}/items/NOPE/")
    assert phone.locator("h1").inner_text() == "页面未找到"


def test_browse_by_region_and_theme(
    page: Any, phone: Any, live_server: Any, shot: Any, data: GuideData
) -> None:
    page.goto(f"{live_server.url}/browse/")
    page.get_by_role("link", name="山西省").click()
    page.get_by_role("link", name="长治市").click()
    page.wait_for_url("**/browse/?region=140400")
    assert page.locator("h1").inner_text() == "山西省长治市"
    assert page.get_by_text("长治市人力资源和社会保障局").is_visible()
    shot(page, "browse-region-desktop")
    phone.goto(f"{live_server.url}/browse/")
    _no_page_scroll(phone)
    shot(phone, "browse-phone")
    phone.get_by_role("link", name="企业开办").click()
    phone.wait_for_url("**/browse/?theme=company-start")
    assert phone.get_by_text("企业设立登记").is_visible()
    _no_page_scroll(phone)
    shot(phone, "browse-theme-phone")
