"""The read side of ``tongban bench cases``: case lists, the department inbox, the clerk's
queues and applicants' lists with typed filters, for every kind of actor, timed and
EXPLAINed. Parameters change from round to round (department, window, month, applicant)
so that one cached page does not stand for all of them."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

from django.db import connection

from tongban.bench import percentile
from tongban.bench.cases_data import Catalogue

# A list query, given the round number; returns what a page shows.
Query = Callable[[int], object]


def _fresh(actor: Any) -> Any:
    """Drop the role grants cached on the actor: a web request loads them again."""
    if hasattr(actor, "_tongban_grants"):
        del actor._tongban_grants
    return actor


def _sample_codes(k: int, seed: int) -> list[str]:
    from tongban.cases.models import Case

    top = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    rng = random.Random(seed)
    ids = [rng.randint(1, top) for _ in range(k * 3)]
    codes = list(Case.objects.filter(pk__in=ids).values_list("applicant_code", flat=True))
    return (codes or ["000000000000000000"])[:k]


def queries(cat: Catalogue, seed: int = 7) -> dict[str, Query]:
    from tongban.cases.selectors import (
        CaseFilters,
        applicant_cases,
        case_list,
        clerk_queues,
        department_inbox,
    )
    from tongban.core.actors import SYSTEM

    staff = list(cat.staff.values())
    codes = _sample_codes(50, seed)

    def st(r: int) -> Any:
        return staff[r % len(staff)]

    def month(r: int) -> tuple[date, date]:
        start = date(2026, 1 + r % 11, 1)
        return start, start + timedelta(days=30)

    def window(r: int) -> tuple[Any, Any]:
        w, clerk = cat.proxy_windows[r % len(cat.proxy_windows)]
        return w, _fresh(clerk)

    def deadline_pages(r: int) -> object:
        # Four pages of an approver's work ordered by deadline, following the cursor.
        actor = _fresh(st(r).approver)
        f = CaseFilters(status=["accepted", "under_review"], department_id=st(r).department.pk)
        page = case_list(actor, f, order="deadline")
        for _ in range(3):
            if page.next_cursor is None:
                break
            page = case_list(actor, f, order="deadline", cursor=page.next_cursor)
        return page

    sup = cat.supervisor
    handling = sorted({i.region_id for i in cat.impls})
    return {
        "reviewer: department inbox": lambda r: list(department_inbox(_fresh(st(r).reviewer))[:20]),
        "reviewer: status + department": lambda r: case_list(
            _fresh(st(r).reviewer),
            CaseFilters(status=["under_review"], department_id=st(r).department.pk),
        ),
        "approver: order=deadline, 4 pages": deadline_pages,
        "dept clerk: submitted/pre-review": lambda r: case_list(
            _fresh(st(r).clerk), CaseFilters(status=["submitted", "pre_review"])
        ),
        "supervisor: region + deadline range": lambda r: case_list(
            _fresh(sup),
            CaseFilters(region_code="140400", deadline_from=month(r)[0], deadline_to=month(r)[1]),
            order="deadline",
        ),
        "supervisor: open cases, newest": lambda r: case_list(
            _fresh(sup), CaseFilters(open_only=True)
        ),
        "supervisor: applicant_code": lambda r: case_list(
            _fresh(sup), CaseFilters(applicant_code=codes[r % len(codes)])
        ),
        "system: applicant_code": lambda r: case_list(
            SYSTEM, CaseFilters(applicant_code=codes[(r + 7) % len(codes)])
        ),
        "system: channel=kiosk, open": lambda r: case_list(
            SYSTEM, CaseFilters(channel="kiosk", open_only=True)
        ),
        "system: region + status + deadline": lambda r: case_list(
            SYSTEM,
            CaseFilters(
                region_code=handling[r % len(handling)],
                status=["under_review"],
                deadline_from=month(r)[0],
                deadline_to=month(r)[1],
            ),
            order="deadline",
        ),
        "window clerk: window cases": lambda r: case_list(
            window(r)[1], CaseFilters(window_id=window(r)[0].pk)
        ),
        "window clerk: day queues": lambda r: clerk_queues(
            window(r)[1], window_id=window(r)[0].pk, today=month(r)[0]
        ),
        "applicant: my cases": lambda r: list(
            applicant_cases(_fresh(cat.applicants[r * 7 % len(cat.applicants)]))[:20]
        ),
        "applicant: case_list": lambda r: case_list(
            _fresh(cat.applicants[r * 11 % len(cat.applicants)]), CaseFilters()
        ),
    }


def measure(
    cat: Catalogue, *, rounds: int, log: Callable[[str], None] = print
) -> dict[str, list[float]]:
    qs = queries(cat)
    for q in qs.values():  # warm-up: plans, imports, caches
        q(0)
    samples: dict[str, list[float]] = {name: [] for name in qs}
    for r in range(1, rounds + 1):
        for name, q in qs.items():
            t = time.perf_counter()
            q(r)
            samples[name].append((time.perf_counter() - t) * 1000)
    for name, v in samples.items():
        log(
            f"  {name:<38} p50 {percentile(v, 50):6.2f}  p95 {percentile(v, 95):6.2f}  "
            f"p99 {percentile(v, 99):6.2f}  max {max(v):6.2f} ms"
        )
    return samples


@contextmanager
def _captured() -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield statements


_NODE = re.compile(
    r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan|Bitmap Index Scan)"
    r"(?: Backward)?(?: using \S+)? on \S+)"
)


def explain_all(cat: Catalogue, *, log: Callable[[str], None] = print) -> list[str]:
    """EXPLAIN ANALYZE every statement on cases_case the queries run (PostgreSQL);
    return the queries whose plan reads the whole case table."""
    if connection.vendor != "postgresql":
        return []
    seq_scans = []
    log("plans (scans of case rows; ms = execution time):")
    for name, q in queries(cat).items():
        with _captured() as statements:
            q(3)
        parts = []
        for sql, params in statements:
            if "cases_case" not in sql:
                continue
            with connection.cursor() as cur:
                cur.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
                plan = "\n".join(row[0] for row in cur.fetchall())
            nodes = [n for n in _NODE.findall(plan) if "cases_case" in n or "Index" in n]
            ms = re.search(r"Execution Time: ([\d.]+) ms", plan)
            parts.append(f"{'; '.join(dict.fromkeys(nodes))} [{ms.group(1) if ms else '?'} ms]")
            if re.search(r"Seq Scan on cases_case\b", plan):
                seq_scans.append(name)
        log(f"  {name}:")
        for p in parts:
            log(f"      {p}")
    if seq_scans:
        log(f"sequential scans of cases_case in: {', '.join(sorted(set(seq_scans)))}")
    return sorted(set(seq_scans))
