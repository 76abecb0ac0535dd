"""两个免提交 across real nodes: three demo nodes (长治, 攀枝花, 沈阳) as separate processes
with their own databases and keys, seeded like ``tongban demo --nodes 3``.

王建国's 社会保障卡 e-licence was issued on 长治 when his 社会保障卡申领 case there was
approved. He applies online on 攀枝花 for 攀枝花's 失业保险金申领, whose 本人社会保障卡
material comes from that licence type: 攀枝花 finds the licence on 长治 by the signed RPC,
he consents, the material is exempted (trust level A, provenance on the staff case page, the
case counts it), and 长治's use log records the use by 攀枝花's node under the case number —
his wallet on 长治 shows it. Then: a suspended or revoked licence is not offered; a PDF of
the 长治 licence verified on 攀枝花 gets its status from 长治; and with 长治 down the
applicant is told so and uploads instead, without losing the draft.

Every user action goes over HTTP with the demo accounts; the nodes talk to each other
signed, by RPC and by their workers.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from tongban.cases.testing import PDF_BYTES
from tongban.cases.tests.node_http import Answer, NodeClient
from tongban.demo import spec
from tongban.demo.nodes import seeded_cluster
from tongban.demo.people import CITIZENS, DEMO_PASSWORD
from tongban.demo.seed_licences import EXEMPTION_ITEM
from tongban.federation.testing.cluster import Cluster

DB_URL = os.environ.get("DATABASE_URL", "")  # PostgreSQL run: the nodes use it too
LIC = "/api/v1/licences"
WANG = CITIZENS["changzhi"]
T = TypeVar("T")


class Client(NodeClient):
    """A signed-in user on one node, with the licence routes."""

    def lic_get(self, path: str) -> Answer:
        return self._send("GET", f"{LIC}{path}")

    def lic_post(self, path: str, body: dict[str, Any]) -> Answer:
        data = json.dumps(body).encode()
        return self._send("POST", f"{LIC}{path}", data, {"Content-Type": "application/json"})

    def verify_pdf(self, pdf: bytes) -> dict[str, Any]:
        boundary = uuid.uuid4().hex
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                f'filename="证照.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
            ).encode()
            + pdf
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return dict(self._send("POST", f"{LIC}/verify/pdf", body, headers).ok())

    def page(self, path: str) -> str:
        return str(self._send("GET", path).body)

    def raw(self, path: str) -> bytes:
        import urllib.request

        req = urllib.request.Request(self.base_url + path)
        with self._open.open(req, timeout=60) as r:
            return bytes(r.read())


def until(probe: Callable[[], T], timeout: float = 90) -> T:
    seen: list[T] = []

    def check() -> bool:
        seen[:] = [probe()]
        return bool(seen[0])

    Cluster.wait_until(check, timeout=timeout, interval=0.5)
    return seen[0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with seeded_cluster(tmp_path_factory.mktemp("fedlicences"), database_url=DB_URL) as c:
        # The demo's approved cases queue their licences for 长治's worker (a later
        # approval re-issues 王建国's 社会保障卡 as a new version): let it finish first.
        c.wait_until(lambda: licence_jobs_pending(c) == 0, timeout=180)
        yield c


def licence_jobs_pending(cluster: Cluster) -> int:
    return cluster.node("changzhi").count(
        "core_job", "name LIKE 'licences.%' AND status IN ('queued', 'running', 'failed')"
    )


def login(cluster: Cluster, node_id: str, username: str) -> Client:
    return Client.login(cluster.node(node_id).url, username, DEMO_PASSWORD)


@pytest.fixture(scope="module")
def task_code(cluster: Cluster) -> str:
    """攀枝花's 失业保险金申领."""
    rows = cluster.node("panzhihua").sql(
        "SELECT i.task_code FROM catalog_itemimplementation i "
        "JOIN catalog_baselineitem b ON b.id = i.baseline_id "
        f"WHERE b.catalog_code = '{EXEMPTION_ITEM}' AND i.region_id LIKE '5104%'"
    )
    assert len(rows) == 1, rows
    return str(rows[0][0])


