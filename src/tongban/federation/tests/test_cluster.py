"""Real node processes on localhost: a message written on one node is applied exactly
once on the other, an rpc round trip works, both logs verify; and the fault run (drops,
duplicates, delays, reordering, lost answers, a SIGKILLed node, a peer down) loses,
duplicates and diverges nothing and leaves nothing stuck."""

from __future__ import annotations

import os
from pathlib import Path

from tongban.federation.testing.chaos import run_chaos
from tongban.federation.testing.cluster import Cluster, NodeSpec

DATABASE = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def test_message_written_on_a_is_applied_exactly_once_on_b(tmp_path: Path) -> None:
    specs = [NodeSpec("changzhi", ["140400"], "长治"), NodeSpec("panzhihua", ["510400"], "攀枝花")]
    with Cluster(tmp_path, specs, database=DATABASE) as cluster:
        a, b = cluster.nodes
        a.run("node", "probe", "--to", "panzhihua", "--count", "30", "--streams", "3")
        cluster.wait_until(lambda: b.count("federation_probe") >= 30, timeout=120)
        cluster.wait_until(
            lambda: a.count("federation_outboxmessage", "status='delivered'") == 30, timeout=60
        )
        stats = b.stats()
        assert stats["received"] == 30 and stats["duplicates"] == 0
        assert stats["numbers"] == list(range(30)) and stats["out_of_order"] == 0
        echo = a.run("node", "echo", "--to", "panzhihua")
        assert '"from": "changzhi"' in echo and '"node": "panzhihua"' in echo
        for node in (a, b):
            assert "哈希链校验通过" in node.run("log", "verify")
        # b's log holds every envelope a sent: 30 messages + the request, and its answer
        assert b.count("federation_logentry", "direction='received'") == 31
        assert b.count("federation_logentry", "direction='sent' AND kind='response'") == 1


def test_fault_run_loses_duplicates_and_diverges_nothing(tmp_path: Path) -> None:
    result = run_chaos(
        tmp_path, messages=300, back=100, database=DATABASE, timeout=400, log=lambda *a: None
    )
    assert (result["lost"], result["duplicated"], result["diverged"], result["stuck"]) == (
        0,
        0,
        0,
        0,
    )
    assert result["log_verified"]
    proxy_a, proxy_b = result["proxy"]["a"], result["proxy"]["b"]
    assert proxy_b["dropped"] > 0 and proxy_b["duplicated"] > 0
    assert proxy_a["refused"] > 0  # b's pushes met a peer that was down
