"""The demo data set in a browser: home page and one guide, desktop and phone."""

import dataclasses

import pytest

from tongban.catalog.models import ItemImplementation
from tongban.demo.seed import demo_seed
from tongban.web import context

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_home_and_guide(page, phone, live_server, shot, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # What `tongban demo` does with TONGBAN_DEMO=1: the banner on every page.
    monkeypatch.setattr(context, "CONFIG", dataclasses.replace(context.CONFIG, demo_mode=True))
    demo_seed()
    card = ItemImplementation.objects.get(baseline__catalog_code="111010010000", region_id="140400")
    for p, width, name in ((page, 1280, "desktop"), (phone, 390, "phone")):
        p.goto(live_server.url + "/")
        assert "演示数据" in p.locator(".demo-banner").inner_text()
        assert p.get_by_role("link", name="社保").first.is_visible()
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        shot(p, f"demo-home-{name}")
        p.goto(f"{live_server.url}/items/{card.task_code}/")
        assert "社会保障卡申领" in p.locator("h1").inner_text()
        body = p.locator("main").inner_text()
        assert "长治市人力资源和社会保障局" in body and "居民身份证" in body
        assert p.evaluate("document.documentElement.scrollWidth") <= width
        shot(p, f"demo-guide-{name}")