def social_card(wallet: list[dict[str, Any]]) -> dict[str, Any]:
    """The holder's current 社会保障卡 (earlier versions stay in the wallet as 已失效)."""
    cards = [x for x in wallet if x["type_code"] == spec.LT_SOCIAL_CARD]
    return next((x for x in cards if x["status"] != "expired"), cards[0])


def offer_for(offers: list[dict[str, Any]], type_name: str) -> dict[str, Any]:
    return next(o for o in offers if type_name in o["material"])


def apply_draft(applicant: Client, task_code: str) -> dict[str, Any]:
    body = {
        "task_code": task_code,
        "applicant": {"kind": "person", "name": WANG.name, "code": WANG.id_number},
        "channel": "pc",
    }
    return dict(applicant.post("", body).ok())


def test_a_changzhi_licence_exempts_a_material_on_panzhihua(
    cluster: Cluster, task_code: str
) -> None:
    cz, pzh = cluster.node("changzhi"), cluster.node("panzhihua")
    # 1. 长治 issued the licence on the approval of his case there; 攀枝花 holds none.
    wang_cz = login(cluster, "changzhi", "changzhi.applicant")
    card = social_card(wang_cz.lic_get("/mine").ok())
    assert card["status"] == "valid" and card["issuer_node"] == "changzhi"
    approved = cz.count(
        "cases_caseevent e JOIN licences_licence l ON l.case_id = e.case_id",
        f"l.identifier = '{card['identifier']}' AND e.to_status = 'approved'",
    )
    assert approved == 1
    assert pzh.count("licences_licence", f"holder_code = '{WANG.id_number}'") == 0

    # 2. On 攀枝花 the same person is offered the 长治 licence for the material.
    wang = login(cluster, "panzhihua", "changzhi.applicant")
    offers = wang.lic_get(f"/offers?task_code={task_code}").ok()
    offer = offer_for(offers, "社会保障卡")
    assert offer["found"] and offer["licence_id"] == card["identifier"]
    assert "长治市节点" in offer["message"]
    ident_offer = offer_for(offers, "居民身份证")
    assert ident_offer["found"]  # his 居民身份证 e-licence is 长治's too

    # 3. He consents on his draft; the material is exempted, the case counts it.
    draft = apply_draft(wang, task_code)
    consents = [
        {"requirement_id": o["requirement_id"], "licence_id": o["licence_id"]}
        for o in (offer, ident_offer)
    ]
    n = wang.lic_post("/exemptions", {"case_id": draft["id"], "consents": consents}).ok()
    detail = wang.case(draft["ref"])
    m = next(x for x in detail["materials"] if "社会保障卡" in x["name"])
    assert m["status"] == "exempted" and m["reference"] == card["identifier"]
    by_licence = [x for x in detail["materials"] if x["reference"].startswith("1.2.156.3005")]
    assert len(by_licence) == 2
    # The two data-sharing materials are exempted by the case engine; the licences add two.
    exempted = [x for x in detail["materials"] if x["status"] == "exempted"]
    assert n["exempted_materials"] == len(exempted) == 4
    made = wang.fill_and_submit(wang.case(draft["ref"]), PDF_BYTES)
    number = made["case_number"]
    assert made["status"] == "submitted" and number
    exempt = [e for e in wang.get(f"/{number}/timeline").ok() if e["action"] == "licence_exempt"]
    by_material = {e["data"]["material"]: e["data"] for e in exempt}
    data = by_material[m["name"]]
    assert data["trust_level"] == "A" and data["consent"] is True
    assert data["issuer_node"] == "changzhi" and data["licence_id"] == card["identifier"]
    counted = pzh.sql(f"SELECT exempted_materials FROM cases_case WHERE case_number = '{number}'")
    assert counted[0][0] == 4

    # 4. 攀枝花's department (the reviewer examining it) sees the provenance.
    reviewer = login(cluster, "panzhihua", "panzhihua.reviewer")
    html = reviewer.page(f"/workbench/cases/{number}/")
    assert "可信等级 A" in html and card["identifier"] in html
    assert "长治市人力资源和社会保障局，长治市节点，可信等级 A" in html  # the timeline

    # 5. 长治's use log: used by 攀枝花's node, under the case number (sent on submission).
    def logged() -> dict[str, Any] | None:
        for u in wang_cz.lic_get("/uses").ok():
            if u["requester_node"] == "panzhihua" and u["case_ref"] == number:
                return dict(u)
        return None

    use = until(logged)
    assert use["licence_identifier"] in (card["identifier"], ident_offer["licence_id"])
    assert use["consented"] and "失业保险金申领" in use["purpose"]
    uses_here = cz.count(
        "licences_licenceuse",
        f"requester_node = 'panzhihua' AND case_ref = '{number}'",
    )
    assert uses_here == 2
    wallet_page = wang_cz.page("/my/licences/")
    assert number in wallet_page and "攀枝花市节点" in wallet_page


