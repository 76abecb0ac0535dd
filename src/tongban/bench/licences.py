"""tongban bench licences [--issue 300] [--pdf 20] [--verify 3000] [--http 1500]

E-licences on PostgreSQL, in a database created for the run (one subprocess with
DATABASE_URL pointing at it and a temporary data directory, so the node key is fresh):

1. raw SM2: sign and verify the canonical payload of a licence with ``core.signing`` alone.
2. issue through ``licence_issue`` (validation, serial, signature, rows, history) without
   the PDF, then ``licence_render_pdf`` (WeasyPrint certificate with QR and seal).
3. verify through ``licence_verify`` (identifier check, the licence row, SM2 verify over
   the stored signed bytes, those bytes against the columns, status), interleaved round
   by round with raw SM2 verify runs of the same payload so load from other processes
   falls on all arms alike. The row comes from the process's row feed (kept rows,
   emptied by NOTIFY on any write: ``licences.row_feed``): the ``service`` arm cycles
   over the issued licences, so after the first round its rows are kept; the ``cold``
   arm empties the copy before each call, so every row is read from the database (one
   prepared statement) — what a licence verified for the first time costs. Further
   arms: ``licences_verify_many`` (100 identifiers per query) and raw SM2 verify plus
   one ``SELECT 1`` round trip (the floor of any design that reads the database on each
   verification).
4. verify through HTTP: ``tongban serve`` (gunicorn, 2 workers) answering
   ``GET /api/v1/licences/verify`` to a bounded number of client threads.

Goal: service verify ≥ 80 % of the raw SM2 verify rate of the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from typing import Any
from urllib.parse import quote

from tongban.bench import percentile, pg_bench_database

GOAL_VERIFY_SHARE = 0.80


def _say(msg: str) -> None:
    print(msg, flush=True)


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


ROUNDS = 10
BATCH = 100


def _verify_rounds(payload: dict[str, Any], idents: list[str], n: int) -> dict[str, float]:
    """Seconds spent on n raw SM2 verifies, n service verifies and n batch verifies, in
    ROUNDS interleaved rounds (the order rotates each round)."""
    from django.db import connection

    from tongban.core.signing import canonical_json, verify
    from tongban.licences.keys import issuing_signer
    from tongban.licences.row_feed import FEED
    from tongban.licences.verify import licence_verify, licences_verify_many

    signer = issuing_signer()
    data = canonical_json(payload)
    sig = signer.sign(data)
    per_round = max(1, n // ROUNDS)
    pos = {"service": 0, "batch": 0, "cold": 0}

    def raw() -> None:
        for _ in range(per_round):
            if not verify(signer.algorithm, signer.public_pem, data, sig):
                raise RuntimeError("raw verify failed")

    def service() -> None:
        for _ in range(per_round):
            ident = idents[pos["service"] % len(idents)]
            pos["service"] += 1
            if not licence_verify(ident).ok:
                raise RuntimeError("service verify failed")

    def cold() -> None:  # every row read from the database (never seen before)
        for _ in range(per_round):
            ident = idents[pos["cold"] % len(idents)]
            pos["cold"] += 1
            FEED.clear()
            if not licence_verify(ident).ok:
                raise RuntimeError("service verify failed")

    def batch() -> None:
        done = 0
        while done < per_round:
            k = min(BATCH, per_round - done)
            start = pos["batch"] % len(idents)
            chunk = (idents[start:] + idents[:start])[:k]
            pos["batch"] += k
            if not all(v.ok for v in licences_verify_many(chunk)):
                raise RuntimeError("batch verify failed")
            done += k

    def raw_round_trip() -> None:  # the floor of any design reading the status per verify
        with connection.cursor() as cur:
            for _ in range(per_round):
                if not verify(signer.algorithm, signer.public_pem, data, sig):
                    raise RuntimeError("raw verify failed")
                cur.execute("SELECT 1")
                cur.fetchone()

    arms = [
        ("raw", raw),
        ("service", service),
        ("cold", cold),
        ("batch", batch),
        ("floor", raw_round_trip),
    ]
    spent = {name: 0.0 for name, _ in arms}
    for r in range(ROUNDS):
        for name, fn in arms[r % len(arms) :] + arms[: r % len(arms)]:
            if name == "service":  # the working set, kept (the cold arm empties the copy)
                for ident in idents:
                    licence_verify(ident)
            t = time.perf_counter()
            fn()
            spent[name] += time.perf_counter() - t
    return {name: _rate(per_round * ROUNDS, sec) for name, sec in spent.items()}


def _http(identifiers: list[str], count: int, threads: int) -> tuple[float, float]:
    from tongban.bench.cases import _free_port
    from tongban.bench.cases_http import Session, _serve

    port = _free_port()
    server = _serve(port)
    try:
        lock = threading.Lock()
        latencies: list[float] = []
        todo = iter(range(count))

        def worker() -> None:
            s = Session(port)
            while True:
                with lock:
                    i = next(todo, None)
                if i is None:
                    return
                ident = identifiers[i % len(identifiers)]
                t = time.perf_counter()
                status, body = s.request("GET", f"/api/v1/licences/verify?id={quote(ident)}")
                dt = time.perf_counter() - t
                if status != 200 or b'"valid"' not in body:
                    raise RuntimeError(f"HTTP verify: {status} {body[:200]!r}")
                with lock:
                    latencies.append(dt)

        for ident in identifiers[:20]:  # warm both workers
            Session(port).request("GET", f"/api/v1/licences/verify?id={quote(ident)}")
        pool = [threading.Thread(target=worker) for _ in range(threads)]
        t0 = time.perf_counter()
        for th in pool:
            th.start()
        for th in pool:
            th.join()
        wall = time.perf_counter() - t0
        return _rate(len(latencies), wall), percentile(latencies, 95) * 1000
    finally:
        server.terminate()
        server.wait(timeout=30)


def _work(args: argparse.Namespace) -> dict[str, Any]:
    import django

    django.setup()
    from django.core.management import call_command

    from tongban.core.actors import SYSTEM
    from tongban.core.ids import make_id_number
    from tongban.core.signing import canonical_json
    from tongban.licences.issuing import licence_render_pdf
    from tongban.licences.keys import issuing_signer
    from tongban.licences.row_feed import FEED
    from tongban.licences.services import licence_issue
    from tongban.licences.testing import licence_input, make_type
    from tongban.licences.verify import licence_verify

    call_command("migrate", verbosity=0)
    make_type(allows_multiple=True)
    out: dict[str, Any] = {}

    first = licence_issue(actor=SYSTEM, data=licence_input(), render_pdf=False)
    payload = first.payload
    signer = issuing_signer()
    data = canonical_json(payload)
    t = time.perf_counter()
    for _ in range(args.issue):
        signer.sign(data)
    out["raw_sm2_sign_per_s"] = _rate(args.issue, time.perf_counter() - t)
    _say(f"raw SM2 sign (payload {len(data)} bytes): {out['raw_sm2_sign_per_s']:.0f}/s")

    holders = [make_id_number(f"11010119800101{i % 1000:03d}") for i in range(args.issue)]
    t = time.perf_counter()
    issued = [
        licence_issue(
            actor=SYSTEM,
            data=licence_input(h, issue_date=date(2026, 3, 2), holder_name=f"持证人{i}"),
            render_pdf=False,
        )
        for i, h in enumerate(holders)
    ]
    out["sign_per_s"] = _rate(len(issued), time.perf_counter() - t)
    _say(f"issue through the service (no PDF): {len(issued)} in = {out['sign_per_s']:.0f}/s")

    t = time.perf_counter()
    for lic in issued[: args.pdf]:
        licence_render_pdf(licence_id=lic.pk)
    pdf_s = time.perf_counter() - t
    out["pdf_per_s"] = _rate(args.pdf, pdf_s)
    _say(f"PDF certificates: {args.pdf} in {pdf_s:.2f} s = {out['pdf_per_s']:.1f}/s")

    idents = [lic.identifier for lic in issued]
    for ident in idents[:50]:  # warm caches
        licence_verify(ident)
    _say(f"load average before verify: {os.getloadavg()[0]:.2f}")
    rates = _verify_rounds(payload, idents, args.verify)
    service, raw = rates["service"], rates["raw"]
    out["verify_per_s"] = service
    out["raw_sm2_verify_per_s"] = raw
    out["batch_verify_per_s"] = rates["batch"]
    out["raw_sm2_plus_select1_per_s"] = rates["floor"]
    out["verify_per_s_cold"] = rates["cold"]
    out["verify_cold_share_of_raw"] = rates["cold"] / raw
    out["row_feed_listening"] = FEED.listening
    _say(
        f"verify ({args.verify} each, {ROUNDS} interleaved rounds): service {service:.0f}/s, "
        f"raw SM2 {raw:.0f}/s; service = {service / raw * 100:.0f} % of raw; "
        f"cold rows (each read from the database) {rates['cold']:.0f}/s "
        f"({rates['cold'] / raw * 100:.0f} % of raw); "
        f"batch of {BATCH} {rates['batch']:.0f}/s; raw SM2 + one SELECT 1 round trip "
        f"{rates['floor']:.0f}/s ({rates['floor'] / raw * 100:.0f} % of raw)"
    )
    if args.http:
        per_s, p95 = _http(idents, args.http, args.http_threads)
        out["verify_per_s_http"] = per_s
        out["http_verify_p95_ms"] = p95
        _say(
            f"verify through HTTP (gunicorn 2 workers, {args.http_threads} clients): "
            f"{per_s:.0f}/s, p95 {p95:.1f} ms"
        )
    return out


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="tongban bench licences")
    parser.add_argument("--issue", type=int, default=300, help="licences issued (timed)")
    parser.add_argument("--pdf", type=int, default=20, help="PDF certificates rendered")
    parser.add_argument("--verify", type=int, default=3000, help="verifications (timed)")
    parser.add_argument("--http", type=int, default=1500, help="verifications through HTTP")
    parser.add_argument("--http-threads", type=int, default=4)
    parser.add_argument("--phase", choices=["work"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase == "work":
        return _work(args)
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base.update(TONGBAN_DEBUG="0", TONGBAN_ENV="test", PYTHONUNBUFFERED="1")
    _say(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    with (
        tempfile.TemporaryDirectory(prefix="tongban-bench-licences-") as tmp,
        pg_bench_database("licences") as url,
    ):
        env = {**base, "TONGBAN_DATA_DIR": tmp, "DATABASE_URL": url}
        cmd = [sys.executable, "-m", "tongban.cli", "bench", "licences", "--phase", "work"]
        cmd += ["--issue", str(args.issue), "--pdf", str(args.pdf), "--verify", str(args.verify)]
        cmd += ["--http", str(args.http), "--http-threads", str(args.http_threads)]
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
    lines = (proc.stdout or "").strip().splitlines()
    for line in lines[:-1]:
        _say(line)
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"licences benchmark failed (exit {proc.returncode})")
    r = json.loads(lines[-1])
    share = r["verify_per_s"] / r["raw_sm2_verify_per_s"]
    _say(
        f"goal: service verify ≥ {GOAL_VERIFY_SHARE:.0%} of raw SM2: "
        f"{share:.0%} {'met' if share >= GOAL_VERIFY_SHARE else 'MISSED'}"
    )
    out: dict[str, Any] = {"bench": "licences"}
    out.update({k: round(v, 1) if isinstance(v, float) else v for k, v in r.items()})
    out["verify_share_of_raw"] = round(share, 3)
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    out["postgres"] = True
    return out
