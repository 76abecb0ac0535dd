"""电子监察 in a real browser: the supervisor's dashboard (ECharts from a local static
file, nothing fetched from elsewhere) with a red and a yellow card, the 督办 loop on the
card page (supervisor issues, the department's approver replies, the supervisor closes),
and the dashboard and card list at phone width."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import login
from tongban.cases.models import Case
from tongban.cases.testing import World, build_world
from tongban.core.calendar_store import work_calendar
from tongban.supervision.models import Card
from tongban.supervision.scanner import cards_scan
from tongban.supervision.stats import stats_refresh
from tongban.supervision.testing import case_at
from tongban.testing import make_user

pytestmark = pytest.mark.django_db(transaction=True)

TZ = ZoneInfo("Asia/Shanghai")
PHONE_WIDTH = 390
MARCH = "/workbench/supervision/?period=custom&start=2026-03-01&end=2026-03-31"


def _world() -> tuple[World, Case, Case]:
    world = build_world(promised_days=5)
    red = case_at(world, "accepted", on=date(2026, 3, 2))  # due 03-09
    yellow = case_at(world, "accepted", on=date(2026, 3, 4))  # due 03-11
    Case.objects.filter(pk__in=[red.pk, yellow.pk]).update(
        status_changed_at=datetime(2026, 3, 10, 9, tzinfo=TZ)
    )
    cards_scan(today=date(2026, 3, 10), cal=work_calendar())
    stats_refresh(today=date(2026, 3, 31), cal=work_calendar())
    make_user("cz_sup", "supervisor", "140400")
    return world, red, yellow


def _outside_requests(page: Any, base: str) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if not r.url.startswith(base) else None)
    return seen


def _charts_ready(page: Any) -> None:
    page.wait_for_selector('[data-chart="status"][data-ready="1"] svg')
    assert page.locator('[data-chart][data-ready="1"]').count() == 7
    # Real series drawn (not the empty-period placeholder): the status pie has 1 slice.
    assert "本期无数据" not in page.locator('[data-chart="status"]').inner_text()
    assert page.locator('[data-chart="status"] svg path').count() >= 1


def test_dashboard_and_escalation_loop(page: Any, live_server: Any, shot: Any) -> None:
    world, red, yellow = _world()
    base = live_server.url
    outside = _outside_requests(page, base)
    login(page, base, "cz_sup")
    page.goto(base + MARCH)
    _charts_ready(page)
    assert page.locator('[data-kpi="total"]').inner_text() == "2"
    assert page.locator('[data-kpi="red"]').inner_text() == "1"
    assert page.locator('[data-kpi="yellow"]').inner_text() == "1"
    overdue = page.locator("#overdue tr[data-card]")
    assert overdue.count() == 1 and red.case_number in overdue.inner_text()
    assert yellow.case_number in page.locator("#warned").inner_text()
    shot(page, "supervision-dashboard")
    assert outside == []  # ECharts and everything else served locally

    # Drill down to the case page, then to the card and issue a 督办.
    page.click(f"#overdue a[href='/workbench/cases/{red.case_number}/']")
    page.wait_for_selector("h1")
    assert red.case_number in page.content()
    page.go_back()
    page.click("#overdue a:has-text('详情/督办')")
    page.fill("textarea[name=request]", "请说明超期原因，尽快办结。")
    page.fill("input[name=reply_days]", "3")
    page.click("#escalate button[type=submit]")
    page.wait_for_selector("[data-escalation][data-status=issued]")
    card_url = page.url.split("#")[0]

    page.context.clear_cookies()
    login(page, base, world.approver.username)
    page.goto(card_url)
    page.fill("textarea[name=reply]", "已补齐核查，今日办结。")
    page.click("button:has-text('提交答复')")
    page.wait_for_selector("[data-escalation][data-status=replied]")
    assert "已补齐核查，今日办结。" in page.locator("[data-reply]").inner_text()

    page.context.clear_cookies()
    login(page, base, "cz_sup")
    page.goto(card_url)
    page.fill("textarea[name=outcome]", "答复属实，同意办结。")
    page.check("input[name=close_card]")
    page.click("button:has-text('办结督办')")
    page.wait_for_selector("[data-escalation][data-status=closed]")
    history = page.locator("#history li").all_inner_texts()
    assert [h.split(" · ")[1] for h in history] == [
        "系统亮牌",
        "发起督办",
        "部门答复",
        "督办办结",
        "监察人员办结",
    ]
    shot(page, "supervision-card")
    assert Card.objects.get(case=red, kind="red").status == "closed"


def test_dashboard_and_cards_at_phone_width(phone: Any, live_server: Any, shot: Any) -> None:
    _, red, _ = _world()
    base = live_server.url
    login(phone, base, "cz_sup")
    phone.goto(base + MARCH)
    _charts_ready(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    shot(phone, "supervision-dashboard-phone")
    phone.goto(base + "/workbench/supervision/cards/?status=open&kind=red")
    row = phone.locator("tr[data-card]")
    assert row.count() == 1 and red.case_number in row.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    shot(phone, "supervision-cards-phone")


def test_warning_rule_settings_at_desktop_and_phone_width(
    page: Any, phone: Any, live_server: Any, shot: Any
) -> None:
    from tongban.supervision.models import WarningRule

    world = build_world(promised_days=5)
    make_user("cz_sup", "supervisor", "140400")
    base = live_server.url
    impl = world.impl
    row = f'tr[data-impl="{impl.pk}"]'

    login(page, base, "cz_sup")
    page.goto(base + "/workbench/supervision/")
    page.click("a:has-text('预警规则')")
    page.wait_for_selector(row)
    assert "默认" in page.locator(f"{row} [data-rule]").inner_text()
    page.fill(f"{row} input[name=yellow_days]", "2")
    page.fill(f"{row} input[name=yellow_percent]", "30")
    page.uncheck(f"{row} input[name=step_timers]")
    page.click(f"{row} button:has-text('保存')")
    page.wait_for_selector(".messages")
    assert "已保存" in page.locator(".messages").inner_text()
    assert page.locator(f"{row} [data-rule]").inner_text() == "≤ 2 个工作日或 ≤ 30%；环节计时关闭"
    shot(page, "supervision-rules")
    rule = WarningRule.objects.get(implementation=impl)
    assert (rule.yellow_days, rule.yellow_percent, rule.step_timers) == (2, 30, False)

    login(phone, base, "cz_sup")
    phone.goto(base + "/workbench/supervision/rules/")
    phone.wait_for_selector(row)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
    # The form fits the phone: every control of the row is inside the viewport.
    for control in ("input[name=yellow_days]", "input[name=yellow_percent]", "button"):
        box = phone.locator(f"{row} {control}").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE_WIDTH
    phone.fill(f"{row} input[name=yellow_days]", "99")
    phone.locator(f"{row} input[name=yellow_days]").evaluate("e => e.removeAttribute('max')")
    phone.click(f"{row} button:has-text('保存')")
    phone.wait_for_selector("[role=alert]")
    assert "warning_rule_invalid" in phone.locator("[role=alert]").inner_text()
    shot(phone, "supervision-rules-phone")
    assert WarningRule.objects.get(implementation=impl).yellow_days == 2
