"""The working-day calendar table: seeding from ``chinese_calendar``, administrator edits,
and the cached :class:`~tongban.core.calendar.WorkCalendar` built from it.

Cache: every process (web workers, ``tongban worker``) keeps one WorkCalendar together
with the version stamp it was built from — the number of CalendarYear rows and their
latest ``updated_at``. Every write here touches the year row in the same transaction,
so :func:`work_calendar` sees an edit made by any process on its next call (one tiny
query). Code that computes many deadlines takes the value once and passes it around.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from tongban.accounts.models import Role
from tongban.accounts.services import require_role
from tongban.core.actors import SYSTEM, Actor
from tongban.core.calendar import WorkCalendar
from tongban.core.errors import ValidationFailed
from tongban.core.models import CalendarDay, CalendarSource, CalendarYear, DayKind


@dataclass
class LoadResult:
    loaded_years: list[int] = field(default_factory=list)
    # Requested years the package has no data for (it raises; we never guess).
    unknown_years: list[int] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    kept_admin: int = 0


def package_year_range() -> tuple[int, int]:
    """The first and last year the installed chinese_calendar package has data for."""
    import chinese_calendar

    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


def day_kind(d: date, is_working_day: bool, named: bool) -> str:
    """Classify a day from whether it is worked, its weekday and whether it has a holiday name."""
    weekend = d.weekday() >= 5
    if is_working_day:
        return DayKind.WORKDAY_ADJUSTED if weekend else DayKind.WEEKDAY
    if weekend and not named:
        return DayKind.WEEKEND
    return DayKind.HOLIDAY


def _package_year(year: int) -> list[tuple[date, bool, str]] | None:
    """Every day of ``year`` as (date, is_working_day, Chinese holiday name), or None
    when the package does not know the year."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday

    chinese = {h.value: h.chinese for h in Holiday}
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return None
    days = []
    d = date(year, 1, 1)
    while d.year == year:
        working = chinese_calendar.is_workday(d)
        # Days off inside a holiday and its make-up working days both carry its name.
        _, english = chinese_calendar.get_holiday_detail(d)
        days.append((d, working, chinese.get(english, english or "") if english else ""))
        d += timedelta(days=1)
    return days


def calendar_load_from_package(years: Iterable[int] | None = None) -> LoadResult:
    """Load ``years`` (default: every year the package knows) into the calendar table.

    Idempotent. Days an administrator edited (source=admin) are kept as they are; a
    year the package does not know is reported in ``unknown_years`` and left unknown.
    """
    if years is None:
        first, last = package_year_range()
        years = range(first, last + 1)
    result = LoadResult()
    now = timezone.now()
    with transaction.atomic():
        for year in sorted(set(years)):
            days = _package_year(year)
            if days is None:
                result.unknown_years.append(year)
                continue
            _store_year(year, days, now, result)
            result.loaded_years.append(year)
    calendar_cache_clear()
    return result


def _store_year(
    year: int, days: list[tuple[date, bool, str]], now: datetime, result: LoadResult
) -> None:
    existing = {
        row.date: row
        for row in CalendarDay.objects.filter(date__year=year)  # one year: ~365 rows
    }
    new, changed = [], []
    for d, working, name in days:
        kind = day_kind(d, working, bool(name))
        row = existing.get(d)
        if row is None:
            new.append(CalendarDay(date=d, is_working_day=working, kind=kind, name=name))
        elif row.source == CalendarSource.ADMIN:
            result.kept_admin += 1
        elif (row.is_working_day, row.kind, row.name) != (working, kind, name):
            row.is_working_day, row.kind, row.name = working, kind, name
            row.updated_at = now
            changed.append(row)
    CalendarDay.objects.bulk_create(new, batch_size=500)
    CalendarDay.objects.bulk_update(changed, ["is_working_day", "kind", "name", "updated_at"], 500)
    result.created += len(new)
    result.updated += len(changed)
    year_row = CalendarYear.objects.filter(year=year).first()
    if year_row is None:
        CalendarYear.objects.create(
            year=year, complete=True, source=CalendarSource.PACKAGE, loaded_at=now
        )
    elif year_row.source == CalendarSource.PACKAGE:
        year_row.complete, year_row.loaded_at = True, now
        year_row.save(update_fields=["complete", "loaded_at", "updated_at"])
    else:
        # An administrator maintains this year; their completeness decision stands.
        _touch_year(year)


