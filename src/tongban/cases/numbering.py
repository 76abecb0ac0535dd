"""办件编号: 实施编码 (31) + yyyyMMdd + 4-digit serial, per implementation per day.

Issued inside the caller's transaction by one statement: an upsert of the sequence row
that adds the number of serials wanted and returns the new last serial
(``INSERT … ON CONFLICT DO UPDATE … RETURNING``, PostgreSQL and SQLite ≥ 3.35). The
upsert takes the row lock, so concurrent intakes on PostgreSQL queue on it until the
holder commits, and SQLite's IMMEDIATE transactions serialise them. A serial is used by
at most one committed case: a transaction that rolls back rolls its increment back too,
and no case carrying one of those serials was committed.
"""

from __future__ import annotations

from datetime import date

from django.db import connection, transaction

from tongban.cases.models import CaseNumberSequence
from tongban.core.errors import Conflict

MAX_SERIAL = 9999


def format_case_number(task_code: str, day: date, serial: int) -> str:
    return f"{task_code}{day:%Y%m%d}{serial:04d}"


def next_serial(
    last: int, *, lo: int = 1, hi: int = MAX_SERIAL, skip: tuple[tuple[int, int], ...] = ()
) -> int | None:
    """The serial after ``last`` within ``lo..hi`` outside every ``skip`` range (inclusive
    bounds); None when none is left. Federated nodes pass their share of the serials
    (``cases/numbering_nodes.py``); a single node uses 1..9999."""
    serial = max(last + 1, lo)
    moved = True
    while moved:
        moved = False
        for start, end in skip:
            if start <= serial <= end:
                serial, moved = end + 1, True
    return serial if serial <= hi else None


def case_numbers_issue(
    *,
    task_code: str,
    day: date,
    count: int,
    lo: int = 1,
    hi: int = MAX_SERIAL,
    skip: tuple[tuple[int, int], ...] = (),
) -> list[str]:
    """``count`` new case numbers of one implementation and day, from this node's share.

    The whole range (a single node, or a home node with no foreign blocks) takes one
    upsert; a federated share locks the day's row and walks around the other blocks.
    Either way the caller's rollback undoes the increment, so a number is never reused.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case numbers are issued inside the intake transaction")
    if lo == 1 and hi >= MAX_SERIAL and not skip:
        return _issue_whole_range(task_code, day, count)
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(task_code=task_code, day=day, last_serial=0)],
        ignore_conflicts=True,
    )
    seq = CaseNumberSequence.objects.select_for_update().get(task_code=task_code, day=day)
    serials: list[int] = []
    last = seq.last_serial
    for _ in range(count):
        serial = next_serial(last, lo=lo, hi=min(hi, MAX_SERIAL), skip=skip)
        if serial is None:
            raise Conflict("case_number_exhausted")
        serials.append(serial)
        last = serial
    CaseNumberSequence.objects.filter(pk=seq.pk).update(last_serial=last)
    return [format_case_number(task_code, day, s) for s in serials]


def _issue_whole_range(task_code: str, day: date, count: int) -> list[str]:
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    sql = (
        f"INSERT INTO {table} (task_code, day, last_serial) VALUES (%s, %s, %s) "
        f"ON CONFLICT (task_code, day) DO UPDATE "
        f"SET last_serial = {table}.last_serial + excluded.last_serial "
        f"RETURNING last_serial"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [task_code, connection.ops.adapt_datefield_value(day), count])
        row = cur.fetchone()
    last = int(row[0])
    if last > MAX_SERIAL:
        # Raised inside the caller's transaction: its rollback undoes the increment.
        raise Conflict("case_number_exhausted")
    return [format_case_number(task_code, day, s) for s in range(last - count + 1, last + 1)]


def case_number_issue(
    *,
    task_code: str,
    day: date,
    lo: int = 1,
    hi: int = MAX_SERIAL,
    skip: tuple[tuple[int, int], ...] = (),
) -> str:
    return case_numbers_issue(task_code=task_code, day=day, count=1, lo=lo, hi=hi, skip=skip)[0]
