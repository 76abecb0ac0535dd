"""tongban bench cases [--cases 100000] [--intake 2000] [--http-intake 600] [--procs 2]

Case engine on PostgreSQL, in a database created for the run (each phase is its own
process with DATABASE_URL pointing at it, uploads in a temporary data directory):

1. setup — migrate, load regions and the working-day calendar, build 50 implementations
   (3 materials each) in five deciding regions with staff, windows and an agreement.
2. intake through the services — each case: ``case_create_draft``, three
   ``material_upload`` (magic bytes checked, file written), submit, pre-review and accept
   through ``case_transition`` (with the notification, job and outbox rows they write).
   Once in one process, then in ``--procs`` processes at the same time.
3. intake through HTTP — ``tongban serve`` (gunicorn, 2 workers) on 127.0.0.1 driven by
   a bounded number of client threads with session logins (see cases_http.py).
4. volume — bulk-generate ``--cases`` cases, ``VACUUM ANALYZE``, then time case lists,
   the department inbox and the clerk's queues with typed filters for every kind of
   actor (p50/p95/p99 per query) and EXPLAIN each statement.

Goals: intake ≥ 500/s through the services; list p95 ≤ 50 ms at 1,000,000 cases.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from typing import Any

from tongban.bench import percentile, pg_bench_database

GOAL_INTAKE_PER_S = 500.0
GOAL_LIST_P95_MS = 50.0
INTAKE_DAY = date(2026, 3, 2)


def _say(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------- phases (subprocesses)


def _phase_setup(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from tongban.bench.cases_data import catalogue_build
    from tongban.core.calendar_store import calendar_cache_clear, calendar_load_from_package
    from tongban.regions.services import regions_load_gb2260

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    regions_load_gb2260()
    calendar_load_from_package()
    calendar_cache_clear()
    t1 = time.perf_counter()
    cat = catalogue_build(applicants=min(100_000, max(50, args.cases // 10)))
    t2 = time.perf_counter()
    _say(
        f"setup: migrated and loaded reference data in {t1 - t0:.1f} s; "
        f"{len(cat.impls)} implementations, {len(cat.staff)} departments, "
        f"{len(cat.applicants)} applicants in {t2 - t1:.1f} s"
    )
    _say(f"storing one scanned file on its own: {_file_write_ms():.2f} ms")
    return {}


def _phase_intake(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from tongban.bench.cases_data import catalogue_load, intake_one

    cat = catalogue_load()
    # Each process takes its own implementations: case-number sequences are per
    # implementation and day, and sharing them would only measure one row lock.
    impls = cat.impls[args.part :: args.parts]
    run = f"{args.parts}.{args.part}.{os.getpid()}"  # unique: reruns never replay keys
    for i in range(10):  # imports, prepared plans, the calendar cache
        intake_one(cat, i, today=date(2026, 3, 3), impls=impls, run=run)
    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    marks: dict[str, float] = {}
    while time.time() < args.start_at:
        time.sleep(0.005)
    start = time.time()
    done = 0
    with connection.execute_wrapper(count):
        # Bounded in time as well, so a busy machine cannot stretch the run.
        while done < args.count and time.time() - start < args.max_seconds:
            intake_one(cat, done, today=INTAKE_DAY, impls=impls, run=run, marks=marks)
            done += 1
    end = time.time()
    return {
        "start": start,
        "end": end,
        "count": done,
        "queries": queries[0],
        "marks": marks,
    }


def _file_write_ms(n: int = 300) -> float:
    """What storing one small scan costs on its own (uploads write real files)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from tongban.bench.cases_data import PDF

    t = time.perf_counter()
    for i in range(n):
        default_storage.save(f"bench-probe/{i}.pdf", ContentFile(PDF))
    return (time.perf_counter() - t) / n * 1000


