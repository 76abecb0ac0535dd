"""Cases across real nodes, clicked through in a browser: three demo nodes (长治, 攀枝花,
沈阳) as separate processes, seeded like ``tongban demo --nodes 3``; each user signs in
on their own node. (a) 攀枝花's window takes in a 长治 item for a walk-in applicant, 长治
asks for a supplement, the applicant supplements at the window, 长治 approves, 攀枝花
hands the result over — both case pages show the same status; (b) an online
application on 攀枝花's portal decided in 长治; (c) the 多地联办 intake screen and the
parent case page with its parts. Desktop, with phone-width checks of the main pages.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.browser.conftest import login
from tongban.cases.testing import PDF_BYTES
from tongban.cases.tests.node_http import NodeClient
from tongban.core.ids import make_id_number
from tongban.demo.nodes import seeded_cluster
from tongban.demo.people import CITIZENS, DEMO_PASSWORD, ROLE_ORDER, STAFF
from tongban.federation.testing.cluster import Cluster

PHONE_WIDTH = 390
WALK_IN = make_id_number("51040219790312004")
PDF = {"name": "扫描件.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}
STEPS = "tongban.cases.tests.cluster_steps"
DB_URL = os.environ.get("DATABASE_URL", "")  # PostgreSQL run: the nodes use it too


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with seeded_cluster(tmp_path_factory.mktemp("fedbrowser"), database_url=DB_URL) as c:
        yield c


@pytest.fixture(scope="module")
def ctx(cluster: Cluster) -> dict[str, Any]:
    node = cluster.node("panzhihua")
    text = node.run("shell", "-c", f"from {STEPS} import context; context()")
    return dict(json.loads(text.strip().splitlines()[-1]))


def url(cluster: Cluster, node_id: str) -> str:
    return cluster.node(node_id).url


def sign_in(p: Any, cluster: Cluster, node_id: str, role: str) -> str:
    """Sign ``p`` in on ``node_id`` as its demo ``role``; returns the node's URL. (The
    nodes share the host 127.0.0.1, so cookies are cleared first.)"""
    p.context.clear_cookies()
    base = url(cluster, node_id)
    login(p, base, f"{node_id}.{role}", DEMO_PASSWORD)
    return base


def api(cluster: Cluster, node_id: str, role: str) -> NodeClient:
    return NodeClient.login(url(cluster, node_id), f"{node_id}.{role}", DEMO_PASSWORD)


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .slice(-5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""


def fits_phone(p: Any) -> None:
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, (width, p.url, p.evaluate(WIDEST))


def status(p: Any) -> str:
    return str(p.locator(".badge.status").first.inner_text())


def reload_until(p: Any, ready: Callable[[], bool], timeout: float = 90) -> None:
    """Reload until the other node's message has arrived (workers deliver in the back)."""

    def check() -> bool:
        p.reload()
        return ready()

    Cluster.wait_until(check, timeout=timeout, interval=1)


def until_status(p: Any, label: str) -> None:
    reload_until(p, lambda: status(p) == label)


def press(p: Any, *buttons: str) -> None:
    """Department moves on the staff case page, one button after the other."""
    for name in buttons:
        p.locator("#moves").get_by_role("button", name=name, exact=True).click()
        p.wait_for_load_state("networkidle")
        assert not p.locator("#moves [role=alert]").count(), p.locator("#moves").inner_text()


def counterpart(p: Any) -> str:
    return str(p.locator("#facts dd", has_text="办理地办件").locator(".code").inner_text())