def test_a_suspended_or_revoked_licence_on_changzhi_is_not_offered(
    cluster: Cluster, task_code: str
) -> None:
    wang_cz = login(cluster, "changzhi", "changzhi.applicant")
    approver = login(cluster, "changzhi", "changzhi.approver")
    wang = login(cluster, "panzhihua", "changzhi.applicant")
    card = social_card(wang_cz.lic_get("/mine").ok())
    ident = card["identifier"]

    def offered() -> dict[str, Any]:
        return offer_for(wang.lic_get(f"/offers?task_code={task_code}").ok(), "社会保障卡")

    # The PDF 长治 rendered, verified on 攀枝花: the status comes from 长治.
    until(lambda: social_card(wang_cz.lic_get("/mine").ok())["pdf_ready"])
    pdf = wang_cz.raw(f"/my/licences/{ident}/pdf/")
    checker = Client(cluster.node("panzhihua").url)
    v = checker.verify_pdf(pdf)
    assert v["outcome"] == "valid" and "长治市节点" in v["reason"], v

    op = {"operation": "suspend", "reason": "社会保障卡挂失"}
    assert approver.lic_post(f"/{ident}/operations", op).ok()["status"] == "suspended"
    gone = offered()
    assert not gone["found"] and "未查询到" in gone["message"]
    v = checker.verify_pdf(pdf)
    assert v["outcome"] == "suspended" and "社会保障卡挂失" in v["reason"], v
    # A draft cannot use it either (the consent is refused by 长治).
    draft = apply_draft(wang, task_code)
    refused = wang.lic_post(
        "/exemptions",
        {
            "case_id": draft["id"],
            "consents": [{"requirement_id": gone["requirement_id"], "licence_id": ident}],
        },
    )
    assert refused.status == 422 and refused.body["code"] == "licence_not_valid", refused.body

    restore = {"operation": "restore", "reason": "已找回"}
    assert approver.lic_post(f"/{ident}/operations", restore).ok()["status"] == "valid"
    assert offered()["found"]
    revoke = {"operation": "revoke", "reason": "以欺骗手段取得"}
    assert approver.lic_post(f"/{ident}/operations", revoke).ok()["status"] == "revoked"
    assert not offered()["found"]
    assert checker.verify_pdf(pdf)["outcome"] == "revoked"


def test_changzhi_down_the_applicant_is_told_and_uploads_instead(
    cluster: Cluster, task_code: str
) -> None:
    cz = cluster.node("changzhi")
    wang = login(cluster, "panzhihua", "changzhi.applicant")
    draft = apply_draft(wang, task_code)
    cz.kill()
    try:
        offers = wang.lic_get(f"/offers?task_code={task_code}").ok()
        for o in offers:
            assert not o["found"]
            assert "暂时无法连接长治市节点" in o["message"] and "请上传材料" in o["message"], o
        # The draft is still there; he uploads the materials and submits.
        kept = wang.case(draft["ref"])
        assert kept["status"] == "draft" and kept["id"] == draft["id"]
        made = wang.fill_and_submit(kept, PDF_BYTES)
        assert made["status"] == "submitted" and made["case_number"]
        assert not [m for m in made["materials"] if m["reference"].startswith("1.2.156.3005")]
    finally:
        cz.start()
