"""Dashboard rollups, rebuilt set-based by the scan (see models.CaseDayStat).

Why rollups: the dashboard must answer in well under 200 ms at a million open cases,
and any count over the case table for a month of submissions reads a large part of it.
The rollups are a few thousand rows per month. Figures are as of the last scan; the
dashboard says so.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate

from tongban.cases.models import Case
from tongban.core.calendar import CalendarExhausted, WorkCalendar, remaining_working_days
from tongban.supervision.models import CaseDayStat, FinishDayStat
from tongban.supervision.scanner import _d, _local_date

STATS_DAYS = 400  # days of submissions (and finishes) re-counted at each scan


def _refresh_case_days(since: date) -> None:
    table = CaseDayStat._meta.db_table
    day = _local_date("c.submitted_at")
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table} WHERE day >= %s", [_d(since)])
        cur.execute(
            f"INSERT INTO {table} (day, region_id, department_id, status, channel, mode, "
            "cross_region, n) "
            f"SELECT {day}, c.handling_region_id, c.handling_department_id, c.status, "
            "c.channel, c.mode, CASE WHEN c.intake_region_id = c.handling_region_id "
            "THEN FALSE ELSE TRUE END, COUNT(*) "
            f"FROM {Case._meta.db_table} c WHERE c.submitted_at >= %s "
            f"GROUP BY {day}, c.handling_region_id, c.handling_department_id, c.status, "
            "c.channel, c.mode, CASE WHEN c.intake_region_id = c.handling_region_id "
            "THEN FALSE ELSE TRUE END",
            [_d(since)],
        )


def _refresh_finish_days(since: date, cal: WorkCalendar) -> None:
    """Working days used need the calendar: grouped in SQL by the few distinct
    (accepted day, finish day, paused days) combinations, counted here per group."""
    groups = (
        Case.objects.filter(result_issued_at__date__gte=since, accepted_on__isnull=False)
        .exclude(promised_deadline__isnull=True)
        .annotate(done_on=TruncDate("result_issued_at"))
        .values(
            "done_on",
            "handling_region_id",
            "handling_department_id",
            "accepted_on",
            "paused_working_days",
            "promised_days",
        )
        .annotate(
            n=Count("id"),
            on_time=Count("id", filter=Q(promised_deadline__gte=F("done_on"))),
        )
        .order_by()
    )
    acc: dict[tuple[date, str, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    used_cache: dict[tuple[date, date], int | None] = {}
    for g in groups:
        key = (g["accepted_on"], g["done_on"])
        if key not in used_cache:
            try:
                used_cache[key] = max(0, remaining_working_days(cal, key[0], key[1]))
            except CalendarExhausted:
                used_cache[key] = None
        used = used_cache[key]
        row = acc[(g["done_on"], g["handling_region_id"], g["handling_department_id"])]
        row[0] += g["n"]
        row[1] += g["on_time"]
        if used is not None:
            row[2] += g["n"] * max(0, used - g["paused_working_days"])
        row[3] += g["n"] * g["promised_days"]
    FinishDayStat.objects.filter(day__gte=since).delete()
    FinishDayStat.objects.bulk_create(
        [
            FinishDayStat(
                day=day,
                region_id=region,
                department_id=dept,
                n=v[0],
                on_time=v[1],
                used_days=v[2],
                promised_days=v[3],
            )
            for (day, region, dept), v in acc.items()
        ],
        batch_size=2000,
    )


def stats_refresh(*, today: date, cal: WorkCalendar) -> None:
    since = today - timedelta(days=STATS_DAYS)
    with transaction.atomic():
        _refresh_case_days(since)
        _refresh_finish_days(since, cal)
