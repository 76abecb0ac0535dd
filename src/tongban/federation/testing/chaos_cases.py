"""The case-level fault run, shared by the CI test and ``tongban bench federation
--chaos``.

Two real nodes, each behind a ``FaultProxy``: ``a`` (攀枝花, 510400) takes in ``cases``
applications for ``b``'s items (长治, 140400; 异地代收代办) at its window in batches;
they are handed off, ``b``'s department moves them (预审, originals signed for, 一次性告知
answered at a's window, 不予受理 / 不予许可 / 准予许可, result issued), a's window hands
the results over and closes them — see ``case_world`` for the plan per case. Both sides'
work runs in driver processes through the service layer. Meanwhile the proxies drop,
duplicate, delay and reorder envelopes and lose answers; ``a`` is unreachable for the
first ``down_seconds``; once ``b`` holds a quarter of the records, ``b`` (its web server,
its worker and its driver) is SIGKILLed and restarted. When both drivers report every
case closed on their side, the faults stop, the outboxes drain, each node dumps its
records and ``case_compare`` counts lost / duplicated / diverged / stuck.
"""

from __future__ import annotations

import contextlib
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tongban.federation.testing.case_compare import compare
from tongban.federation.testing.cluster import Cluster, Node, NodeSpec
from tongban.federation.testing.faults import FaultProxy, Faults, chaos_faults, proxy_front

SPECS = [NodeSpec("a", ["510400"], "攀枝花"), NodeSpec("b", ["140400"], "长治")]
WORLD = "tongban.federation.testing.case_world"
UNFINISHED = 3  # case_world's drivers exit with it when their deadline passed
BLOCK = 2000  # the intake node's serials per foreign item and day
PER_ITEM = 1500  # applications per item in a run (within the block, whatever the day)


def items_for(cases: int) -> int:
    return max(1, math.ceil(cases / PER_ITEM))


def _call(call: str) -> list[str]:
    name = call.split("(", 1)[0]
    return ["shell", "-c", f"from {WORLD} import {name}; {call}"]


def _driver(node: Node, call: str, name: str) -> subprocess.Popen[bytes]:
    """A long-running step inside ``node``; its output goes to a file (never a pipe
    nobody reads while it runs)."""
    with open(node.data_dir / f"{name}.log", "ab") as fh:
        return subprocess.Popen(
            [sys.executable, "-m", "tongban.cli", *_call(call)],
            env=node.env,
            stdout=fh,
            stderr=subprocess.STDOUT,
        )


