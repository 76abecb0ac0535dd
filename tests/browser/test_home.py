import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_and_login_pages_render_chinese(page, phone, live_server, shot) -> None:  # type: ignore[no-untyped-def]
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "一网通办 · 跨省通办"
    assert page.get_by_placeholder("搜索事项，如：户口、社保卡、营业执照").is_visible()
    shot(page, "home-desktop")
    phone.goto(live_server.url + "/login/")
    assert phone.locator("h1").inner_text() == "登录"
    # The header must not overflow a phone screen.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(phone, "login-phone")
