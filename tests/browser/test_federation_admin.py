"""In a real browser, desktop and phone width: the 多地联办 parent page — the window
withdraws the whole application, and hands a result over to someone collecting it for
the applicant (代领, GB 11643 number checked and shown masked); and the node
administrator's page with a dead letter replayed. One node (live server): the
cross-node paths of the same services are covered by the loopback and cluster tests."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import login
from tongban.accounts.models import Role
from tongban.cases.models import Case
from tongban.cases.tests import test_joint as tj
from tongban.cases.tests.test_joint import JointWorld, _apply, _decide
from tongban.core.ids import make_id_number
from tongban.federation.models import OutboxMessage, OutboxStatus
from tongban.federation.tests import conftest as fed_conftest
from tongban.federation.tests.test_node_admin import _queue
from tongban.testing import make_user

pytestmark = pytest.mark.django_db(transaction=True)
jw = tj.jw  # the service tests' fixtures
fed = fed_conftest.fed

PHONE_WIDTH = 390
AGENT_ID = make_id_number("51040219850505002")


def _fits(p: Any) -> None:
    assert p.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def test_the_window_withdraws_a_whole_joint_application(
    page: Any, phone: Any, live_server: Any, jw: JointWorld, shot: Any
) -> None:
    parent = _apply(jw)
    base = live_server.url
    login(page, base, "pzh_clerk")
    page.goto(f"{base}/workbench/cases/{parent.case_number}/")
    form = page.locator("#joint-withdraw")
    assert form.locator("h3").inner_text() == "撤回整个联办申请"
    # No plain "撤回申请" button for the parent: it is withdrawn whole.
    assert page.locator("button[value=withdrawn]").count() == 0
    form.locator("textarea[name=reason]").fill("申请人已在迁入地另行办理")
    form.get_by_role("button", name="撤回整个联办申请").click()
    page.wait_for_load_state("networkidle")
    assert "已整体撤回联办申请：撤回 2 个部分" in page.locator(".messages").inner_text()
    statuses = page.locator("#joint-parts [data-status]").all_inner_texts()
    assert statuses == ["已撤回", "已撤回"]
    assert page.locator("[data-combined]").get_attribute("data-combined") == "withdrawn"
    assert "个部分未通过" not in page.locator("#joint-parts").inner_text()
    assert page.locator("#joint-withdraw").count() == 0
    shot(page, "joint-withdraw-desktop")
    parent.refresh_from_db()
    assert parent.status == "withdrawn"
    # The same page at phone width: readable, nothing wider than the screen.
    login(phone, base, "pzh_clerk")
    phone.goto(f"{base}/workbench/cases/{parent.case_number}/")
    assert "整体撤回多地联办申请" in phone.locator("body").inner_text()
    _fits(phone)
    shot(phone, "joint-withdraw-phone")


def test_the_window_hands_the_result_to_someone_collecting_it(
    page: Any, phone: Any, live_server: Any, jw: JointWorld, shot: Any
) -> None:
    parent = _apply(jw)
    for part in parent.parts.order_by("pk"):
        who = jw.cz_approver if part.handling_region_id.startswith("1404") else jw.pzh_approver
        _decide(part, who, "approved")
    parent.refresh_from_db()
    assert parent.status == "result_issued"
    base = live_server.url
    login(phone, base, "pzh_clerk")
    phone.goto(f"{base}/workbench/cases/{parent.case_number}/#hand-over")
    _fits(phone)
    shot(phone, "hand-over-phone")
    login(page, base, "pzh_clerk")
    page.goto(f"{base}/workbench/cases/{parent.case_number}/")
    form = page.locator("#hand-over")
    form.locator("input[name=method][value=pickup]").check()
    form.locator("input[name=recipient]").fill("赵七")
    form.locator("select[name=recipient_kind]").select_option("agent")
    wrong = AGENT_ID[:-1] + ("1" if AGENT_ID[-1] != "1" else "2")
    form.locator("input[name=recipient_id_number]").fill(wrong)
    form.get_by_role("button", name="确认送达").click()
    page.wait_for_load_state("networkidle")
    alert = page.locator("#hand-over [role=alert]")
    assert alert.get_attribute("data-code") == "id_number_checksum"
    # The input is kept; correct the number.
    form = page.locator("#hand-over")
    assert form.locator("input[name=recipient]").input_value() == "赵七"
    form.locator("input[name=recipient_id_number]").fill(AGENT_ID)
    form.get_by_role("button", name="确认送达").click()
    page.wait_for_load_state("networkidle")
    assert "结果已当面交付" in page.locator(".messages").inner_text()
    body = page.locator("body").inner_text()
    assert "领取人：赵七（他人代领，身份证号" in body and AGENT_ID not in body
    shot(page, "hand-over-desktop")
    assert Case.objects.get(pk=parent.pk).status == "delivered"


def test_the_node_admin_page_and_a_replay(
    page: Any,
    phone: Any,
    live_server: Any,
    fed: Any,
    shot: Any,
) -> None:
    dead, _, _ = _queue()
    user = make_user("ops", Role.NODE_ADMIN, "140400")
    user.display_name = "节点运维"
    user.save()
    base = live_server.url
    login(page, base, "ops")
    page.goto(f"{base}/")
    # The dead letter shows on every page, in the menu entry that leads to it.
    assert page.locator(".site-nav [data-dead-letters]").inner_text() == "1 条死信"
    page.get_by_role("link", name="节点管理").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "节点管理"
    assert page.locator("[data-node-id]").inner_text() == "b"
    assert page.locator('tr[data-peer="a"] [data-n="dead"]').inner_text() == "1"
    row = page.locator(f'tr[data-dead="{dead.pk}"]')
    assert "peer_unreachable: connection refused" in row.inner_text()
    shot(page, "node-admin-desktop")
    row.get_by_role("button", name="重新投递").click()
    page.wait_for_load_state("networkidle")
    assert "已重新排队 1 条消息" in page.locator(".messages").inner_text()
    assert "没有死信" in page.locator("#dead-letters").inner_text()
    assert page.locator(".site-nav [data-dead-letters]").count() == 0
    dead.refresh_from_db()
    assert dead.status == OutboxStatus.PENDING
    assert OutboxMessage.objects.filter(status=OutboxStatus.DEAD).count() == 0
    login(phone, base, "ops")
    phone.goto(f"{base}/workbench/node/")
    assert phone.locator('tr[data-peer="a"]').is_visible()
    _fits(phone)
    shot(phone, "node-admin-phone")
