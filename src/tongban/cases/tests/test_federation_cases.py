"""Cases across three real demo nodes (长治, 攀枝花, 沈阳): separate processes, databases
and keys, one hub-signed registry; messages travel signed over HTTP by each node's
worker. The users act over each node's HTTP API (/api/v1/cases, signed in with the demo
accounts, ``node_http``); only what the API does not offer runs inside a node
(``cluster_steps``: the 多地联办 intake, a record's federation fields and the node's
application count). The assertions read both sides and check they agree.

Flows: (a) window intake with 一次性告知, supplement at the window, originals, decision
and hand-over; (b) online application; (c) 多地联办 over three nodes; counted once.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import pytest

from tongban.cases.testing import PDF_BYTES
from tongban.cases.tests.node_http import NodeClient
from tongban.core.ids import make_id_number
from tongban.demo.nodes import seeded_cluster
from tongban.demo.people import CITIZENS, DEMO_PASSWORD
from tongban.federation.testing.cluster import Cluster, Node

STEPS = "tongban.cases.tests.cluster_steps"
DB_URL = os.environ.get("DATABASE_URL", "")  # PostgreSQL run: the nodes use it too
WALK_IN = make_id_number("51040219880808005")
T = TypeVar("T")


def step(node: Node, call: str) -> dict[str, Any]:
    name = call.split("(", 1)[0]
    text = node.run("shell", "-c", f"from {STEPS} import {name}; {call}")
    return dict(json.loads(text.strip().splitlines()[-1]))


def until(probe: Callable[[], T], timeout: float = 90) -> T:
    """Poll ``probe`` (an HTTP read) until it returns something truthy."""
    seen: list[T] = []

    def check() -> bool:
        seen[:] = [probe()]
        return bool(seen[0])

    Cluster.wait_until(check, timeout=timeout, interval=0.5)
    return seen[0]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with seeded_cluster(tmp_path_factory.mktemp("fedcases"), database_url=DB_URL) as c:
        yield c


@pytest.fixture(scope="module")
def ctx(cluster: Cluster) -> dict[str, Any]:
    return step(cluster.node("panzhihua"), "context()")


def user(cluster: Cluster, node_id: str, role: str) -> NodeClient:
    return NodeClient.login(cluster.node(node_id).url, f"{node_id}.{role}", DEMO_PASSWORD)


def status_is(c: NodeClient, ref: str, status: str) -> Callable[[], dict[str, Any]]:
    def probe() -> dict[str, Any]:
        d = c.case(ref)
        return d if d["status"] == status else {}

    return probe


def handled_record(c: NodeClient, **filters: str) -> str:
    """The deciding node's own record, as its department finds it in its list."""
    rows = until(lambda: c.find(**filters))
    assert len(rows) == 1, rows
    return str(rows[0]["case_number"])


def decide(reviewer: NodeClient, approver: NodeClient, ref: str, outcome: str) -> None:
    """The department's moves, from wherever the case stands (预审 again after a 补正)."""
    path = ["pre_review", "accepted", "under_review"]
    status = reviewer.case(ref)["status"]
    reviewer.move(ref, *(path[path.index(status) + 1 :] if status in path else path))
    if outcome == "approved":
        approver.move(ref, "approved", opinion="材料齐全，准予许可")
        approver.move(ref, "result_issued")
    else:
        approver.move(ref, "denied", opinion="材料不符合要求")


