"""两个免提交 across real nodes, clicked through: three demo nodes (长治, 攀枝花, 沈阳) as
separate processes, seeded like ``tongban demo --nodes 3``.

王建国 holds a 社会保障卡 e-licence issued on 长治. Signed in on 攀枝花 he applies for
攀枝花's 失业保险金申领 (desktop), sees his 长治 licences offered, consents and submits with
those materials exempted; 攀枝花's reviewer sees the provenance and checks the licence on
攀枝花's verification page (the status comes from 长治); on 长治 his wallet lists the use
by 攀枝花's node with the case number (phone and desktop). Every changed page is
photographed (test-artifacts/lic-nodes-*.png).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser.conftest import login
from tongban.demo.nodes import seeded_cluster
from tongban.demo.people import CITIZENS, DEMO_PASSWORD
from tongban.demo.seed_licences import EXEMPTION_ITEM, EXEMPTION_ITEM_NAME
from tongban.federation.testing.cluster import Cluster
from tongban.licences.tests.test_cluster_exemption import licence_jobs_pending

PHONE_WIDTH = 390
DB_URL = os.environ.get("DATABASE_URL", "")  # PostgreSQL run: the nodes use it too
WANG = CITIZENS["changzhi"]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with seeded_cluster(tmp_path_factory.mktemp("licbrowser"), database_url=DB_URL) as c:
        # 长治's worker issues the demo's queued licences (王建国's current 社会保障卡).
        c.wait_until(lambda: licence_jobs_pending(c) == 0, timeout=180)
        yield c


@pytest.fixture(scope="module")
def task_code(cluster: Cluster) -> str:
    rows = cluster.node("panzhihua").sql(
        "SELECT i.task_code FROM catalog_itemimplementation i "
        "JOIN catalog_baselineitem b ON b.id = i.baseline_id "
        f"WHERE b.catalog_code = '{EXEMPTION_ITEM}' AND i.region_id LIKE '5104%'"
    )
    return str(rows[0][0])


def sign_in(p: Any, cluster: Cluster, node_id: str, username: str) -> str:
    p.context.clear_cookies()  # the nodes share the host 127.0.0.1
    base = cluster.node(node_id).url
    login(p, base, username, DEMO_PASSWORD)
    return base


def fits_phone(p: Any) -> None:
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, (width, p.url)


def test_apply_on_panzhihua_with_a_changzhi_licence(
    page: Any, phone: Any, shot: Any, cluster: Cluster, task_code: str
) -> None:
    # 1. The application form on 攀枝花 offers his 长治 licences (desktop).
    pzh = sign_in(page, cluster, "panzhihua", "changzhi.applicant")
    page.goto(f"{pzh}/apply/{task_code}/")
    assert EXEMPTION_ITEM_NAME in page.locator("h1").inner_text()
    offers = page.locator(".licence-offer.found")
    assert offers.count() == 2
    card = page.locator(".material-field", has_text="本人社会保障卡").locator(".licence-offer")
    assert "社会保障卡" in card.inner_text() and "长治市节点" in card.inner_text()
    identifier = str(card.locator("input[type=checkbox]").get_attribute("value"))
    for box in offers.locator("input[type=checkbox]").all():
        box.check()
    shot(page, "lic-nodes-apply-offer-pzh-desktop")
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/my/cases/*/")
    number = page.locator(".case-number").inner_text()
    assert len(number) == 43
    row = page.locator("tr", has_text="本人社会保障卡")
    assert "已使用电子证照免提交（可信等级 A）" in row.inner_text()
    assert identifier in row.inner_text()
    shot(page, "lic-nodes-case-applicant-pzh-desktop")

    # 2. 攀枝花's reviewer sees the provenance and checks the licence (status from 长治).
    sign_in(page, cluster, "panzhihua", "panzhihua.reviewer")
    page.goto(f"{pzh}/workbench/cases/{number}/")
    provenance = page.locator(".licence-provenance", has_text=identifier)
    assert "可信等级 A" in provenance.inner_text() and "申请人已授权" in provenance.inner_text()
    timeline = page.locator("body").inner_text()
    assert "使用电子证照免提交" in timeline and "长治市节点，可信等级 A" in timeline
    shot(page, "lic-nodes-case-reviewer-pzh-desktop")
    provenance.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/licences/verify/\?id="))
    result = page.locator(".lic-result")
    assert result.get_attribute("data-outcome") == "valid", result.inner_text()
    assert "长治市节点" in result.inner_text() and WANG.name in result.inner_text()
    shot(page, "lic-nodes-verify-pzh-desktop")

    # 3. On 长治 his wallet lists the use by 攀枝花's node with the case number (phone).
    cz = sign_in(phone, cluster, "changzhi", "changzhi.applicant")

    def use_listed() -> bool:
        phone.goto(f"{cz}/my/licences/")
        return phone.locator("table.uses tr", has_text=number).count() > 0

    Cluster.wait_until(use_listed, timeout=90, interval=1)
    uses = phone.locator("table.uses tr", has_text=number)
    assert uses.count() == 2
    assert all("攀枝花市节点" in u.inner_text() for u in uses.all())
    assert "失业保险金申领" in uses.first.inner_text()
    fits_phone(phone)
    shot(phone, "lic-nodes-wallet-cz-phone")
    phone.locator(".lic-card:not(.inactive) a", has_text="社会保障卡").click()
    phone.wait_for_url(re.compile(r"/my/licences/1\.2\.156"))
    assert number in phone.locator("body").inner_text()
    fits_phone(phone)
    shot(phone, "lic-nodes-licence-cz-phone")

    sign_in(page, cluster, "changzhi", "changzhi.applicant")
    page.goto(f"{cz}/my/licences/")
    assert page.locator("table.uses tr", has_text=number).count() == 2
    shot(page, "lic-nodes-wallet-cz-desktop")


def test_changzhi_down_the_form_says_so_on_a_phone(
    phone: Any, shot: Any, cluster: Cluster, task_code: str
) -> None:
    cz = cluster.node("changzhi")
    pzh = sign_in(phone, cluster, "panzhihua", "changzhi.applicant")
    cz.kill()
    try:
        phone.goto(f"{pzh}/apply/{task_code}/")
        field = phone.locator(".material-field", has_text="本人社会保障卡")
        assert "暂时无法连接长治市节点" in field.inner_text()
        assert field.locator("input[type=file]").count() == 1  # upload instead
        assert phone.locator(".licence-offer.found").count() == 0
        fits_phone(phone)
        shot(phone, "lic-nodes-apply-peer-down-pzh-phone")
    finally:
        cz.start()