def test_window_intake_decided_on_the_other_node(
    page: Any, phone: Any, shot: Any, cluster: Cluster, ctx: dict[str, Any]
) -> None:
    # 1. 攀枝花's 跨省通办 window takes in a 长治 item for a walk-in applicant.
    pzh = sign_in(page, cluster, "panzhihua", "clerk")
    page.goto(f"{pzh}/workbench/clerk/intake/")
    page.fill("input[name=q]", ctx["remote_item_name"])
    page.get_by_role("button", name="查找").click()
    page.locator(f"a[href*='item={ctx['remote_item']}']").first.click()
    assert "依合作协议可收件" in page.locator("#rights").inner_text()
    page.fill("input[name=applicant_name]", "赵敏")
    page.fill("input[name=applicant_code]", WALK_IN)
    page.fill("input[name=applicant_phone]", "13900000012")
    page.check("input[name=identity_verified]")
    page.check("input[name=identity_method][value=card_reader]")
    for box in page.locator("input[name^=received_]").all():
        box.check()
    for scan in page.locator("input[type=file][name^=scan_]").all():
        scan.set_input_files(files=[PDF])
    page.check("input[name=delivery][value=pickup]")
    shot(page, "fed-a-intake-pzh-desktop")
    page.get_by_role("button", name="提交并推送至办理部门").click()
    page.locator(".badge.status", has_text="已提交").wait_for()
    number = page.locator(".case-head .code").inner_text()
    assert "已收件并推送至" in page.locator(".messages").inner_text()
    # 长治 answers with its own number (its record of the case).
    reload_until(page, lambda: page.locator("#facts", has_text="办理地办件").count() > 0)
    facts = page.locator("#facts").inner_text()
    assert "长治市节点" in facts and "办理地节点" in facts
    theirs = counterpart(page)
    assert theirs != number and len(theirs) == 43
    shot(page, "fed-a-handed-off-pzh-desktop")

    # 2. 长治's reviewer on a phone: the case in the inbox, 一次性告知 (clock paused).
    cz = sign_in(phone, cluster, "changzhi", "reviewer")
    phone.goto(f"{cz}/workbench/inbox/")
    row = phone.locator(f"tr[data-case='{theirs}']")
    assert "跨省" in row.inner_text()
    fits_phone(phone)
    shot(phone, "fed-a-inbox-cz-phone")
    row.get_by_role("link", name=theirs).click()
    assert "攀枝花市节点" in phone.locator("#facts").inner_text()
    assert number in phone.locator("#facts").inner_text()
    press(phone, "开始预审")
    form = phone.locator("#supplement-request")
    form.locator("input[name=materials]").first.check()
    flagged = form.locator("input[name=materials]").first.get_attribute("value")
    form.locator(f"input[name=note_{flagged}]").fill("扫描件不清晰，请重新扫描")
    form.locator("textarea[name=opinion]").fill("请到攀枝花窗口补正")
    form.get_by_role("button", name="发出一次性告知").click()
    phone.locator(".badge.status", has_text="待补正").wait_for()
    assert "暂停中" in phone.locator("#deadlines").inner_text()
    fits_phone(phone)
    shot(phone, "fed-a-supplement-requested-cz-phone")

    # 3. The applicant brings a new scan to the 攀枝花 window: paused there too.
    until_status(page, "待补正")
    assert "暂停中" in page.locator("#deadlines").inner_text()
    assert "扫描件不清晰，请重新扫描" in page.locator("#supplement").inner_text()
    for scan in page.locator("#supplement input[type=file]").all():
        scan.set_input_files(files=[PDF])
    shot(page, "fed-a-supplement-at-window-pzh-desktop")
    page.get_by_role("button", name="提交补正材料").click()
    page.locator(".badge.status", has_text="预审中").wait_for()

    # 4. 长治 accepts, reviews and approves.
    until_status(phone, "预审中")
    press(phone, "受理", "开始审查")
    cz = sign_in(phone, cluster, "changzhi", "approver")
    phone.goto(f"{cz}/workbench/cases/{theirs}/")
    phone.fill("#moves textarea[name=opinion]", "材料齐全，符合条件，准予许可")
    press(phone, "准予许可")
    press(phone, "出具结果")
    assert status(phone) == "已出证"

    # 5. 攀枝花's window hands the result over; both nodes show 已送达.
    until_status(page, "已出证")
    hand_over = page.locator("#hand-over")
    hand_over.locator("input[name=method][value=pickup]").check()
    hand_over.locator("input[name=recipient]").fill("赵敏")
    hand_over.get_by_role("button", name="确认送达").click()
    page.locator(".badge.status", has_text="已送达").wait_for()
    until_status(phone, "已送达")
    for p in (page, phone):
        timeline = p.locator("#timeline").inner_text()
        for step in ("一次性告知补正", "提交补正材料", "准予许可", "出具结果", "结果送达"):
            assert step in timeline, step
    shot(page, "fed-a-delivered-pzh-desktop")
    fits_phone(phone)
    shot(phone, "fed-a-delivered-cz-phone")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    fits_phone(page)
    shot(page, "fed-a-delivered-pzh-phone")


