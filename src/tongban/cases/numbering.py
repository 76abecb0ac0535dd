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
from django.db.models import F

from tongban.cases.models import CaseNumberSequence
from tongban.core.errors import Conflict

MAX_SERIAL = 9999


def format_case_number(task_code: str, day: date, serial: int) -> str:
    return f"{task_code}{day:%Y%m%d}{serial:04d}"


def case_number_issue(*, task_code: str, day: date) -> str:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("case numbers are issued inside the intake transaction")
    CaseNumberSequence.objects.bulk_create(
        [CaseNumberSequence(task_code=task_code, day=day, last_serial=0)],
        ignore_conflicts=True,
    )
    seq = CaseNumberSequence.objects.select_for_update().get(task_code=task_code, day=day)
    if seq.last_serial >= MAX_SERIAL:
        raise Conflict("case_number_exhausted")
    CaseNumberSequence.objects.filter(pk=seq.pk).update(last_serial=F("last_serial") + 1)
    return format_case_number(task_code, day, seq.last_serial + 1)
