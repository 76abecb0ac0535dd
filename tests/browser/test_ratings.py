"""好差评 in the browser: the applicant rates from the case page on a phone (a script in
the comment stays text), the department follows a bad rating up, the window evaluator
on a tablet, and the public disclosure page on a phone and a desktop."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from tests.browser.conftest import login
from tongban.ratings.models import Rating, Rectification
from tongban.ratings.services import RatingInput, rating_submit
from tongban.ratings.testing import RatingWorld, build_rating_world

pytestmark = pytest.mark.django_db(transaction=True)
PHONE_WIDTH = 390
XSS = "<script>window.__pwned = 1</script>太慢了"


@pytest.fixture
def rw() -> RatingWorld:
    return build_rating_world()


def _fits_phone(p: Any) -> None:
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def _bad_rating(rw: RatingWorld) -> Rating:
    data = RatingInput(rw.local_case.case_number or "", "closure", "department", {"overall": 1})
    return rating_submit(actor=rw.world.applicant, data=data, channel="online")


def test_applicant_rates_from_case_page_on_phone(
    phone: Any, live_server: Any, shot: Any, rw: RatingWorld
) -> None:
    dialogs: list[str] = []
    phone.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    base = live_server.url
    login(phone, base, "zhangsan")
    phone.goto(f"{base}/my/cases/{rw.local_case.case_number}/")
    phone.click("a:has-text('评价')")
    phone.wait_for_url(f"**/my/ratings/{rw.local_case.case_number}/")
    slot = phone.locator(".slot[data-stage=closure]")
    slot.locator("label[for='closure-department-overall-1']").click()
    slot.locator("label[for='closure-department-efficiency-2']").click()
    slot.locator("textarea[name=comment]").fill(XSS)
    _fits_phone(phone)
    shot(phone, "ratings-form-phone")
    slot.locator("button[type=submit]").click()
    phone.wait_for_load_state("networkidle")
    slot = phone.locator(".slot[data-stage=closure]")
    assert "已评价" in slot.inner_text()
    assert slot.locator(".rating-comment").inner_text() == XSS  # shown as text
    assert phone.evaluate("window.__pwned === undefined") and not dialogs
    assert "待回访" in slot.inner_text()
    _fits_phone(phone)
    shot(phone, "ratings-done-phone")
    assert Rectification.objects.get().status == "follow_up"


def test_department_follows_up_on_desktop(
    page: Any, live_server: Any, shot: Any, rw: RatingWorld
) -> None:
    _bad_rating(rw)
    base = live_server.url
    login(page, base, "cz_approver")
    page.goto(f"{base}/workbench/ratings/tasks/")
    page.click(f"a:has-text('{rw.local_case.item_name}')")
    page.wait_for_load_state("networkidle")
    shot(page, "ratings-task-desktop")
    form = page.locator("form[data-action=follow_up]")
    form.locator("textarea[name=note]").fill("已电话回访，申请人反映等待时间长")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "整改中" in page.locator(".kicker").inner_text()
    form = page.locator("form[data-action=submit_rectification]")
    form.locator("textarea[name=note]").fill("增设窗口")
    form.locator("textarea[name=outcome]").fill("已增设一个综合窗口")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "待审核" in page.locator(".kicker").inner_text()
    assert Rectification.objects.get().status == "review"


def test_task_list_on_phone(phone: Any, live_server: Any, shot: Any, rw: RatingWorld) -> None:
    _bad_rating(rw)
    login(phone, live_server.url, "cz_supervisor")
    phone.goto(f"{live_server.url}/workbench/ratings/tasks/")
    assert rw.local_case.item_name in phone.locator("table.rect-tasks").inner_text()
    _fits_phone(phone)
    shot(phone, "ratings-tasks-phone")


def test_window_evaluator_on_a_tablet(
    browser: Any, live_server: Any, shot: Any, rw: RatingWorld
) -> None:
    ctx = browser.new_context(
        locale="zh-CN", viewport={"width": 1024, "height": 768}, has_touch=True
    )
    tablet = ctx.new_page()
    try:
        base = live_server.url
        login(tablet, base, "pzh_clerk")
        tablet.goto(f"{base}/workbench/ratings/evaluator/")
        tablet.click(f"a[href='/workbench/ratings/evaluator/{rw.shared_case.case_number}/']")
        tablet.wait_for_load_state("networkidle")
        assert "服务态度" in tablet.content()
        tablet.locator("label[for='ev-overall-5']").tap()
        tablet.locator("label[for='ev-service_attitude-5']").tap()
        shot(tablet, "ratings-evaluator-tablet")
        tablet.click("button:has-text('提交评价')")
        tablet.wait_for_load_state("networkidle")
        assert "感谢您的评价" in tablet.inner_text("h1")
        r = Rating.objects.get()
        assert (r.channel, r.target, r.level, r.scores["service_attitude"]) == (
            "window",
            "window",
            5,
            5,
        )
    finally:
        ctx.close()


@pytest.mark.parametrize("device", ["page", "phone"])
def test_public_disclosure_page(
    request: Any, device: str, live_server: Any, shot: Any, rw: RatingWorld
) -> None:
    _bad_rating(rw)
    p = request.getfixturevalue(device)
    month = timezone.localdate().strftime("%Y-%m")
    p.goto(f"{live_server.url}/ratings/public/?month={month}")
    text = p.inner_text("main")
    assert rw.world.dept.name in text and "待回访" in text and "非常不满意" in text
    assert p.inner_text(".fig-ratings") == "1"
    for secret in ("张三", rw.local_case.applicant_code, rw.local_case.case_number or "-"):
        assert secret not in text
    if device == "phone":
        _fits_phone(p)
    shot(p, f"ratings-public-{device}")
