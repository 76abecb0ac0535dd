"""Working-day arithmetic for legal time limits. Pure: no database, no "now".

A :class:`WorkCalendar` is an immutable value (built from the calendar table by
``tongban.core.calendar_store``) that knows which years it covers and which days deviate
from the Monday–Friday rule: weekdays off (法定节假日) and weekend days worked (调休上班).

Counting rules (the usual rule for 法定时限/承诺时限, 《行政许可法》 第42条, 第82条):

* Counting starts on the first working day **after** the start date (the acceptance day
  itself is not counted, whatever time of day the case was accepted).
* ``n`` working days after ``start`` is the n-th working day strictly after ``start``.
  The deadline is the **end** of that day (still on time during the whole day).
* ``n == 0`` (即办件) is due on ``start`` itself when that is a working day, otherwise on
  the next working day: a deadline never falls on a day off.
* A pause ``(first, last)`` (补正, 特别程序) is inclusive at both ends: no working day from
  ``first`` through ``last`` is counted, so each paused working day pushes the deadline
  one working day later.
* Every day a computation touches must lie in a year the calendar knows; otherwise
  :class:`CalendarExhausted` (code ``calendar_beyond_known``) is raised rather than
  guessing: holidays and make-up days are published a year at a time.

Speed: the calendar precomputes the sorted ordinals of all working days of the covered
span, so a deadline is a couple of ``bisect`` calls (measured by ``tongban bench calendar``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from datetime import date

from tongban.core.errors import TongbanError

Pause = tuple[date, date]


class CalendarExhausted(TongbanError):
    """The computation needs a year the working-day calendar does not (fully) know."""

    status = 422

    def __init__(self, day: date, known: tuple[int, int] | None) -> None:
        details: dict[str, object] = {"date": day.isoformat()}
        if known is not None:
            details["first_known_year"], details["last_known_year"] = known
        super().__init__("calendar_beyond_known", details=details)
        self.day = day


class WorkCalendar:
    """Known years plus the days that break the Monday–Friday rule. Immutable."""

    __slots__ = (
        "_ordinals",
        "_span_first",
        "_span_last",
        "_years_contiguous",
        "days_off",
        "extra_workdays",
        "known_years",
    )

    def __init__(
        self,
        known_years: Iterable[int],
        days_off: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
    ) -> None:
        years = frozenset(known_years)
        off = frozenset(d for d in days_off if d.year in years)
        extra = frozenset(d for d in extra_workdays if d.year in years)
        if off & extra:
            raise ValueError(f"days both off and worked: {sorted(off & extra)}")
        self.known_years: frozenset[int] = years
        self.days_off: frozenset[date] = off
        self.extra_workdays: frozenset[date] = extra
        self._years_contiguous = not years or len(years) == max(years) - min(years) + 1
        if years:
            self._span_first = date(min(years), 1, 1).toordinal()
            self._span_last = date(max(years), 12, 31).toordinal()
        else:
            self._span_first, self._span_last = 1, 0
        ordinals: list[int] = []
        for ordinal in range(self._span_first, self._span_last + 1):
            d = date.fromordinal(ordinal)
            if d.year in years and _working(d, off, extra):
                ordinals.append(ordinal)
        self._ordinals: Sequence[int] = tuple(ordinals)

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, name):
            raise AttributeError("WorkCalendar is immutable")
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        return (
            f"WorkCalendar(years={self.first_year}..{self.last_year}, "
            f"off={len(self.days_off)}, extra={len(self.extra_workdays)})"
        )

    @property
    def first_year(self) -> int | None:
        return min(self.known_years) if self.known_years else None

    @property
    def last_year(self) -> int | None:
        return max(self.known_years) if self.known_years else None

    def covers(self, d: date) -> bool:
        return d.year in self.known_years

    def _range(self) -> tuple[int, int] | None:
        return (min(self.known_years), max(self.known_years)) if self.known_years else None

    def _require(self, d: date) -> None:
        if d.year not in self.known_years:
            raise CalendarExhausted(d, self._range())

    def _require_span(self, first: date, last: date) -> None:
        """Every year from ``first`` to ``last`` must be known."""
        self._require(first)
        self._require(last)
        if not self._years_contiguous:
            for year in range(first.year + 1, last.year):
                if year not in self.known_years:
                    raise CalendarExhausted(date(year, 1, 1), self._range())


def _working(d: date, off: frozenset[date], extra: frozenset[date]) -> bool:
    if d.weekday() < 5:
        return d not in off
    return d in extra


def is_working_day(cal: WorkCalendar, d: date) -> bool:
    cal._require(d)
    return _working(d, cal.days_off, cal.extra_workdays)


def add_working_days(cal: WorkCalendar, start: date, n: int) -> date:
    """The deadline ``n`` working days after ``start`` (see the module's counting rules)."""
    return deadline_with_pauses(cal, start, n, ())


def _merge(pauses: Iterable[Pause]) -> list[tuple[int, int]]:
    spans = []
    for first, last in pauses:
        if last < first:
            raise ValueError(f"pause ends before it starts: {first} > {last}")
        spans.append((first.toordinal(), last.toordinal()))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1] + 1:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def deadline_with_pauses(
    cal: WorkCalendar, start: date, n: int, pauses: Iterable[Pause] = ()
) -> date:
    """The deadline ``n`` working days after ``start``, not counting paused working days.

    ``pauses`` are inclusive ``(first, last)`` date ranges; they may overlap, be unsorted,
    start before ``start`` or reach past the unpaused deadline (then they push it further).
    """
    if n < 0:
        raise ValueError("a time limit cannot be negative")
    cal._require(start)
    w = cal._ordinals
    s = start.toordinal()
    # pos: index in w of the first working day that may count; need: how many must count.
    if n == 0:
        pos, need = bisect_left(w, s), 1
    else:
        pos, need = bisect_right(w, s), n
    for a, b in _merge(pauses) if pauses else ():
        if b < s:
            continue
        before = bisect_left(w, a) - pos  # countable working days before this pause
        if before >= need:
            break
        if before > 0:
            need -= before
        pos = max(pos, bisect_right(w, b))
    i = pos + need - 1
    if i >= len(w):
        raise CalendarExhausted(date.fromordinal(cal._span_last + 1), cal._range())
    result = date.fromordinal(w[i])
    cal._require_span(start, result)
    return result


def working_days_between(cal: WorkCalendar, a: date, b: date) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` < ``a``.

    Consistent with :func:`add_working_days`: ``working_days_between(c, s,
    add_working_days(c, s, n)) == n`` for every ``n`` ≥ 1.
    """
    lo, hi = (a, b) if a <= b else (b, a)
    cal._require_span(lo, hi)
    w = cal._ordinals
    count = bisect_right(w, hi.toordinal()) - bisect_right(w, lo.toordinal())
    return count if a <= b else -count


def remaining_working_days(cal: WorkCalendar, today: date, deadline: date) -> int:
    """Working days left after ``today`` until ``deadline``.

    0 means due today (still on time until the day ends); a negative number is how many
    working days the deadline has been passed by (counting ``today``).
    """
    return working_days_between(cal, today, deadline)
