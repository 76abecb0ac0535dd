"""SQL building blocks of the scanner (``scanner.py``): table names, the card columns,
the parties that answer for each phase, small SQL helpers, and ``_Raiser``, which writes
a scan's new cards and counts them. Kept apart so the scanner reads as its rules."""

from __future__ import annotations

import time as _time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count

from tongban.cases.models import Case, Shipment
from tongban.catalog.models import ProcessStep
from tongban.core.calendar import CalendarExhausted, WorkCalendar
from tongban.supervision import rules
from tongban.supervision.models import (
    Card,
    CardEvent,
    Escalation,
    ScanRun,
    Segment,
    WarningRule,
)

CARD = Card._meta.db_table
EVENT = CardEvent._meta.db_table
RULE = WarningRule._meta.db_table
CASE = Case._meta.db_table
STEP = ProcessStep._meta.db_table
SHIPMENT = Shipment._meta.db_table
ESCALATION = Escalation._meta.db_table

_COLUMNS = (
    "case_id, kind, rule, ref_date, segment, region_id, department_id, window_id, "
    "status, raised_at, raised_on, scan_id, detail, intake_region_id, handling_region_id, "
    "handling_department_id"
)
# work_mem for the scan's transaction only (PostgreSQL); see ADR 0014.
SCAN_WORK_MEM = "64MB"
_CASE_SCOPE = "c.intake_region_id, c.handling_region_id, c.handling_department_id"


def _in(values: tuple[str, ...] | list[str]) -> str:
    """An SQL IN list of fixed identifiers (our own constants, never user input)."""
    return "(" + ", ".join(f"'{v}'" for v in sorted(values)) + ")"


