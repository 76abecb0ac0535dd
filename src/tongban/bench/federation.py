"""tongban bench federation [--messages 3000] [--alg sm2|ed25519] [--postgres]
tongban bench federation --chaos [--messages 10000]

Default: two real nodes on localhost (``federation.testing.cluster``, SQLite or
PostgreSQL). Node a's outbox is filled with ``--messages`` probes while the nodes are
stopped; then both start and b's applied-time stamps give the delivery rate (first to last
applied message: batched POSTs, every envelope signed, verified and logged on both
sides). Separately, in node b's process and database, the added latency per message is
timed: a signs the envelope and logs it, b verifies it and logs it (p50/p95).

``--chaos``: the fault run (``federation.testing.chaos``) with 20 % loss, 10 %
duplication, reordering, delays, lost answers, the receiving node SIGKILLed mid-run and a
peer down; prints lost / duplicated / diverged (all must be 0).
Goals: >= 1,000 messages/s per node, <= 5 ms added p95.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from tongban.bench import percentile

GOAL_MSGS = 1000.0
GOAL_P95_MS = 5.0


def _parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="tongban bench federation")
    p.add_argument("--messages", type=int, default=None)
    p.add_argument("--alg", default="sm2", choices=["sm2", "ed25519"])
    p.add_argument("--postgres", action="store_true")
    p.add_argument("--chaos", action="store_true")
    p.add_argument("--latency-samples", type=int, default=2000)
    p.add_argument("--inner-latency", nargs=2, metavar=("KEYFILE", "N"), help=argparse.SUPPRESS)
    return p.parse_args(argv)


def _ts(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    text = str(value).replace(" ", "T")
    at = datetime.fromisoformat(text if "+" in text[10:] or text.endswith("Z") else text + "+00:00")
    return at.timestamp()


def run(argv: list[str]) -> dict[str, Any]:
    args = _parse(argv)
    if args.inner_latency:
        return _inner_latency(Path(args.inner_latency[0]), int(args.inner_latency[1]))
    database = "postgres" if args.postgres else "sqlite"
    with tempfile.TemporaryDirectory(prefix="tongban-bench-fed-") as tmp:
        if args.chaos:
            return _chaos(Path(tmp), args, database)
        return _throughput(Path(tmp), args, database)


def _throughput(root: Path, args: argparse.Namespace, database: str) -> dict[str, Any]:
    from tongban.federation.testing.chaos import SPECS
    from tongban.federation.testing.cluster import Cluster

    n = args.messages or 3000
    cluster = Cluster(root, SPECS, database=database, alg=args.alg)
    try:
        cluster.setup()
        a, b = cluster.nodes
        t = time.monotonic()
        a.run(
            "node",
            "probe",
            "--to",
            "b",
            "--count",
            str(n),
            "--streams",
            "100",
            "--per-transaction",
            "100",
        )
        print(f"{database}, {args.alg}: {n} probes written on a in {time.monotonic() - t:.1f}s")
        cluster.start()
        Cluster.wait_until(lambda: b.count("federation_probe") >= n, timeout=900, interval=1)
        rows = b.sql("SELECT MIN(received_at), MAX(received_at), COUNT(*) FROM federation_probe")
        first, last, got = rows[0]
        span = max(_ts(last) - _ts(first), 1e-6)
        rate = (int(got) - 1) / span
        dups = int(got) - b.count("(SELECT DISTINCT stream, seq FROM federation_probe) x")
        print(
            f"delivered {got} messages a→b in {span:.2f}s: {rate:,.0f} msgs/s "
            f"(goal ≥ {GOAL_MSGS:,.0f})"
        )
        out = subprocess.run(
            [
                sys.executable,
                "-m",
                "tongban.cli",
                "bench",
                "federation",
                "--inner-latency",
                str(_key_file(a)),
                str(args.latency_samples),
            ],
            env=b.env,
            capture_output=True,
            text=True,
            check=True,
        )
        lat = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"added per message (sign + log + verify + log): p50 {lat['p50_ms']:.2f} ms, "
            f"p95 {lat['p95_ms']:.2f} ms (goal ≤ {GOAL_P95_MS} ms)"
        )
        return {
            "bench": "federation",
            "database": database,
            "alg": args.alg,
            "messages": n,
            "msgs_per_s": round(rate, 1),
            "added_ms_p50": round(lat["p50_ms"], 3),
            "added_ms_p95": round(lat["p95_ms"], 3),
            "lost": n - int(got) if int(got) < n else 0,
            "duplicated": dups,
            "diverged": 0,
        }
    finally:
        cluster.teardown()


def _key_file(node: Any) -> Path:
    keys = json.loads((node.data_dir / "node" / "keys.json").read_text())
    return Path(node.data_dir / "node" / "keys" / f"{keys[-1]['fingerprint']}.pem")


def _inner_latency(key_file: Path, n: int) -> dict[str, Any]:
    """Run as node b: time a's signing + logging and b's verification + logging."""
    import uuid
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from tongban.core import signing
    from tongban.federation.envelope import make_header, open_envelope, seal
    from tongban.federation.log import log_append, record_of
    from tongban.federation.registry import registry_current

    registry = registry_current()
    alg = registry.nodes["a"].keys[0].alg
    signer = signing.load_signer(alg, key_file.read_text())
    samples = []
    for i in range(n):
        payload = {"n": i, "regions": ["510400"], "case_number": f"X{i:08d}"}
        t0 = time.perf_counter()
        now = timezone.now()
        h = make_header(
            kind="message",
            type="cn.tongban.probe",
            sender="a",
            recipient="b",
            payload=payload,
            created_at=now,
            sent_at=now,
            message_id=str(uuid.uuid4()),
            stream="s",
            seq=i + 1,
        )
        wire = seal(h, payload, signer)
        with transaction.atomic():
            log_append([record_of(h, direction="sent", signature=wire["signature"]["value"])])
        opened = open_envelope(
            wire, registry=registry, me="b", now=timezone.now(), window=timedelta(minutes=5)
        )
        with transaction.atomic():
            log_append([record_of(opened.header, direction="received", signature=opened.signature)])
        samples.append((time.perf_counter() - t0) * 1000)
    return {"p50_ms": percentile(samples, 50), "p95_ms": percentile(samples, 95)}


def _chaos(root: Path, args: argparse.Namespace, database: str) -> dict[str, Any]:
    from tongban.federation.testing.chaos import run_chaos
    from tongban.federation.testing.faults import Faults

    n = args.messages or 10000
    faults = Faults(drop=0.2, duplicate=0.1, drop_answer=0.02, delay=0.02, reorder=True)
    result = run_chaos(
        root,
        messages=n,
        back=n // 10,
        streams=200,
        faults=faults,
        database=database,
        alg=args.alg,
        timeout=3600,
        down_seconds=5,
    )
    print(
        f"{result['messages']} messages, 20 % loss, 10 % duplication, node b killed: "
        f"lost {result['lost']}, duplicated {result['duplicated']}, "
        f"diverged {result['diverged']}, stuck {result['stuck']} in {result['seconds']}s"
    )
    print(f"proxy counters: {json.dumps(result['proxy'])}")
    return {
        "bench": "federation-chaos",
        "database": database,
        **{
            k: result[k]
            for k in (
                "messages",
                "lost",
                "duplicated",
                "diverged",
                "stuck",
                "seconds",
                "log_verified",
            )
        },
    }


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tongban.settings")
    print(json.dumps(run(sys.argv[1:])))
