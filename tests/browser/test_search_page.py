"""From the home page search box to the guide and its one-time notice, desktop and phone."""

from __future__ import annotations

from typing import Any

import pytest

from tongban.catalog.tests.test_views_guide import GuideData, build_guide_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def data() -> GuideData:
    from tongban.regions.models import Region
    from tongban.regions.services import regions_load_gb2260

    # Transactional tests flush the database after each test; reload the region tree.
    if not Region.objects.filter(code="140400").exists():
        regions_load_gb2260()
    return build_guide_data()


def _search_from_home(p: Any, base: str, term: str) -> None:
    p.goto(base + "/")
    p.get_by_placeholder("搜索事项，如：户口、社保卡、营业执照").fill(term)
    p.get_by_role("button", name="搜索").click()
    p.wait_for_url("**/items/?q=*")


def test_search_hukou_to_guide_and_notice(
    page: Any, live_server: Any, shot: Any, data: GuideData
) -> None:
    _search_from_home(page, live_server.url, "户口")
    # Best match first (the name); 社会保障卡申领 also matches through its 户口簿 material.
    hits = page.locator(".hits > li")
    assert hits.first.locator(".title").inner_text() == "户口迁移"
    assert "即办件" in hits.first.inner_text()
    shot(page, "search-hukou-desktop")
    hits.first.get_by_role("link", name="户口迁移").click()
    page.wait_for_url(f"**/items/{data.hukou.task_code}/")
    assert page.locator("h1").inner_text() == "户口迁移"
    for heading in ("基本信息", "申请条件", "申请材料", "办理流程", "到现场次数"):
        assert page.get_by_role("heading", name=heading).is_visible()
    assert page.locator(".guide-head .badge.visits").inner_text() == "零跑动"
    page.get_by_role("link", name="一次性告知清单（可打印）").click()
    page.wait_for_url("**/notice/")
    assert page.locator(".notice-table").get_by_text("准予迁入证明").is_visible()


def test_search_abbreviation_and_live_update(
    page: Any, live_server: Any, shot: Any, data: GuideData
) -> None:
    _search_from_home(page, live_server.url, "社保卡")
    assert page.locator(".expanded").inner_text().startswith("已为您同时搜索：")
    assert "社会保障卡" in page.locator(".expanded").inner_text()
    assert page.locator(".hits > li").count() == 2
    shot(page, "search-ssc-desktop")
    # htmx: typing replaces the result list in place (no full page load).
    page.evaluate("window.__marker = 1")
    box = page.get_by_role("searchbox", name="搜索事项")
    box.fill("营业执照")
    page.locator(".hits").get_by_role("link", name="企业设立登记").wait_for()
    assert page.evaluate("window.__marker") == 1
    assert "q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7" in page.url
    # A filter narrows the list; without a match the empty state suggests what to do.
    box.fill("社保卡")
    page.locator(".hits > li").nth(1).wait_for()
    page.get_by_text("筛选条件").click()
    page.get_by_label("地区").select_option("510000")
    page.locator(".chip", has_text="四川省").wait_for()
    assert page.locator(".hits > li").count() == 1
    box.fill("没有这个事项")
    page.locator(".empty-state").wait_for()
    assert page.get_by_role("link", name="按地区、部门、主题浏览").is_visible()


def test_search_on_phone(phone: Any, live_server: Any, shot: Any, data: GuideData) -> None:
    _search_from_home(phone, live_server.url, "社保卡")
    assert phone.locator(".hits > li").count() == 2
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone, "search-ssc-phone")
    phone.locator(".hits").get_by_role("link").first.click()
    phone.wait_for_url("**/items/*/")
    assert phone.get_by_role("heading", name="申请材料").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
