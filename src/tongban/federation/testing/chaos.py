"""The fault run shared by the CI test and ``tongban bench federation --chaos``.

Two nodes, each behind a ``FaultProxy``. Node a writes ``messages`` probes to b over
``streams`` streams while b writes ``back`` probes to a; meanwhile the proxies drop,
duplicate, delay and reorder envelopes and lose answers; a is unreachable for the first
``down_seconds``, and b is SIGKILLed mid-run and restarted. Then the faults stop and the
run waits until both outboxes are empty. The result counts, per direction and summed:

- ``lost``        probes never applied on the receiver;
- ``duplicated``  probes applied more than once;
- ``diverged``    messages the sender counts delivered but the receiver never applied (or
                  the reverse), plus messages applied out of stream order;
- ``stuck``       outbox rows still pending or dead, and inbox rows still held.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from tongban.federation.testing.cluster import Cluster, Node, NodeSpec
from tongban.federation.testing.faults import FaultProxy, Faults, chaos_faults, proxy_front

SPECS = [NodeSpec("a", ["510400"], "攀枝花"), NodeSpec("b", ["140400"], "长治")]


def _ids(node: Node, query: str) -> set[uuid.UUID]:
    return {uuid.UUID(str(r[0])) for r in node.sql(query)}


def direction_result(sender: Node, receiver: Node, expected: int) -> dict[str, int]:
    s, r = sender.node_id, receiver.node_id
    rows = receiver.sql(
        f"SELECT stream, seq, n FROM federation_probe WHERE sender='{s}' ORDER BY id"
    )
    numbers = [int(n) for _, _, n in rows]
    out_of_order = 0
    last: dict[str, int] = {}
    for stream, seq, _ in rows:
        if int(seq) != last.get(stream, 0) + 1:
            out_of_order += 1
        last[stream] = int(seq)
    delivered = _ids(
        sender,
        "SELECT message_id FROM federation_outboxmessage "
        f"WHERE recipient_node='{r}' AND status='delivered'",
    )
    applied = _ids(
        receiver,
        f"SELECT message_id FROM federation_inboxmessage WHERE sender='{s}' AND status='applied'",
    )
    stuck = sender.count(
        "federation_outboxmessage", f"recipient_node='{r}' AND status<>'delivered'"
    ) + receiver.count("federation_inboxmessage", f"sender='{s}' AND status='held'")
    return {
        "expected": expected,
        "lost": len(set(range(expected)) - set(numbers)),
        "duplicated": len(numbers) - len(set(numbers)),
        "diverged": len(delivered ^ applied) + out_of_order,
        "stuck": stuck,
    }


def run_chaos(
    root: Path,
    *,
    messages: int = 300,
    back: int = 100,
    streams: int = 20,
    faults: Faults | None = None,
    kill: bool = True,
    down_seconds: float = 3.0,
    database: str = "sqlite",
    alg: str = "sm2",
    timeout: float = 600,
    log: Any = print,
) -> dict[str, Any]:
    faults = faults or chaos_faults()
    proxies: dict[str, FaultProxy] = {}
    front = proxy_front(faults, proxies)

    env = {"TONGBAN_FEDERATION_MAX_ATTEMPTS": "60", "TONGBAN_FEDERATION_BATCH_SIZE": "200"}
    cluster = Cluster(root, SPECS, database=database, alg=alg, env=env, front=front)
    started = time.monotonic()
    try:
        cluster.setup()
        for p in proxies.values():
            p.start()
        cluster.start()
        a, b = cluster.nodes
        log(f"cluster up in {time.monotonic() - started:.1f}s; writing {messages}+{back}")
        # a is unreachable while both sides start writing; later b is killed mid-run.
        proxies["a"].faults = Faults(down=True)
        writers = [
            _probe(a, "b", messages, streams),
            _probe(b, "a", back, max(1, streams // 2)),
        ]
        t0 = time.monotonic()
        if down_seconds:  # down until b has tried at least once, then a while longer
            Cluster.wait_until(lambda: proxies["a"].counters.refused > 0, timeout=timeout)
            time.sleep(down_seconds)
        proxies["a"].faults = faults
        log(f"a was unreachable for {time.monotonic() - t0:.1f}s")
        if kill:
            Cluster.wait_until(
                lambda: b.count("federation_probe") >= messages // 4, timeout=timeout
            )
            b.kill()
            log(f"b killed (SIGKILL) at {time.monotonic() - t0:.1f}s; restarting")
            time.sleep(1.0)
            b.start()
        for w in writers:
            if w.wait(timeout=timeout) != 0:
                raise RuntimeError(f"probe writer failed: {w.stderr.read() if w.stderr else ''}")
        Cluster.wait_until(
            lambda: b.count("federation_probe") >= messages and a.count("federation_probe") >= back,
            timeout=timeout,
            interval=1.0,
        )
        for p in proxies.values():
            p.faults = Faults()
        Cluster.wait_until(
            lambda: (
                a.count("federation_outboxmessage", "status<>'delivered'") == 0
                and b.count("federation_outboxmessage", "status<>'delivered'") == 0
            ),
            timeout=timeout,
            interval=1.0,
        )
        elapsed = time.monotonic() - t0
        ab = direction_result(a, b, messages)
        ba = direction_result(b, a, back)
        verify = {n.node_id: "通过" in n.run("log", "verify") for n in cluster.nodes}
        result: dict[str, Any] = {
            key: ab[key] + ba[key] for key in ("lost", "duplicated", "diverged", "stuck")
        }
        result.update(
            messages=messages + back,
            seconds=round(elapsed, 1),
            log_verified=all(verify.values()),
            proxy={k: vars(p.counters) for k, p in proxies.items()},
        )
        return result
    finally:
        cluster.teardown()
        for p in proxies.values():
            p.stop()


def _probe(node: Node, to: str, count: int, streams: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tongban.cli",
            "node",
            "probe",
            "--to",
            to,
            "--count",
            str(count),
            "--streams",
            str(streams),
        ],
        env=node.env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