def _touch_year(year: int) -> None:
    """Bump the year's version stamp (creating an incomplete year row if needed)."""
    row, _ = CalendarYear.objects.get_or_create(
        year=year, defaults={"complete": False, "source": CalendarSource.ADMIN}
    )
    row.save(update_fields=["updated_at"])


def calendar_day_set(
    *, actor: Actor, day: date, is_working_day: bool, name: str = ""
) -> CalendarDay:
    """An administrator sets whether ``day`` is worked. The row becomes source=admin and
    no later reload from the package changes it."""
    require_role(actor, Role.NODE_ADMIN)
    name = name.strip()
    if len(name) > 64:
        raise ValidationFailed("invalid_input", "节日名称过长", field="name")
    with transaction.atomic():
        row, _ = CalendarDay.objects.select_for_update().get_or_create(
            date=day,
            defaults={"is_working_day": is_working_day, "kind": DayKind.WEEKDAY},
        )
        row.is_working_day = is_working_day
        row.name = name
        row.kind = day_kind(day, is_working_day, bool(name))
        row.source = CalendarSource.ADMIN
        row.save()
        _touch_year(day.year)
    calendar_cache_clear()
    return row


def calendar_year_set(*, actor: Actor, year: int, complete: bool) -> CalendarYear:
    """An administrator declares a year complete (every holiday and make-up day entered)
    or withdraws it. Deadlines are computed only inside complete years."""
    require_role(actor, Role.NODE_ADMIN)
    if not 1949 <= year <= 2200:
        raise ValidationFailed("invalid_input", "年份超出范围", field="year")
    with transaction.atomic():
        row, _ = CalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"complete": complete, "source": CalendarSource.ADMIN}
        )
        row.complete = complete
        row.source = CalendarSource.ADMIN
        row.save()
    calendar_cache_clear()
    return row


def calendar_assume_weekdays(*, through: date) -> list[int]:
    """Demo and test nodes only: declare every year after the last complete one, up to
    ``through``'s year, complete on the Monday–Friday rule (no holidays, no make-up days).

    From about November, deadlines of cases opened today reach into a year the package
    does not know yet; a production node refuses them until an administrator enters the
    State Council notice (ADR 0004). A demo or test node has no administrator to do that,
    so it states the assumption instead: the years are stored as administrator-kept
    (a later package load never overwrites them) and the caller prints which years were
    assumed. Refused in production. Returns the years declared.
    """
    from tongban.config import CONFIG

    if CONFIG.env == "production":
        raise ValidationFailed("calendar_assumption_refused", field="year")
    known = set(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    if not known:
        return []
    declared = [y for y in range(max(known) + 1, through.year + 1) if y not in known]
    for year in declared:
        calendar_year_set(actor=SYSTEM, year=year, complete=True)
    return declared


# --- reads: the cached WorkCalendar -------------------------------------------------


@dataclass(frozen=True)
class CalendarCoverage:
    first_year: int | None
    last_year: int | None
    # Complete years that are not contiguous with the rest (a gap means refusals).
    missing_between: tuple[int, ...]


_lock = threading.Lock()
_cached: tuple[Any, WorkCalendar] | None = None


def _version() -> Any:
    agg = CalendarYear.objects.aggregate(n=Count("year"), last=Max("updated_at"))
    return (agg["n"], agg["last"])


def calendar_cache_clear() -> None:
    global _cached
    with _lock:
        _cached = None


def _build() -> WorkCalendar:
    years = set(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    off: list[date] = []
    extra: list[date] = []
    rows = CalendarDay.objects.filter(date__year__in=years).values_list("date", "is_working_day")
    for d, working in rows.iterator(chunk_size=2000):
        if d.weekday() < 5 and not working:
            off.append(d)
        elif d.weekday() >= 5 and working:
            extra.append(d)
    return WorkCalendar(years, off, extra)


def work_calendar() -> WorkCalendar:
    """The current WorkCalendar (rebuilt when the table changed, in any process)."""
    global _cached
    version = _version()
    cached = _cached
    if cached is not None and cached[0] == version:
        return cached[1]
    cal = _build()
    with _lock:
        _cached = (version, cal)
    return cal


def calendar_coverage() -> CalendarCoverage:
    """Which years deadlines can be computed for; for banners and the admin."""
    years = sorted(CalendarYear.objects.filter(complete=True).values_list("year", flat=True))
    if not years:
        return CalendarCoverage(None, None, ())
    known = set(years)
    missing = tuple(y for y in range(years[0], years[-1] + 1) if y not in known)
    return CalendarCoverage(years[0], years[-1], missing)
