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


def case_numbers_issue(*, task_code: str, day: date, count: int) -> list[str]:
    """``count`` consecutive new case numbers of one implementation and day."""
    if count < 1:
        raise ValueError("count must be at least 1")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case numbers are issued inside the intake transaction")
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


def case_number_issue(*, task_code: str, day: date) -> str:
    return case_numbers_issue(task_code=task_code, day=day, count=1)[0]
