"""tongban bench calendar [--n 200000] [--seed 7]: µs per legal-deadline computation.

Pure arithmetic on a WorkCalendar built from the installed chinese_calendar data (the
same construction the calendar table feeds), so no database is needed: random
acceptance dates in 2026, time limits of 1–30 working days, and a second run in which
every computation has one or two pauses (补正, 特别程序). Goal: ≤ 10 µs per deadline.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta
from typing import Any

from tongban.core.calendar import WorkCalendar, add_working_days, deadline_with_pauses

GOAL_US = 10.0


def package_calendar(years: range) -> WorkCalendar:
    import chinese_calendar

    off: list[date] = []
    extra: list[date] = []
    for year in years:
        d = date(year, 1, 1)
        while d.year == year:
            working = chinese_calendar.is_workday(d)
            if d.weekday() < 5 and not working:
                off.append(d)
            elif d.weekday() >= 5 and working:
                extra.append(d)
            d += timedelta(days=1)
    return WorkCalendar(years, off, extra)


def run(argv: list[str]) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="tongban bench calendar")
    parser.add_argument("--n", type=int, default=200_000, help="computations per run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    t = time.perf_counter()
    cal = package_calendar(range(2004, 2027))
    build_ms = (time.perf_counter() - t) * 1000
    print(f"calendar 2004–2026 built in {build_ms:.1f} ms")

    rng = random.Random(args.seed)
    jan1 = date(2026, 1, 1)
    # Starts up to late October so that 30 working days plus pauses stay inside 2026.
    starts = [jan1 + timedelta(days=rng.randrange(0, 300)) for _ in range(args.n)]
    limits = [rng.randint(1, 30) for _ in range(args.n)]
    pauses: list[list[tuple[date, date]]] = []
    for s in starts:
        first = s + timedelta(days=rng.randint(0, 10))
        spans = [(first, first + timedelta(days=rng.randint(0, 5)))]
        if rng.random() < 0.5:
            second = first + timedelta(days=rng.randint(6, 15))
            spans.append((second, second + timedelta(days=rng.randint(0, 3))))
        pauses.append(spans)

    t = time.perf_counter()
    for s, n in zip(starts, limits, strict=True):
        add_working_days(cal, s, n)
    plain_us = (time.perf_counter() - t) / args.n * 1e6
    print(f"add_working_days:      {plain_us:.2f} µs per deadline ({args.n} computations)")

    t = time.perf_counter()
    for s, n, p in zip(starts, limits, pauses, strict=True):
        deadline_with_pauses(cal, s, n, p)
    paused_us = (time.perf_counter() - t) / args.n * 1e6
    print(f"deadline_with_pauses:  {paused_us:.2f} µs per deadline (1–2 pauses each)")
    verdict = "met" if max(plain_us, paused_us) <= GOAL_US else "MISSED"
    print(f"goal ≤ {GOAL_US:g} µs: {verdict}")
    return {
        "us_per_deadline": round(plain_us, 3),
        "us_per_deadline_with_pauses": round(paused_us, 3),
        "computations": args.n,  # per run (plain, then with pauses)
        "calendar_build_ms": round(build_ms, 1),
        "goal_us": GOAL_US,
    }
