"""Cases across three real demo nodes (长治, 攀枝花, 沈阳): separate processes, databases
and keys, one hub-signed registry; messages travel signed over HTTP by each node's
worker. Each step acts inside one node through its services (``cluster_steps``); the
assertions read both sides' records and check they agree.

Flows: (a) proxy intake with supplement, originals and result hand-over, (b) online
application, (c) 多地联办 over three nodes; counted once on every node.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tongban.demo.nodes import assign_serial_blocks
from tongban.federation.testing.cluster import Cluster, Node, NodeSpec

STEPS = "tongban.cases.tests.cluster_steps"


def step(node: Node, call: str) -> dict[str, Any]:
    name = call.split("(", 1)[0]
    text = node.run("shell", "-c", f"from {STEPS} import {name}; {call}")
    return dict(json.loads(text.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root: Path = tmp_path_factory.mktemp("fedcases")
    specs = [
        NodeSpec("changzhi", ["140400"], "长治市节点"),
        NodeSpec("panzhihua", ["510400"], "攀枝花市节点"),
        NodeSpec("shenyang", ["210100"], "沈阳市节点"),
    ]
    c = Cluster(root, specs, workers=1)
    try:
        c.setup()
        assign_serial_blocks(c)
        c._wait_all([c._spawn(n, ["demo", "--no-serve", "--node-extras"]) for n in c.nodes])
        c.start()
        yield c
    finally:
        c.teardown()


def settle(node: Node, call: str, until: Any, timeout: float = 90) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def check() -> bool:
        seen.update(step(node, call))
        return bool(until(seen))

    Cluster.wait_until(check, timeout=timeout, interval=1)
    return seen


def test_proxy_intake_across_two_nodes(cluster: Cluster) -> None:
    cz, pzh = cluster.node("changzhi"), cluster.node("panzhihua")
    number = step(pzh, "proxy_intake()")["case_number"]
    handled = settle(cz, f"state(intake_number={number!r})", lambda s: s["exists"])
    assert handled["handled_for_node"] == "panzhihua" and handled["matches"] == 1
    # Its own number from its own share of the serials: never the intake node's number
    # (攀枝花 numbers 长治's items from its registry block; ADR 0010).
    assert handled["case_number"] and handled["files"] > 0
    assert handled["case_number"] != number and handled["case_number"][:39] == number[:39]
    assert 9800 <= int(number[-4:]) <= 9999 and int(handled["case_number"][-4:]) < 9700
    intake = settle(pzh, f"state({number!r})", lambda s: s["remote_case_number"])
    assert intake["remote_node"] == "changzhi"
    assert intake["remote_case_number"] == handled["case_number"]

    # 一次性告知 on 长治, answered at the 攀枝花 window; originals posted and received.
    step(cz, f"ask_supplement('changzhi', {number!r})")
    settle(pzh, f"state({number!r})", lambda s: s["status"] == "supplement_requested")
    step(pzh, f"supplement_at_window({number!r})")
    settle(cz, f"state(intake_number={number!r})", lambda s: s["status"] == "pre_review")
    step(pzh, f"ship_originals({number!r}, 'EMS-A1')")
    settle(cz, f"state(intake_number={number!r})", lambda s: s["shipments"])
    step(cz, f"receive_originals('changzhi', {number!r})")
    settle(pzh, f"state({number!r})", lambda s: s["shipments"] == [["EMS-A1", True]])

    # 长治 decides; the result is handed over at the 攀枝花 window.
    step(cz, f"decide('changzhi', {number!r})")
    settle(pzh, f"state({number!r})", lambda s: s["status"] == "result_issued")
    step(pzh, f"hand_over({number!r})")
    done = settle(cz, f"state(intake_number={number!r})", lambda s: s["status"] == "delivered")
    mine = step(pzh, f"state({number!r})")
    # Both sides show the same status and the same moves since the hand-off.
    assert mine["status"] == done["status"] == "delivered"
    assert mine["statuses"][-9:] == done["statuses"][-9:]
    assert mine["promised_deadline"] == done["promised_deadline"]
    # Counted once: at the intake node, not at the deciding node.
    assert mine["count"] == 1 and done["count"] == 0


def test_online_application_on_the_other_nodes_portal(cluster: Cluster) -> None:
    cz, pzh = cluster.node("changzhi"), cluster.node("panzhihua")
    made = step(pzh, "online_apply()")
    number = made["case_number"]
    assert made["mode"] == "fully_online"
    handled = settle(cz, f"state(intake_number={number!r})", lambda s: s["exists"])
    assert handled["mode"] == "fully_online" and handled["handled_for_node"] == "panzhihua"
    step(cz, f"decide('changzhi', {number!r}, 'denied')")
    mine = settle(pzh, f"state({number!r})", lambda s: s["status"] == "denied")
    assert mine["statuses"][-4:] == ["pre_review", "accepted", "under_review", "denied"]


def test_joint_application_over_three_nodes(cluster: Cluster) -> None:
    cz, pzh, sy = (cluster.node(n) for n in ("changzhi", "panzhihua", "shenyang"))
    made = step(pzh, "joint_apply()")
    parent, parts = made["case_number"], made["parts"]
    assert len(parts) == 3
    view = step(pzh, f"state({parent!r})")
    remote = {p[2]: p[0] for p in view["parts"] if p[2]}
    local = next(p[0] for p in view["parts"] if not p[2])
    assert set(remote) == {"changzhi", "shenyang"}
    settle(cz, f"state(intake_number={remote['changzhi']!r})", lambda s: s["exists"])
    settle(sy, f"state(intake_number={remote['shenyang']!r})", lambda s: s["exists"])
    step(pzh, f"decide_local('panzhihua', {local!r})")
    step(cz, f"decide('changzhi', {remote['changzhi']!r})")
    step(sy, f"decide('shenyang', {remote['shenyang']!r}, 'denied')")
    done = settle(pzh, f"state({parent!r})", lambda s: s["status"] == "result_issued")
    assert "denied" in done["statuses"] and "part_failed" in done["actions"]
    assert "材料不符合要求" in done["result_note"]
    # Sub-cases never add to the count; handled records count nowhere.
    assert step(sy, f"state(intake_number={remote['shenyang']!r})")["count"] == 0
