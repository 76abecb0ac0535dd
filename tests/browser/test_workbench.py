"""The staff workbenches in a real browser, one 异地代收代办 case from window to window:
the 攀枝花 clerk takes in a 长治 item for a walk-in applicant (desktop) and posts the
originals; 长治's reviewer (phone) finds it in the inbox with its countdown, signs for the
originals and asks for a supplement (clock paused); the applicant supplements at the
window (services); the approver approves and issues the result; the 攀枝花 clerk hands it
over — and the timeline shows every step.

The clock is set to Mon 28 Sep 2026, so the deadlines run across the National Day
holiday (1–7 Oct) and its make-up Saturday (10 Oct)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.browser.conftest import login
from tongban.cases.models import Case
from tongban.cases.services_window import Scan, window_supplement
from tongban.cases.testing import PDF_BYTES, PNG_BYTES, World, build_world
from tongban.core.ids import make_id_number

pytestmark = pytest.mark.django_db(transaction=True)

SHANGHAI = ZoneInfo("Asia/Shanghai")
PHONE_WIDTH = 390
WALK_IN_ID = make_id_number("51040219850505002")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    """Move "now" for the test and the live server thread alike."""
    real_now = timezone.now

    def set_to(when: datetime) -> None:
        shift = when - real_now()
        monkeypatch.setattr(timezone, "now", lambda: real_now() + shift)

    set_to(datetime(2026, 9, 28, 9, 0, tzinfo=SHANGHAI))
    return set_to


def _switch(page: Any, base: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, base, username)


def _status(page: Any, label: str) -> None:
    """Wait until the case page (after the POST and its redirect) shows ``label``."""
    page.locator(".badge.status", has_text=label).wait_for()
    assert page.locator(".badge.status").inner_text() == label


def _no_overflow(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_proxy_intake_from_window_to_department_and_back(  # type: ignore[no-untyped-def]
    page, phone, live_server, shot, clock
) -> None:
    world: World = build_world(originals=True)
    base = live_server.url
    materials = {m.name: m.pk for m in world.impl.current_version.materials.all()}  # type: ignore[union-attr]

    # 1. The 攀枝花 clerk takes the application in at the 跨省通办 window.
    login(page, base, "pzh_clerk")
    page.get_by_role("link", name="工作台").click()
    assert page.locator("h1").inner_text() == "窗口工作台"
    page.get_by_role("link", name="＋ 窗口收件").click()
    page.fill("input[name=q]", "社会保障卡")
    page.get_by_role("button", name="查找").click()
    page.locator(".result-list li", has_text="社会保障卡申领").get_by_role(
        "link", name="选择"
    ).click()
    rights = page.locator("#rights")
    assert "依合作协议可收件" in rights.inner_text()
    assert "原件核验权" in rights.inner_text() and "审批结果送达权" in rights.inner_text()
    page.fill("input[name=applicant_name]", "李四")
    page.fill("input[name=applicant_code]", WALK_IN_ID)
    page.fill("input[name=applicant_phone]", "13900000000")
    page.check("input[name=identity_verified]")
    page.check("input[name=identity_method][value=card_reader]")
    form_id, photo_id = materials["申请表"], materials["近期免冠照片"]
    page.check(f"input[name=received_{form_id}]")
    page.check(f"input[name=original_{form_id}]")
    page.set_input_files(
        f"input[name=scan_{form_id}]",
        files=[{"name": "申请表.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.check(f"input[name=received_{photo_id}]")
    page.set_input_files(
        f"input[name=scan_{photo_id}]",
        files=[{"name": "照片.png", "mimeType": "image/png", "buffer": PNG_BYTES}],
    )
    page.check("input[name=delivery][value=pickup]")
    shot(page, "workbench-intake-desktop")
    page.get_by_role("button", name="提交并推送至办理部门").click()
    _status(page, "已提交")
    case = Case.objects.get()
    assert case.mode == "proxy_intake" and case.status == "submitted"
    assert "已收件并推送至长治市人力资源和社会保障局" in page.locator(".messages").inner_text()

    # ... and posts the originals to 长治.
    page.fill("#shipments input[name=tracking_number]", "EA123456789CN")
    page.get_by_role("button", name="登记寄出").click()
    page.locator("#shipments", has_text="在途").wait_for()
    page.goto(f"{base}/workbench/clerk/")
    assert case.case_number in page.locator("#q-in_flight").inner_text()
    assert "没有需要寄送原件的办件" in page.locator("#q-originals_to_post").inner_text()
    shot(page, "workbench-clerk-desktop")

    # 2. 长治's reviewer, on a phone: the inbox with the countdown (受理期限 Sat 10 Oct).
    login(phone, base, "cz_reviewer")
    phone.goto(f"{base}/workbench/")
    row = phone.locator(f"tr[data-case='{case.case_number}']")
    assert "剩余 5 个工作日" in row.inner_text() and "2026-10-10" in row.inner_text()
    assert "跨省" in row.inner_text()
    _no_overflow(phone)
    shot(phone, "workbench-inbox-phone")
    row.get_by_role("link", name=case.case_number).click()
    phone.get_by_role("button", name="签收原件").click()
    phone.locator("#shipments", has_text="已签收").wait_for()
    for button, status in (("开始预审", "预审中"), ("受理", "已受理"), ("开始审查", "审查中")):
        phone.get_by_role("button", name=button, exact=True).click()
        _status(phone, status)
    # The notice lists the case's materials (not the item's requirements).
    photo = case.materials.get(name="近期免冠照片")
    form = phone.locator("#supplement-request")
    form.locator(f"input[name=materials][value='{photo.pk}']").check()
    form.locator(f"input[name=note_{photo.pk}]").fill("照片须为白底彩色免冠照")
    form.locator("textarea[name=opinion]").fill("请到窗口补正照片")
    _no_overflow(phone)
    shot(phone, "workbench-case-review-phone")
    form.get_by_role("button", name="发出一次性告知").click()
    _status(phone, "待补正")
    assert "暂停计时" in phone.locator("#deadlines").inner_text()
    _no_overflow(phone)
    shot(phone, "workbench-case-paused-phone")
    phone.goto(f"{base}/workbench/inbox/")
    assert "暂停计时" in phone.locator(f"tr[data-case='{case.case_number}']").inner_text()

    # 3. Wed 30 Sep: the applicant brings a new photo to the 攀枝花 window (services).
    clock(datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI))
    case.refresh_from_db()
    window_supplement(
        actor=world.pzh_clerk,
        case=case,
        scans={photo.pk: [Scan("新照片.pdf", PDF_BYTES, "application/pdf")]},
    )

    # 4. The approver decides: 5 working days left (8, 9, 10 Oct, 12, 13 Oct).
    _switch(page, base, "cz_approver")
    page.goto(f"{base}/workbench/inbox/")
    row = page.locator(f"tr[data-case='{case.case_number}']")
    assert "剩余 5 个工作日" in row.inner_text() and "2026-10-13" in row.inner_text()
    shot(page, "workbench-inbox-desktop")
    row.get_by_role("link", name=case.case_number).click()
    page.fill("#moves textarea[name=opinion]", "材料齐全，符合条件，准予许可")
    page.get_by_role("button", name="准予许可", exact=True).click()
    _status(page, "准予许可")
    page.get_by_role("button", name="出具结果").click()
    _status(page, "已出证")

    # 5. Back in 攀枝花 the clerk hands the result over at the window.
    _switch(page, base, "pzh_clerk")
    page.goto(f"{base}/workbench/clerk/")
    page.locator("#q-results_to_hand_over").get_by_role("link").first.click()
    hand_over = page.locator("#hand-over")
    hand_over.locator("input[name=method][value=pickup]").check()
    hand_over.locator("input[name=recipient]").fill("李四")
    hand_over.get_by_role("button", name="确认送达").click()
    _status(page, "已送达")
    timeline = page.locator("#timeline").inner_text()
    for step in (
        "创建办件",
        "身份核验",
        "原件核验",
        "提交申请",
        "寄出",
        "签收寄递",
        "开始预审",
        "受理",
        "开始审查",
        "一次性告知补正",
        "照片须为白底彩色免冠照",
        "提交补正材料",
        "准予许可",
        "材料齐全，符合条件，准予许可",
        "出具结果",
        "结果送达",
        "已当面交付，领取人：李四",
    ):
        assert step in timeline, step
    shot(page, "workbench-case-delivered-desktop")
    # The same page on a phone.
    _switch(phone, base, "pzh_clerk")
    phone.goto(page.url)
    _no_overflow(phone)
    shot(phone, "workbench-case-delivered-phone")


def test_window_without_agreement_sees_the_coded_refusal(  # type: ignore[no-untyped-def]
    page, live_server, shot, clock
) -> None:
    world = build_world(with_agreement=False)
    login(page, live_server.url, "pzh_clerk")
    page.goto(f"{live_server.url}/workbench/clerk/intake/?item={world.impl.task_code}")
    refusal = page.locator("#rights")
    assert "本窗口不能受理该事项" in refusal.inner_text()
    assert "no_agreement_right" in refusal.inner_text()
    assert page.get_by_role("button", name="提交并推送至办理部门").count() == 0
    shot(page, "workbench-intake-refused-desktop")