def test_window_intake_across_two_nodes(cluster: Cluster, ctx: dict[str, Any]) -> None:
    cz, pzh = cluster.node("changzhi"), cluster.node("panzhihua")
    clerk = user(cluster, "panzhihua", "clerk")
    reviewer, approver = (
        user(cluster, "changzhi", "reviewer"),
        user(cluster, "changzhi", "approver"),
    )
    walk_in = {"kind": "person", "name": "赵敏", "code": WALK_IN, "phone": "13900000011"}
    # The demo seed brings its own cases: count relative to where each node starts.
    counted_pzh, counted_cz = step(pzh, "state()")["count"], step(cz, "state()")["count"]
    body = {
        "task_code": ctx["remote_item"],
        "applicant": walk_in,
        "channel": "window",
        "window_id": ctx["window_id"],
        "delivery": "pickup",
    }
    draft = clerk.post("", body).ok()
    assert draft["mode"] == "proxy_intake" and draft["my_roles"] == ["clerk"]
    number = clerk.fill_and_submit(draft, PDF_BYTES)["case_number"]
    theirs = handled_record(reviewer, applicant_code=WALK_IN)
    # Its own number from its own share of the serials, never the intake number (ADR 0010).
    assert theirs != number and theirs[:39] == number[:39]
    assert 9800 <= int(number[-4:]) <= 9999 and int(theirs[-4:]) < 9700
    fed = step(cz, f"state(intake_number={number!r})")
    assert fed["handled_for_node"] == "panzhihua" and fed["matches"] == 1 and fed["files"] > 0
    # 攀枝花's record of it is a read-only copy for department moves.
    refused = clerk.post(f"/{number}/transitions", {"to": "pre_review"})
    assert refused.status == 403, refused.body
    assert refused.body["code"] == "case_decided_elsewhere"

    # 一次性告知 in 长治 (the clock pauses on both sides), answered at the 攀枝花 window.
    d = reviewer.move(theirs, "pre_review")
    flagged = next(m for m in d["materials"] if m["status"] == "provided")
    req = {"defects": [{"material_id": flagged["id"], "note": "扫描件不清晰"}], "opinion": "请补正"}
    assert reviewer.post(f"/{theirs}/supplement-request", req).ok()["paused_from"]
    mine = until(status_is(clerk, number, "supplement_requested"))
    assert mine["paused_from"] and mine["deadlines"] == reviewer.case(theirs)["deadlines"]
    for m in mine["materials"]:
        if m["status"] == "defective":
            assert m["defect_note"] == "扫描件不清晰"
            clerk.upload(number, m["id"], "补正.pdf", PDF_BYTES + b"%2", "application/pdf").ok()
    assert clerk.post(f"/{number}/supplement", {}).ok()["status"] == "pre_review"
    until(status_is(reviewer, theirs, "pre_review"))

    # Originals posted from 攀枝花, signed for in 长治.
    ship = {"kind": "originals", "carrier": "EMS", "tracking_number": "EA100200300CN"}
    assert clerk.post(f"/{number}/shipments", ship).status == 201
    shipment = until(lambda: reviewer.case(theirs)["shipments"])[0]
    reviewer.post(f"/{theirs}/shipments/{shipment['id']}/receive").ok()
    until(lambda: all(s["received_at"] for s in clerk.case(number)["shipments"]))

    # 长治 decides; the result is handed over at the 攀枝花 window.
    decide(reviewer, approver, theirs, "approved")
    until(status_is(clerk, number, "result_issued"))
    clerk.move(number, "delivered")
    done = until(status_is(reviewer, theirs, "delivered"))
    mine = clerk.case(number)
    assert mine["status"] == done["status"] == "delivered"
    assert clerk.statuses(number)[-9:] == reviewer.statuses(theirs)[-9:]
    assert mine["promised_deadline"] == done["promised_deadline"]
    # Counted once: at the intake node, not at the deciding node.
    ours = step(pzh, f"state({number!r})")
    assert ours["remote_node"] == "changzhi" and ours["remote_case_number"] == theirs
    assert ours["count"] == counted_pzh + 1
    assert step(cz, "state()")["count"] == counted_cz


def test_online_application_on_the_other_nodes_portal(
    cluster: Cluster, ctx: dict[str, Any]
) -> None:
    applicant = user(cluster, "panzhihua", "applicant")
    reviewer, approver = (
        user(cluster, "changzhi", "reviewer"),
        user(cluster, "changzhi", "approver"),
    )
    c = CITIZENS["panzhihua"]
    body = {
        "task_code": ctx["remote_item"],
        "applicant": {"kind": "person", "name": c.name, "code": c.id_number},
        "channel": "pc",
    }
    made = applicant.fill_and_submit(applicant.post("", body).ok(), PDF_BYTES)
    number = made["case_number"]
    assert made["mode"] == "fully_online" and made["status"] == "submitted"
    theirs = handled_record(reviewer, applicant_code=c.id_number, mode="fully_online")
    decide(reviewer, approver, theirs, "denied")
    until(status_is(applicant, number, "denied"))
    assert applicant.statuses(number)[-4:] == ["pre_review", "accepted", "under_review", "denied"]


def test_joint_application_over_three_nodes(cluster: Cluster) -> None:
    pzh = cluster.node("panzhihua")
    counted_sy = step(cluster.node("shenyang"), "state()")["count"]
    made = step(pzh, "joint_apply()")
    parent, parts = made["case_number"], made["parts"]
    assert len(parts) == 3
    view = step(pzh, f"state({parent!r})")
    remote = {p[2]: p[0] for p in view["parts"] if p[2]}
    local = next(p[0] for p in view["parts"] if not p[2])
    assert set(remote) == {"changzhi", "shenyang"}
    code = CITIZENS["panzhihua"].id_number
    for node_id, outcome in (("changzhi", "approved"), ("shenyang", "denied")):
        rev, appr = user(cluster, node_id, "reviewer"), user(cluster, node_id, "approver")
        task = remote[node_id][:31]
        theirs = handled_record(rev, applicant_code=code, task_code=task, mode="proxy_intake")
        decide(rev, appr, theirs, outcome)
    decide(
        user(cluster, "panzhihua", "reviewer"),
        user(cluster, "panzhihua", "approver"),
        local,
        "approved",
    )
    clerk = user(cluster, "panzhihua", "clerk")
    until(status_is(clerk, parent, "result_issued"))
    done = step(pzh, f"state({parent!r})")
    assert "denied" in done["statuses"] and "part_failed" in done["actions"]
    assert "材料不符合要求" in done["result_note"]
    # Sub-cases never add to the count; handled records count nowhere.
    assert step(cluster.node("shenyang"), "state()")["count"] == counted_sy