def _d(value: date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def _ts(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _local_date(col: str) -> str:
    """SQL for the local (settings.TIME_ZONE) date of a timestamp column."""
    tz = settings.TIME_ZONE
    if connection.vendor == "postgresql":
        return f"CAST(({col} AT TIME ZONE '{tz}') AS date)"
    # SQLite stores UTC text; the zone's offset (China has no summer time).
    offset = datetime.now(ZoneInfo(tz)).utcoffset() or timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    return f"date({col}, '{hours:+d} hours')"


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    t0 = _time.perf_counter()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0.0) + _time.perf_counter() - t0


def _values_cte(name: str, cols: str, rows: list[tuple[Any, ...]]) -> tuple[str, list[Any]]:
    marks = ", ".join("(" + ", ".join(["%s"] * len(r)) + ")" for r in rows)
    params = [v for r in rows for v in r]
    return f"{name}({cols}) AS (VALUES {marks})", params


def _execute(sql: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(sql, params)


def _threshold_sql(total: str) -> str:
    a = f"COALESCE(r.yellow_days, {rules.DEFAULT_YELLOW_DAYS})"
    b = f"(COALESCE(r.yellow_percent, {rules.DEFAULT_YELLOW_PERCENT}) * {total} / 100)"
    return f"CASE WHEN {a} >= {b} THEN {a} ELSE {b} END"


# Who answers for each phase: (segment, region, department, window) as SQL.
_INTAKE_PARTY = (
    f"'{Segment.INTAKE}'",
    "CASE WHEN c.intake_window_id IS NULL THEN c.handling_region_id ELSE c.intake_region_id END",
    "CASE WHEN c.intake_window_id IS NULL THEN c.handling_department_id END",
    "c.intake_window_id",
)
_RUNNING_PARTY = (
    f"CASE WHEN t.case_id IS NULL THEN '{Segment.DECISION}' ELSE '{Segment.TRANSIT}' END",
    "CASE WHEN t.case_id IS NULL THEN c.handling_region_id ELSE c.intake_region_id END",
    "CASE WHEN t.case_id IS NULL THEN c.handling_department_id END",
    "CASE WHEN t.case_id IS NULL THEN NULL ELSE c.intake_window_id END",
)
_IN_TRANSIT = (
    f"LEFT JOIN (SELECT DISTINCT case_id FROM {SHIPMENT} WHERE kind = 'originals' "
    "AND sent_at IS NOT NULL AND received_at IS NULL) t ON t.case_id = c.id"
)


class _Raiser:
    """Writes a scan's new cards and counts them per (kind, unit).

    A card row is its own "raised" record (raised_at, raised_on, scan): no history row is
    written for it; ``selectors.card_history`` shows it as the first entry. History rows
    record what happens to a card afterwards (resolve, 督办, reply, close).

    On PostgreSQL each ``INSERT … ON CONFLICT DO NOTHING`` is wrapped in a data-modifying
    CTE: the rows it actually inserted (``RETURNING``) are counted per kind and
    responsible unit in the same statement, so nothing reads the new cards back. SQLite
    has no data-modifying CTEs: ``finish`` reads the counts from ``Card.scan``.
    """

    def __init__(self, scan: ScanRun, today: date, now: datetime) -> None:
        self.scan, self.today, self.now = scan, today, now
        self.pg = connection.vendor == "postgresql"
        self.tally: Counter[tuple[str, int | None, int | None]] = Counter()

    def insert(self, ctes: str, insert: str, params: list[Any]) -> None:
        """Run ``[WITH ctes] insert``: an ``INSERT INTO`` the card table ``… ON CONFLICT
        DO NOTHING`` (its raised_at, raised_on and scan from ``stamp``), with ``params``
        in placeholder order."""
        if not self.pg:
            _execute((f"WITH {ctes} " if ctes else "") + insert, params)
            return
        sql = (
            f"WITH {ctes + ', ' if ctes else ''}"
            f"ins AS ({insert} RETURNING id, kind, department_id, window_id) "
            "SELECT kind, department_id, window_id, COUNT(*) FROM ins "
            "GROUP BY kind, department_id, window_id"
        )
        with connection.cursor() as cur:
            cur.execute(sql, params)
            for kind, dept, window, n in cur.fetchall():
                self.tally[(kind, dept, window)] += n

    @property
    def stamp(self) -> list[Any]:
        """Parameters for the ``raised_at, raised_on, scan_id`` columns."""
        return [_ts(self.now), _d(self.today), self.scan.pk]

    def finish(self) -> Counter[tuple[str, int | None, int | None]]:
        if not self.pg:
            rows = (
                Card.objects.filter(scan=self.scan)
                .values_list("kind", "department_id", "window_id")
                .annotate(n=Count("id"))
            )
            for kind, dept, window, n in rows:
                self.tally[(kind, dept, window)] += n
        return self.tally


def _step_boundaries(
    today: date, cal: WorkCalendar, tz: ZoneInfo
) -> tuple[list[tuple[int, Any]], datetime | None]:
    """The first step of each (version, role), when it has a counted timer, with the time
    before which a case in that step is overdue, and the latest such time: worked out
    here (the step table is small) and joined in as VALUES, so the planner knows its
    size — a derived table (MIN(position) per group) was estimated at one row and probed
    by nested loop."""
    first: dict[tuple[int, str], tuple[int, int, int, bool]] = {}
    for pk, vid, role, pos, days, counted in ProcessStep.objects.values_list(
        "pk", "version_id", "role", "position", "days", "counted_in_limit"
    ):
        if (vid, role) not in first or pos < first[(vid, role)][1]:
            first[(vid, role)] = (pk, pos, days, counted)
    boundary_of: dict[int, datetime | None] = {}
    rows = []
    for pk, _pos, days, counted in first.values():
        if days <= 0 or not counted:
            continue
        if days not in boundary_of:
            try:
                since = rules.step_overdue_since(cal, today, days)
                boundary_of[days] = datetime.combine(since + timedelta(days=1), time.min, tz)
            except CalendarExhausted:
                boundary_of[days] = None
        boundary = boundary_of[days]
        if boundary is not None:
            rows.append((pk, _ts(boundary)))
    if not rows:
        return [], None
    return sorted(rows), max(b for b in boundary_of.values() if b is not None)