def test_online_application_on_the_portal_decided_elsewhere(
    page: Any, phone: Any, shot: Any, cluster: Cluster, ctx: dict[str, Any]
) -> None:
    # 1. The 攀枝花 citizen applies online on 攀枝花's portal for a 长治 item (phone).
    phone.context.clear_cookies()
    pzh = url(cluster, "panzhihua")
    phone.goto(f"{pzh}/apply/{ctx['remote_item']}/")
    phone.wait_for_url(re.compile(r"/login/\?next=/apply/"))
    phone.fill("input[name=username]", "panzhihua.applicant")
    phone.fill("input[name=password]", DEMO_PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(f"**/apply/{ctx['remote_item']}/")
    assert phone.locator("input[name=id_number]").input_value() == CITIZENS["panzhihua"].id_number
    for f in phone.locator(".material-field:not(.exempt) input[type=file]").all():
        f.set_input_files(files=[PDF])
    fits_phone(phone)
    shot(phone, "fed-b-apply-pzh-phone")
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_url("**/my/cases/*/")
    number = phone.locator(".case-number").inner_text()
    assert len(number) == 43

    # 2. 长治 decides (desktop): its department finds the case in its inbox.
    cz = sign_in(page, cluster, "changzhi", "reviewer")
    page.goto(f"{cz}/workbench/inbox/")
    row = page.locator("tr", has_text=CITIZENS["panzhihua"].name).first
    # The hand-off arrives when 攀枝花's worker has pushed it: reload until it is listed.
    reload_until(page, lambda: row.count() > 0)
    row.get_by_role("link").first.click()
    assert number in page.locator("#facts").inner_text()
    theirs = page.locator(".case-head .code").inner_text()
    press(page, "开始预审", "受理", "开始审查")
    cz = sign_in(page, cluster, "changzhi", "approver")
    page.goto(f"{cz}/workbench/cases/{theirs}/")
    page.fill("#moves textarea[name=opinion]", "符合条件，准予许可")
    press(page, "准予许可", "出具结果")
    shot(page, "fed-b-decided-cz-desktop")

    # 3. The applicant sees the decision on 攀枝花's portal.
    reload_until(phone, lambda: "已出证" in phone.locator(".case-head").inner_text())
    # Who decided is named across nodes (cn.tongban.case.event v2), not shown as 系统.
    approver = STAFF["changzhi"][ROLE_ORDER[1:].index("approver")]
    assert f"审批人员 {approver}" in phone.locator("body").inner_text()
    fits_phone(phone)
    shot(phone, "fed-b-decided-pzh-phone")


def test_joint_intake_screen_and_the_parent_page(
    page: Any, phone: Any, shot: Any, cluster: Cluster
) -> None:
    pzh = sign_in(page, cluster, "panzhihua", "clerk")
    page.goto(f"{pzh}/workbench/clerk/joint/")
    items = page.locator("#joint-items li")
    regions = {"长治": False, "攀枝花": False, "沈阳": False}
    for li in items.all():
        meta = li.locator(".meta").inner_text()
        city = next((c for c in regions if c in meta and not regions[c]), None)
        if city:
            li.locator("input[name=items]").check()
            regions[city] = True
    assert all(regions.values()), regions
    shot(page, "fed-c-joint-items-desktop")
    page.get_by_role("button", name="下一步：填写申请").click()
    assert page.locator("fieldset.joint-part").count() == 3
    page.fill("input[name=applicant_name]", CITIZENS["panzhihua"].name)
    page.fill("input[name=applicant_code]", CITIZENS["panzhihua"].id_number)
    page.check("input[name=identity_verified]")
    page.check("input[name=identity_method][value=card_reader]")
    for box in page.locator("input[name^=received_]").all():
        box.check()
    for scan in page.locator("input[type=file][name^=scan_]").all():
        scan.set_input_files(files=[PDF])
    assert page.locator("input[name=delivery][value=pickup]").is_disabled()
    assert page.locator("input[name=delivery][value=post]").is_checked()
    page.fill("input[name=delivery_address]", "四川省攀枝花市东区人民街 1 号")
    shot(page, "fed-c-joint-form-desktop")
    page.get_by_role("button", name="提交多地联办申请").click()
    parts = page.locator("#joint-parts tbody tr")
    parts.first.wait_for()
    assert parts.count() == 3
    parent = page.locator(".case-head .code").inner_text()
    title = page.locator("h1").inner_text()
    assert title.startswith("多地联办：") and all(c in title for c in ("长治", "攀枝花", "沈阳"))

    # Each remote part gets the deciding node's number; 沈阳 refuses its part.
    def linked() -> bool:
        text = page.locator("#joint-parts").inner_text()
        return "长治市节点" in text and "沈阳市节点" in text and text.count("\n") > 0

    reload_until(page, linked)
    sy_row = page.locator("#joint-parts tbody tr", has_text="沈阳市节点")
    reload_until(page, lambda: sy_row.locator(".code").count() == 2)
    theirs = sy_row.locator(".code").nth(1).inner_text()
    reviewer, approver = api(cluster, "shenyang", "reviewer"), api(cluster, "shenyang", "approver")
    reviewer.move(theirs, "pre_review", "accepted", "under_review")
    approver.move(theirs, "denied", opinion="户籍信息与迁出地不符")
    reload_until(page, lambda: page.locator("#joint-parts tr.part-failed").count() == 1)
    failed = page.locator("#joint-parts tr.part-failed").inner_text()
    assert "户籍信息与迁出地不符" in failed and "沈阳市节点" in failed
    assert "1 个部分未通过" in page.locator("#joint-parts").inner_text()
    shot(page, "fed-c-parent-part-failed-desktop")

    # The parent page on a phone.
    sign_in(phone, cluster, "panzhihua", "clerk")
    phone.goto(f"{pzh}/workbench/cases/{parent}/")
    assert phone.locator("#joint-parts tbody tr").count() == 3
    fits_phone(phone)
    shot(phone, "fed-c-parent-phone")

    # The applicant's real-name account (same 身份证号) follows it under 我的办件 on a
    # phone and withdraws it whole; 沈阳's refused part stays as it is, 长治 is told.
    cz_row = page.locator("#joint-parts tbody tr", has_text="长治市节点")
    reload_until(page, lambda: cz_row.locator(".code").count() == 2)
    cz_number = cz_row.locator(".code").nth(1).inner_text()
    sign_in(phone, cluster, "panzhihua", "applicant")
    phone.goto(f"{pzh}/my/cases/")
    assert parent in phone.locator("main").inner_text()
    phone.goto(f"{pzh}/my/cases/{parent}/")
    assert phone.locator("#joint-parts tbody tr").count() == 3
    assert phone.locator("#joint-parts a[href*='/workbench/']").count() == 0
    fits_phone(phone)
    shot(phone, "fed-c-applicant-parent-phone")
    phone.get_by_role("link", name="撤回申请").click()
    assert "多地联办申请" in phone.locator("main").inner_text()
    phone.get_by_role("button", name="确认撤回").click()
    note = phone.locator(".messages").inner_text()
    assert "申请已撤回" in note and "未撤回" in note and "沈阳" in note
    assert status(phone) == "已撤回"
    # Withdrawn parts are not shown as failures; the refused one still is.
    assert phone.locator("#joint-parts tr.part-failed").count() == 1
    assert (
        "未通过：户籍信息与迁出地不符" in phone.locator("#joint-parts tr.part-failed").inner_text()
    )
    fits_phone(phone)
    shot(phone, "fed-c-applicant-withdrawn-phone")
    changzhi = api(cluster, "changzhi", "reviewer")
    reload_until(phone, lambda: changzhi.case(cz_number)["status"] == "withdrawn")
