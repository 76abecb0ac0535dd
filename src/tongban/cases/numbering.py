"""办件编号: 实施编码 (31) + yyyyMMdd + 4-digit serial, per implementation per day.

Issued inside the caller's transaction: the sequence row is created if missing
(conflict-free insert), then locked and incremented, so concurrent intakes on
PostgreSQL queue on the row lock and SQLite's IMMEDIATE transactions serialise them.
A serial, once issued, is never issued again, even if the transaction that took it
later rolls back — the number simply stays unused.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

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


def case_number_issue(
    *,
    task_code: str,
    day: date,
    lo: int = 1,
    hi: int = MAX_SERIAL,
    skip: tuple[tuple[int, int], ...] = (),
) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case numbers are issued inside the intake transaction")
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(task_code=task_code, day=day, last_serial=0)],
        ignore_conflicts=True,
    )
    seq = CaseNumberSequence.objects.select_for_update().get(task_code=task_code, day=day)
    serial = next_serial(seq.last_serial, lo=lo, hi=min(hi, MAX_SERIAL), skip=skip)
    if serial is None:
        raise Conflict("case_number_exhausted")
    CaseNumberSequence.objects.filter(pk=seq.pk).update(last_serial=serial)
    return format_case_number(task_code, day, serial)