def _phase_volume(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection

    from tongban.bench.cases_data import catalogue_load
    from tongban.bench.cases_queries import explain_all, measure
    from tongban.bench.cases_volume import cases_generate

    cat = catalogue_load()
    t0 = time.perf_counter()
    made = cases_generate(cat, args.cases, seed=args.seed, log=_say)
    t1 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    t2 = time.perf_counter()
    _say(f"volume: {made:,} cases generated in {t1 - t0:.1f} s, VACUUM ANALYZE {t2 - t1:.1f} s")
    samples = measure(cat, rounds=args.rounds, log=_say)
    explain_all(cat, log=_say)
    every = [s for v in samples.values() for s in v]
    return {
        "p50": percentile(every, 50),
        "p95": percentile(every, 95),
        "p99": percentile(every, 99),
        "max": max(every),
        "samples": len(every),
        "worst_query": max(samples, key=lambda k: percentile(samples[k], 95)),
    }


def _phase_http(args: argparse.Namespace) -> dict[str, Any]:
    from tongban.bench.cases_http import http_intake

    return http_intake(
        count=args.count,
        threads=args.threads,
        port=args.port,
        log=_say,
        max_seconds=args.max_seconds,
    )


PHASES = {
    "setup": _phase_setup,
    "intake": _phase_intake,
    "volume": _phase_volume,
    "http": _phase_http,
}


# ---------------------------------------------------------------- orchestration


def _start(phase: str, args: argparse.Namespace, env: dict[str, str], *extra: str) -> Any:
    cmd = [sys.executable, "-m", "tongban.cli", "bench", "cases", "--phase", phase]
    cmd += ["--cases", str(args.cases), "--seed", str(args.seed), "--rounds", str(args.rounds)]
    return subprocess.Popen(cmd + list(extra), env=env, stdout=subprocess.PIPE, text=True)


def _result(proc: Any, phase: str) -> dict[str, Any]:
    out, _ = proc.communicate()
    lines = (out or "").strip().splitlines()
    for line in lines[:-1]:
        _say(line)
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"cases benchmark phase {phase} failed (exit {proc.returncode})")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _intake(args: argparse.Namespace, env: dict[str, str], parts: int) -> float:
    per = args.intake // parts
    start_at = time.time() + 15  # every process loaded and warmed up before the clock
    procs = [
        _start(
            "intake",
            args,
            env,
            *("--part", str(k), "--parts", str(parts), "--count", str(per)),
            *("--start-at", str(start_at), "--max-seconds", str(args.max_seconds)),
        )
        for k in range(parts)
    ]
    results = [_result(p, "intake") for p in procs]
    total = sum(r["count"] for r in results)
    wall = max(r["end"] for r in results) - min(r["start"] for r in results)
    rate = total / wall
    _say(
        f"intake through the services, {parts} process{'es' if parts > 1 else ''}: "
        f"{total} cases in {wall:.2f} s = {rate:.0f} cases/s; "
        f"{sum(r['queries'] for r in results) / total:.0f} SQL statements per case"
    )
    steps: dict[str, float] = {}
    for r in results:
        for k, v in r["marks"].items():
            steps[k] = steps.get(k, 0.0) + v
    _say(
        "  ms per case by step: "
        + ", ".join(f"{k} {v / total * 1000:.1f}" for k, v in steps.items())
    )
    return rate


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="tongban bench cases")
    parser.add_argument("--cases", type=int, default=100_000, help="cases at volume")
    parser.add_argument("--intake", type=int, default=2000, help="cases timed per intake run")
    parser.add_argument("--http-intake", type=int, default=600, help="cases through HTTP")
    parser.add_argument("--http-threads", type=int, default=6)
    parser.add_argument(
        "--max-seconds", type=float, default=60.0, help="time bound of each intake run"
    )
    parser.add_argument("--procs", type=int, default=2, help="processes for parallel intake")
    parser.add_argument("--rounds", type=int, default=20, help="timed passes over the queries")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-http", action="store_true")
    parser.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    for name in ("--part", "--parts", "--count", "--threads", "--port"):
        parser.add_argument(name, type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--start-at", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        return PHASES[args.phase](args)

    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base.update(TONGBAN_DEBUG="0", TONGBAN_ENV="test", PYTHONUNBUFFERED="1")
    out: dict[str, Any] = {"cases": args.cases}
    # Other work on the machine skews every figure: say how busy it was.
    _say(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)")
    with (
        tempfile.TemporaryDirectory(prefix="tongban-bench-cases-") as tmp,
        pg_bench_database("cases") as url,
    ):
        env = {**base, "TONGBAN_DATA_DIR": tmp, "DATABASE_URL": url}
        _result(_start("setup", args, env), "setup")
        single = _intake(args, env, 1)
        parallel = _intake(args, env, args.procs) if args.procs > 1 else single
        out["intake_per_s_service"] = round(max(single, parallel), 1)
        out["intake_per_s_service_single"] = round(single, 1)
        out["intake_procs"] = args.procs
        if not args.skip_http and args.http_intake:
            http_args = ["--count", str(args.http_intake), "--threads", str(args.http_threads)]
            http_args += ["--max-seconds", str(args.max_seconds)]
            port = _free_port()
            r = _result(_start("http", args, env, *http_args, "--port", str(port)), "http")
            out["intake_per_s_http"] = round(r["per_s"], 1)
            out["http_request_p95_ms"] = round(r["request_p95_ms"], 1)
        vol = _result(_start("volume", args, env), "volume")
    for k in ("p50", "p95", "p99"):
        out[f"list_{k}_ms"] = round(vol[k], 2)
    out["list_max_ms"] = round(vol["max"], 2)
    out["list_samples"] = vol["samples"]
    out["list_worst_query"] = vol["worst_query"]
    intake_met = out["intake_per_s_service"] >= GOAL_INTAKE_PER_S
    list_met = vol["p95"] <= GOAL_LIST_P95_MS
    _say(
        f"goals: intake ≥ {GOAL_INTAKE_PER_S:g}/s through the services: "
        f"{'met' if intake_met else 'MISSED'}; list p95 ≤ {GOAL_LIST_P95_MS:g} ms at "
        f"{args.cases:,} cases: {'met' if list_met else 'MISSED'}"
    )
    out["load_avg_1m"] = round(os.getloadavg()[0], 2)
    out["postgres"] = True
    return out