def _finish(proc: subprocess.Popen[bytes], node: Node, name: str, timeout: float) -> bool:
    """Wait for a driver: True when every case is closed on its side, False when its
    deadline passed first (the comparison then says what is off); raises if it crashed."""
    try:
        proc.wait(timeout=timeout + 60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False
    if proc.returncode == UNFINISHED:
        return False
    if proc.returncode != 0:
        text = (node.data_dir / f"{name}.log").read_text(errors="replace")
        raise RuntimeError(f"{node.node_id} {name} failed ({proc.returncode}):\n{text[-4000:]}")
    return True


def serial_blocks(cluster: Cluster, size: int) -> None:
    """As the hub: give each node a block of ``size`` serials for other nodes' items and
    re-sign the registry (the real ``registry build``)."""
    from tongban.cases.numbering_nodes import assign_foreign_serials_files

    paths = [n.data_dir / "node" / "entry.json" for n in cluster.nodes]
    assign_foreign_serials_files(paths, size=size)
    entries = [arg for p in paths for arg in ("--entry", str(p))]
    cluster.nodes[0].run(
        "registry", "build", "--hub-key", str(cluster.root / "hub" / "hub.pem"),
        "--alg", cluster.alg, "--serial", "2", "--days", "7",
        "--out", str(cluster.root / "registry.json"), *entries,
    )  # fmt: skip


def run_case_chaos(
    root: Path,
    *,
    cases: int = 300,
    faults: Faults | None = None,
    kill: bool = True,
    down_seconds: float = 3.0,
    database: str = "sqlite",
    pg_url: str | None = None,
    alg: str = "sm2",
    intake_to: str = "submitted",
    batch: int = 100,
    timeout: float = 900,
    log: Any = print,
) -> dict[str, Any]:
    faults = faults or chaos_faults()
    proxies: dict[str, FaultProxy] = {}
    front = proxy_front(faults, proxies)

    env = {"TONGBAN_FEDERATION_MAX_ATTEMPTS": "60"}
    cluster = Cluster(root, SPECS, database=database, pg_url=pg_url, alg=alg, env=env, front=front)
    drivers: list[subprocess.Popen[bytes]] = []
    started = time.monotonic()
    try:
        cluster.setup()
        serial_blocks(cluster, BLOCK)
        a, b = cluster.nodes
        items = items_for(cases)
        cluster._wait_all([cluster._spawn(n, _call(f"seed(items={items})")) for n in cluster.nodes])
        for p in proxies.values():
            p.start()
        cluster.start()
        log(f"cluster up and seeded in {time.monotonic() - started:.1f}s; {cases} cases")
        t0 = time.monotonic()
        # a is unreachable while the first cases are handed off and linked.
        proxies["a"].faults = Faults(down=True)
        intake_call = f"intake_side(n={cases}, batch={batch}, to={intake_to!r}, deadline={timeout})"
        intake = _driver(a, intake_call, "intake")
        decide_call = f"deciding_side(n={cases}, intake_node='a', deadline={timeout})"
        deciding = _driver(b, decide_call, "deciding")
        drivers += [intake, deciding]
        if down_seconds:  # down until b has tried at least once, then a while longer
            Cluster.wait_until(lambda: proxies["a"].counters.refused > 0, timeout=timeout)
            time.sleep(down_seconds)
        proxies["a"].faults = faults
        log(f"a was unreachable for {time.monotonic() - t0:.1f}s")
        if kill:
            Cluster.wait_until(
                lambda: b.count("cases_case", "handled_for_node='a'") >= cases // 4,
                timeout=timeout,
                interval=1.0,
            )
            b.kill()
            deciding.kill()
            deciding.wait()
            log(f"b killed (SIGKILL: server, worker, driver) at {time.monotonic() - t0:.1f}s")
            time.sleep(1.0)
            b.start()
            deciding = _driver(b, decide_call, "deciding")
            drivers.append(deciding)
        finished = _finish(intake, a, "intake", timeout)
        finished = _finish(deciding, b, "deciding", timeout) and finished
        work = time.monotonic() - t0
        log(f"drivers done after {work:.1f}s (every case closed: {finished}); draining")
        for p in proxies.values():
            p.faults = Faults()
        with contextlib.suppress(TimeoutError):  # what is left is counted as stuck
            Cluster.wait_until(
                lambda: all(
                    n.count("federation_outboxmessage", "status<>'delivered'") == 0
                    and n.count("federation_inboxmessage", "status='held'") == 0
                    for n in cluster.nodes
                ),
                timeout=timeout if finished else 60,
                interval=1.0,
            )
        elapsed = time.monotonic() - t0
        dumps = {}
        for node, arg in ((a, ""), (b, "a")):
            path = cluster.root / f"dump-{node.node_id}.json"
            node.run(*_call(f"dump(path={str(path)!r}, intake_node={arg!r})"))
            dumps[node.node_id] = json.loads(path.read_text(encoding="utf-8"))
        result = compare(dumps["a"], dumps["b"], n=cases, intake_node="a", deciding_node="b")
        verify = {n.node_id: "通过" in n.run("log", "verify") for n in cluster.nodes}
        events = sum(len(r["events"]) for d in dumps.values() for r in d["records"])
        result.update(
            finished=finished,
            seconds=round(elapsed, 1),
            work_seconds=round(work, 1),
            timeline_entries=events,
            log_verified=all(verify.values()),
            proxy={k: vars(p.counters) for k, p in proxies.items()},
        )
        return result
    finally:
        for d in drivers:
            if d.poll() is None:
                d.kill()
                d.wait()
        cluster.teardown()
        for p in proxies.values():
            p.stop()
