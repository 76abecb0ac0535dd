"""tongban bench supervision [--cases 1000000] [--rounds 30]

电子监察 at volume on PostgreSQL, in a database created for the run:

1. setup — migrate, regions, working-day calendar, the benchmark catalogue (50 items in
   five deciding regions, steps with working-day timers) and supervisors.
2. ``--cases`` open cases inserted by one ``INSERT … SELECT … FROM generate_series`` with
   deadlines taken from the working-day calendar (a table of working days joined in):
   about 3 % overdue, 5 % within the yellow threshold, the rest running; 10 % before
   acceptance, 6 % paused; step timers mostly running.
3. the scan — ``cards_scan`` (first run, raising cards) then a rescan of the same day
   (idempotent: nothing raised), and the dashboard rollup refresh (``stats_refresh``).
4. the dashboard — what /workbench/supervision/ computes (rollups, card counts and
   lists, 督办, deadline-unknown and anomaly lists), timed ``--rounds`` times for each of several
   supervisors and filters; p50/p95.

Goals at 1,000,000 open cases: the first scan of a day and the next day's scan (which raises
the step cards falling due that day) ≤ 5 s each, dashboard p95 ≤ 200 ms. Each scan's time
per statement is printed after it (``ScanResult.timings``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from typing import Any

from tongban.bench import percentile, pg_bench_database

GOAL_SCAN_S = 5.0
GOAL_DASHBOARD_P95_MS = 200.0
TODAY = date(2026, 11, 18)  # a Wednesday


def _say(msg: str) -> None:
    print(msg, flush=True)


def _say_steps(timings: dict[str, float]) -> None:
    """The time of each statement (step) of one scan, in the order they ran."""
    _say("  " + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items()))


def _rounded(timings: dict[str, float]) -> dict[str, float]:
    return {k: round(v, 3) for k, v in timings.items()}


def _generate(n: int) -> None:
    """Insert ``n`` open cases in one statement. Pseudo-random but reproducible: every
    choice is a hash of the row number."""
    from django.db import connection

    from tongban.catalog.models import ItemImplementation
    from tongban.core.calendar_store import work_calendar

    cal = work_calendar()
    impls = list(ItemImplementation.objects.select_related("current_version").order_by("id"))
    # Working days around today, numbered: index 0 = the first working day after TODAY.
    days: list[date] = []
    d = TODAY - timedelta(days=200)
    while d <= TODAY + timedelta(days=120):
        if d in cal.extra_workdays or (d.weekday() < 5 and d not in cal.days_off):
            days.append(d)
        d += timedelta(days=1)
    first_after = next(i for i, x in enumerate(days) if x > TODAY)
    with connection.cursor() as cur:
        # (dropped first: the small-scale test may build twice on one connection)
        cur.execute("DROP TABLE IF EXISTS bench_wd, bench_impl")
        cur.execute("CREATE TEMP TABLE bench_wd (idx int PRIMARY KEY, day date)")
        cur.executemany(
            "INSERT INTO bench_wd VALUES (%s, %s)",
            [(i - first_after, x) for i, x in enumerate(days)],
        )
        cur.execute(
            "CREATE TEMP TABLE bench_impl (k int PRIMARY KEY, impl_id bigint, version_id bigint,"
            " name text, kind text, sd int, pd int, dept_id bigint, region_id text)"
        )
        cur.executemany(
            "INSERT INTO bench_impl VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    k,
                    i.pk,
                    i.current_version.pk,
                    i.current_version.name,
                    i.current_version.kind,
                    i.current_version.statutory_days,
                    i.current_version.promised_days,
                    i.department_id,
                    i.region_id,
                )
                for k, i in enumerate(impls)
                if i.current_version is not None
            ],
        )
        nimpl = len(impls)
        # h1..h4: independent hashes of the row number in 0..999.
        cur.execute(
            f"""
            WITH g AS (
              SELECT i,
                ('x' || substr(md5(i::text), 1, 8))::bit(32)::int & 2147483647 AS h0,
                ('x' || substr(md5(i::text), 9, 8))::bit(32)::int & 2147483647 AS h1,
                ('x' || substr(md5(i::text), 17, 8))::bit(32)::int & 2147483647 AS h2,
                ('x' || substr(md5(i::text), 25, 8))::bit(32)::int & 2147483647 AS h3
              FROM generate_series(1, {n}) AS i
            ), p AS (
              SELECT g.i, b.*, g.h2, g.h3,
                CASE WHEN g.h1 % 1000 < 50 THEN 'submitted'
                     WHEN g.h1 % 1000 < 100 THEN 'pre_review'
                     WHEN g.h1 % 1000 < 400 THEN 'accepted'
                     WHEN g.h1 % 1000 < 880 THEN 'under_review'
                     WHEN g.h1 % 1000 < 930 THEN 'approved'
                     WHEN g.h1 % 1000 < 940 THEN 'denied'
                     WHEN g.h1 % 1000 < 990 THEN 'supplement_requested'
                     ELSE 'special_procedure' END AS status,
                -- working days left on the running deadline: 3 % overdue, 5 % close.
                CASE WHEN g.h2 % 1000 < 30 THEN -1 - (g.h3 % 10)
                     WHEN g.h2 % 1000 < 80 THEN g.h3 % 2
                     ELSE 2 + g.h3 % 25 END AS r
              FROM g JOIN bench_impl b ON b.k = g.h0 % {nimpl}
            )
            INSERT INTO cases_case (
              case_number, implementation_id, version_id, item_name, item_kind,
              statutory_days, promised_days, applicant_kind, applicant_name, applicant_code,
              applicant_phone, agent_name, agent_id_number, channel, mode, intake_region_id,
              handling_department_id, handling_region_id, form_data, delivery,
              delivery_address, status, paused_from, revision, created_at, status_changed_at,
              submitted_at, accepted_at, accepted_on, acceptance_deadline, promised_deadline,
              statutory_deadline, paused_working_days, deadline_unknown, result_name,
              result_number, result_note, exempted_materials, originals_pending,
              handled_for_node, remote_node, remote_case_number)
            SELECT
              'BENCH' || lpad(p.i::text, 10, '0'), p.impl_id, p.version_id, p.name, p.kind,
              p.sd, p.pd, 'person', '申请人', '140402199001010011', '13800000000', '', '',
              (ARRAY['pc','mobile','window','kiosk'])[1 + p.h3 % 4],
              CASE WHEN p.h3 % 4 < 2 THEN 'fully_online' ELSE 'local' END,
              p.region_id, p.dept_id, p.region_id, '{{}}', 'electronic', '', p.status,
              CASE WHEN p.status IN ('supplement_requested', 'special_procedure')
                   THEN 'under_review' ELSE '' END,
              1, sub.day::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '9 hours',
              -- most cases changed status in the last two days (step timers running)
              TIMESTAMPTZ '{TODAY.isoformat()} 09:00+08'
                - make_interval(days => CASE WHEN p.h2 % 100 < 95 THEN p.h2 % 2
                                             ELSE 3 + p.h2 % 8 END),
              sub.day::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '9 hours',
              CASE WHEN p.status IN ('submitted', 'pre_review') THEN NULL
                   ELSE acc.day::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '10 hours' END,
              CASE WHEN p.status IN ('submitted', 'pre_review') THEN NULL ELSE acc.day END,
              CASE WHEN p.status IN ('submitted', 'pre_review') THEN due_a.day ELSE sub_due.day END,
              CASE WHEN p.status IN ('submitted', 'pre_review') THEN NULL ELSE due.day END,
              CASE WHEN p.status IN ('submitted', 'pre_review') THEN NULL ELSE stat.day END,
              0, FALSE, '', '', '', 0, FALSE, '', '', ''
            FROM p
            JOIN bench_wd due ON due.idx = LEAST(p.r, 5 + p.pd) - 1
            JOIN bench_wd acc ON acc.idx = LEAST(p.r, 5 + p.pd) - 1 - p.pd
            JOIN bench_wd stat ON stat.idx = LEAST(p.r, 5 + p.pd) - 1 - p.pd + p.sd
            JOIN bench_wd sub ON sub.idx = LEAST(p.r, 5 + p.pd) - 2 - p.pd
            JOIN bench_wd sub_due ON sub_due.idx = LEAST(p.r, 5 + p.pd) - 2 - p.pd + 5
            JOIN bench_wd due_a ON due_a.idx = LEAST(p.r, 4) - 1
            """
        )
    # As after any bulk load (the cases bench does the same): hint bits and statistics.
    # (Inside a transaction — the small-scale test — VACUUM cannot run: statistics only.)
    with connection.cursor() as cur:
        cur.execute(
            "ANALYZE cases_case" if connection.in_atomic_block else "VACUUM ANALYZE cases_case"
        )


def _phase(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command

    from tongban.accounts.models import Department, Role
    from tongban.accounts.services import user_create
    from tongban.bench.cases_data import HANDLING, catalogue_build
    from tongban.core.calendar_store import (
        calendar_cache_clear,
        calendar_load_from_package,
        work_calendar,
    )
    from tongban.regions.services import regions_load_gb2260
    from tongban.supervision import selectors
    from tongban.supervision.models import Card
    from tongban.supervision.scanner import cards_scan
    from tongban.supervision.stats import stats_refresh

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    regions_load_gb2260()
    calendar_load_from_package()
    calendar_cache_clear()
    catalogue_build(applicants=50)
    national = user_create(
        username="bench.sup.all",
        password="",
        grants=[(str(Role.SUPERVISOR), r, None, None) for r in HANDLING],
    )
    city = user_create(
        username="bench.sup.140400", password="", grants=[("supervisor", "140400", None, None)]
    )
    _say(f"setup: {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    _generate(args.cases)
    _say(
        f"generated {args.cases:,} open cases in {time.perf_counter() - t0:.1f} s "
        "(one INSERT … SELECT)"
    )

    cal = work_calendar()
    t0 = time.perf_counter()
    first = cards_scan(today=TODAY, cal=cal)
    scan_s = time.perf_counter() - t0
    _say(
        f"scan (first of the day): {scan_s:.2f} s, raised {first.raised}, notified {first.notified}"
    )
    _say_steps(first.timings)
    t0 = time.perf_counter()
    again = cards_scan(today=TODAY, cal=cal)
    rescan_s = time.perf_counter() - t0
    _say(f"rescan (same day, idempotent): {rescan_s:.2f} s, raised {again.total_raised}")
    _say_steps(again.timings)
    assert again.total_raised == 0
    nxt = TODAY + timedelta(days=1)
    t0 = time.perf_counter()
    tomorrow = cards_scan(today=nxt, cal=cal)
    next_s = time.perf_counter() - t0
    _say(f"scan next day: {next_s:.2f} s, raised {tomorrow.raised}, resolved {tomorrow.resolved}")
    _say_steps(tomorrow.timings)
    t0 = time.perf_counter()
    stats_refresh(today=TODAY, cal=cal)
    stats_s = time.perf_counter() - t0
    _say(f"dashboard rollups refreshed in {stats_s:.2f} s")
    _say(f"cards in the table: {Card.objects.count():,}")

    dept = Department.objects.filter(region_id="140400").first()
    assert dept is not None
    views = [
        (national, {}),
        (national, {"period": "last_month"}),
        (national, {"period": "year"}),
        (national, {"region": "210100"}),
        (city, {}),
        (city, {"department": str(dept.pk)}),
    ]
    samples: list[float] = []
    worst: dict[str, float] = {}
    for _ in range(args.rounds):
        for actor, raw in views:
            t = time.perf_counter()
            f = selectors.filters_parse(actor, raw, today=TODAY)
            d = selectors.dashboard(actor, f)
            ms = (time.perf_counter() - t) * 1000
            samples.append(ms)
            key = f"{actor.username} {raw}"
            worst[key] = max(worst.get(key, 0.0), ms)
    assert d.total >= 0
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    _say(f"dashboard: {len(samples)} samples, p50 {p50:.1f} ms, p95 {p95:.1f} ms")
    for k, v in sorted(worst.items(), key=lambda kv: -kv[1]):
        _say(f"  worst {v:7.1f} ms  {k}")
    return {
        "scan_s": round(scan_s, 2),
        "rescan_s": round(rescan_s, 2),
        "next_day_scan_s": round(next_s, 2),
        "scan_steps_s": _rounded(first.timings),
        "next_day_steps_s": _rounded(tomorrow.timings),
        "next_day_raised": tomorrow.raised,
        "stats_refresh_s": round(stats_s, 2),
        "cards_raised": first.raised,
        "dashboard_p50_ms": round(p50, 1),
        "dashboard_p95_ms": round(p95, 1),
    }


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="tongban bench supervision")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--phase", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        return _phase(args)
    load_start = os.getloadavg()[0]
    _say(f"load average at start: {load_start:.2f} ({os.cpu_count()} CPUs)")
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    base.update(TONGBAN_DEBUG="0", TONGBAN_ENV="test", PYTHONUNBUFFERED="1")
    with (
        tempfile.TemporaryDirectory(prefix="tongban-bench-sup-") as tmp,
        pg_bench_database("sup") as url,
    ):
        env = {**base, "TONGBAN_DATA_DIR": tmp, "DATABASE_URL": url}
        cmd = [sys.executable, "-m", "tongban.cli", "bench", "supervision", "--phase"]
        cmd += ["--cases", str(args.cases), "--rounds", str(args.rounds)]
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=False)
        lines = proc.stdout.strip().splitlines()
        for line in lines[:-1]:
            _say(line)
        if proc.returncode != 0 or not lines:
            raise RuntimeError(f"supervision benchmark failed (exit {proc.returncode})")
        result: dict[str, Any] = json.loads(lines[-1])
    scan_met = max(result["scan_s"], result["next_day_scan_s"]) <= GOAL_SCAN_S
    dash_met = result["dashboard_p95_ms"] <= GOAL_DASHBOARD_P95_MS
    _say(
        f"goals: scan (first and next day) ≤ {GOAL_SCAN_S:g} s: "
        f"{'met' if scan_met else 'MISSED'}; dashboard p95 ≤ "
        f"{GOAL_DASHBOARD_P95_MS:g} ms: {'met' if dash_met else 'MISSED'} "
        f"(load average now {os.getloadavg()[0]:.2f})"
    )
    return {
        "bench": "supervision",
        "open_cases": args.cases,
        **result,
        "postgres": True,
        "load_avg_start": round(load_start, 2),
        "load_avg_end": round(os.getloadavg()[0], 2),
    }
