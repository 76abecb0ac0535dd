"""The case-level fault run on two real nodes (``federation.testing.chaos_cases``): a few
hundred applications taken in on one node for the other's items and decided there —
supplement notices answered, originals posted and signed for, refusals, denials and
results handed over — while the proxies drop, duplicate, delay and reorder envelopes and
lose answers, the deciding node is SIGKILLed and restarted and the intake node is down
for a while. Afterwards every case exists exactly once on each side, both sides agree on
its status, fields, shipments, materials, counting and cross-node timeline, and nothing
is stuck."""

from __future__ import annotations

import os
from pathlib import Path

from tongban.federation.testing.chaos_cases import run_case_chaos

DATABASE = "postgres" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
PG_URL = os.environ.get("DATABASE_URL", "").rsplit("/", 1)[0] + "/postgres"
CASES = 200


def test_cases_survive_loss_duplication_reordering_a_kill_and_a_peer_down(
    tmp_path: Path,
) -> None:
    result = run_case_chaos(
        tmp_path,
        cases=CASES,
        database=DATABASE,
        pg_url=PG_URL if DATABASE == "postgres" else None,
        timeout=1500,
        log=lambda *a: None,
    )
    counts = {k: result[k] for k in ("lost", "duplicated", "diverged", "stuck")}
    assert counts == {"lost": 0, "duplicated": 0, "diverged": 0, "stuck": 0}, result["examples"]
    assert result["finished"] and result["log_verified"]
    proxy_a, proxy_b = result["proxy"]["a"], result["proxy"]["b"]
    for proxy in (proxy_a, proxy_b):  # both directions met the faults
        assert proxy["dropped"] > 0 and proxy["duplicated"] > 0
    assert proxy_a["refused"] > 0  # b's pushes met a peer that was down
    # every case went through both sides' hands: hand-off, link, and at least the
    # department's 预审 and the closing, each on both records
    assert result["timeline_entries"] >= CASES * 2 * 6
