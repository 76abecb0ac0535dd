"""Pure working-day arithmetic: table-driven, no database.

Expectations for 2026 were checked against chinese_calendar 1.11 (the State Council's
2026 schedule): 春节 off Sun 15 – Mon 23 Feb, make-up working days Sat 14 and Sat 28 Feb;
中秋 off Fri 25 – Sun 27 Sep; 国庆 off Thu 1 – Wed 7 Oct, make-up Sun 20 Sep and Sat 10 Oct.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
import pytest

from tongban.core.calendar import (
    CalendarExhausted,
    WorkCalendar,
    add_working_days,
    deadline_with_pauses,
    is_working_day,
    remaining_working_days,
    working_days_between,
)
from tongban.core.errors import MESSAGES, TongbanError


def _from_package(years: set[int]) -> WorkCalendar:
    off, extra = [], []
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


CAL = _from_package({2025, 2026})
D = date


def test_package_facts_the_tables_rely_on() -> None:
    assert chinese_calendar.is_workday(D(2026, 2, 14)) and D(2026, 2, 14).weekday() == 5
    assert chinese_calendar.is_workday(D(2026, 2, 28)) and D(2026, 2, 28).weekday() == 5
    assert not any(chinese_calendar.is_workday(D(2026, 2, d)) for d in range(15, 24))
    assert chinese_calendar.is_workday(D(2026, 2, 24))
    assert chinese_calendar.is_workday(D(2026, 9, 20)) and chinese_calendar.is_workday(
        D(2026, 10, 10)
    )
    assert not any(chinese_calendar.is_workday(D(2026, 10, d)) for d in range(1, 8))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(D(2027, 1, 4))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 2, 13), True),  # Friday before the festival
        (D(2026, 2, 14), True),  # Saturday, make-up working day
        (D(2026, 2, 15), False),  # Sunday, first day off
        (D(2026, 2, 16), False),  # Monday, 春节
        (D(2026, 2, 23), False),  # Monday, last day off
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday, make-up
        (D(2026, 3, 1), False),  # ordinary Sunday
        (D(2026, 9, 20), True),  # Sunday, make-up for 国庆
        (D(2026, 10, 1), False),
        (D(2026, 10, 7), False),  # Wednesday, 国庆
        (D(2026, 10, 10), True),  # Saturday, make-up
        (D(2026, 10, 11), False),
        (D(2026, 3, 4), True),  # ordinary Wednesday
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert is_working_day(CAL, day) is working


@pytest.mark.parametrize(
    ("start", "n", "deadline"),
    [
        # Spring Festival 2026
        (D(2026, 2, 12), 0, D(2026, 2, 12)),  # 即办件: due the same (working) day
        (D(2026, 2, 12), 1, D(2026, 2, 13)),  # acceptance day itself does not count
        (D(2026, 2, 12), 2, D(2026, 2, 14)),  # make-up Saturday counts
        (D(2026, 2, 12), 3, D(2026, 2, 24)),  # jumps the whole holiday
        (D(2026, 2, 12), 5, D(2026, 2, 26)),
        (D(2026, 2, 12), 7, D(2026, 2, 28)),  # second make-up Saturday
        (D(2026, 2, 12), 8, D(2026, 3, 2)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),  # accepted on the make-up Saturday
        (D(2026, 2, 15), 0, D(2026, 2, 24)),  # due day never falls on a day off
        (D(2026, 2, 15), 1, D(2026, 2, 24)),  # accepted online during the holiday
        (D(2026, 2, 20), 20, D(2026, 3, 20)),
        (D(2026, 2, 1), 20, D(2026, 3, 5)),
        # National Day 2026 (and 中秋 just before)
        (D(2026, 9, 19), 1, D(2026, 9, 20)),  # Sunday make-up
        (D(2026, 9, 24), 1, D(2026, 9, 28)),  # 中秋 Fri–Sun
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),  # Saturday make-up
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        (D(2026, 10, 3), 0, D(2026, 10, 8)),
        (D(2026, 9, 18), 15, D(2026, 10, 15)),
        # ordinary weeks and the year boundary
        (D(2026, 3, 6), 1, D(2026, 3, 9)),  # Friday → Monday
        (D(2026, 3, 7), 0, D(2026, 3, 9)),  # Saturday, 即办 → Monday
        (D(2025, 12, 30), 2, D(2026, 1, 4)),  # 元旦 Jan 1–3 off, Sun Jan 4 make-up
        (D(2026, 12, 30), 1, D(2026, 12, 31)),
    ],
)
def test_add_working_days(start: date, n: int, deadline: date) -> None:
    assert add_working_days(CAL, start, n) == deadline


def _naive(start: date, n: int) -> date:
    """Day-by-day reference implementation straight on chinese_calendar."""
    d = start
    if n == 0:
        while not chinese_calendar.is_workday(d):
            d += timedelta(days=1)
        return d
    while n:
        d += timedelta(days=1)
        n -= chinese_calendar.is_workday(d)
    return d


def test_add_working_days_matches_day_by_day_counting_for_all_of_2026() -> None:
    start = D(2026, 1, 1)
    for offset in range(0, 310, 3):
        s = start + timedelta(days=offset)
        for n in (0, 1, 2, 5, 10, 20, 30):
            assert add_working_days(CAL, s, n) == _naive(s, n), (s, n)


@pytest.mark.parametrize(
    ("start", "n", "pauses", "deadline"),
    [
        # Unpaused: Feb 12 + 5 = Feb 26.
        (D(2026, 2, 12), 5, [], D(2026, 2, 26)),
        # One paused working day (补正 on Feb 13) pushes it one working day.
        (D(2026, 2, 12), 5, [(D(2026, 2, 13), D(2026, 2, 13))], D(2026, 2, 27)),
        # A pause over days off only changes nothing.
        (D(2026, 2, 12), 5, [(D(2026, 2, 16), D(2026, 2, 20))], D(2026, 2, 26)),
        # A pause reaching past the unpaused deadline: counting resumes after it.
        (D(2026, 2, 12), 2, [(D(2026, 2, 14), D(2026, 3, 3))], D(2026, 3, 4)),
        # Overlapping, unsorted pauses are merged: paused working days Feb 24–27.
        (
            D(2026, 2, 12),
            5,
            [(D(2026, 2, 26), D(2026, 2, 27)), (D(2026, 2, 24), D(2026, 2, 26))],
            D(2026, 3, 3),
        ),
        # Two separate pauses: Feb 13 and Feb 25 (2 working days).
        (
            D(2026, 2, 12),
            5,
            [(D(2026, 2, 13), D(2026, 2, 13)), (D(2026, 2, 25), D(2026, 2, 25))],
            D(2026, 2, 28),
        ),
        # A pause ending before the start is ignored; one straddling it counts its tail.
        (D(2026, 2, 12), 5, [(D(2026, 2, 2), D(2026, 2, 6))], D(2026, 2, 26)),
        (D(2026, 2, 12), 5, [(D(2026, 2, 10), D(2026, 2, 13))], D(2026, 2, 27)),
        # A pause after the deadline is irrelevant.
        (D(2026, 2, 12), 5, [(D(2026, 3, 2), D(2026, 3, 10))], D(2026, 2, 26)),
        # Zero days with the start day paused: first unpaused working day.
        (D(2026, 2, 13), 0, [(D(2026, 2, 13), D(2026, 2, 14))], D(2026, 2, 24)),
        (D(2026, 2, 13), 0, [(D(2026, 2, 16), D(2026, 2, 20))], D(2026, 2, 13)),
        # National Day: pause Sep 28–30 (3 working days) before the holiday.
        (D(2026, 9, 25), 3, [(D(2026, 9, 28), D(2026, 9, 30))], D(2026, 10, 10)),
    ],
)
def test_deadline_with_pauses(
    start: date, n: int, pauses: list[tuple[date, date]], deadline: date
) -> None:
    assert deadline_with_pauses(CAL, start, n, pauses) == deadline


def test_paused_working_days_extend_deadline_one_for_one() -> None:
    start = D(2026, 2, 12)
    for n in range(1, 25):
        for length in range(1, 10):
            p = (D(2026, 3, 2), D(2026, 3, 2) + timedelta(days=length - 1))
            paused = working_days_between(CAL, p[0] - timedelta(days=1), p[1])
            plain = add_working_days(CAL, start, n)
            got = deadline_with_pauses(CAL, start, n, [p])
            expected = plain if plain < p[0] else add_working_days(CAL, plain, paused)
            assert got == expected, (n, p)


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        (D(2026, 2, 12), D(2026, 2, 26), 5),
        (D(2026, 2, 12), D(2026, 2, 12), 0),
        (D(2026, 2, 14), D(2026, 2, 23), 0),  # nothing after the Saturday until the 24th
        (D(2026, 2, 26), D(2026, 2, 12), -5),
        (D(2026, 9, 30), D(2026, 10, 12), 4),
        (D(2025, 12, 31), D(2026, 12, 31), 248),  # = len(chinese_calendar.get_workdays(2026))
    ],
)
def test_working_days_between(a: date, b: date, count: int) -> None:
    assert working_days_between(CAL, a, b) == count


def test_between_inverts_add() -> None:
    for offset in range(0, 360, 7):
        s = D(2025, 1, 1) + timedelta(days=offset)
        for n in range(1, 31):
            assert working_days_between(CAL, s, add_working_days(CAL, s, n)) == n


@pytest.mark.parametrize(
    ("today", "deadline", "left"),
    [
        (D(2026, 2, 12), D(2026, 2, 26), 5),
        (D(2026, 2, 20), D(2026, 2, 26), 3),  # during the holiday: 24, 25, 26
        (D(2026, 2, 26), D(2026, 2, 26), 0),  # due today, still on time
        (D(2026, 2, 27), D(2026, 2, 26), -1),  # one working day overdue
        (D(2026, 3, 2), D(2026, 2, 26), -3),  # Feb 27, Sat Feb 28 (make-up), Mar 2
        (D(2026, 3, 1), D(2026, 2, 26), -2),  # a Sunday adds nothing
    ],
)
def test_remaining_working_days(today: date, deadline: date, left: int) -> None:
    assert remaining_working_days(CAL, today, deadline) == left


def test_2027_is_refused_not_guessed() -> None:
    with pytest.raises(CalendarExhausted) as exc:
        add_working_days(CAL, D(2026, 12, 30), 2)  # would land in January 2027
    err = exc.value
    assert isinstance(err, TongbanError)
    assert err.code == "calendar_beyond_known"
    assert err.message == MESSAGES["calendar_beyond_known"]
    assert "工作日历尚未覆盖" in err.message
    assert err.details["last_known_year"] == 2026
    assert err.as_dict()["code"] == "calendar_beyond_known"


@pytest.mark.parametrize(
    "call",
    [
        lambda: is_working_day(CAL, D(2027, 1, 4)),
        lambda: add_working_days(CAL, D(2027, 1, 4), 1),
        lambda: add_working_days(CAL, D(2026, 12, 31), 1),
        lambda: add_working_days(CAL, D(2024, 12, 31), 1),  # before the first known year
        lambda: deadline_with_pauses(CAL, D(2026, 12, 1), 5, [(D(2026, 12, 2), D(2026, 12, 31))]),
        lambda: working_days_between(CAL, D(2026, 12, 1), D(2027, 1, 10)),
        lambda: remaining_working_days(CAL, D(2027, 1, 5), D(2026, 12, 30)),
    ],
)
def test_every_function_refuses_unknown_years(call: object) -> None:
    with pytest.raises(CalendarExhausted):
        call()  # type: ignore[operator]


def test_a_gap_year_is_refused_even_between_known_years() -> None:
    cal = _from_package({2024, 2026})
    assert add_working_days(cal, D(2024, 12, 30), 1) == D(2024, 12, 31)
    with pytest.raises(CalendarExhausted) as exc:
        add_working_days(cal, D(2024, 12, 30), 3)
    assert exc.value.details["date"].startswith("2025")
    with pytest.raises(CalendarExhausted):
        working_days_between(cal, D(2024, 6, 1), D(2026, 6, 1))


def test_empty_calendar_refuses_everything() -> None:
    cal = WorkCalendar(())
    assert cal.first_year is None and cal.last_year is None
    with pytest.raises(CalendarExhausted):
        add_working_days(cal, D(2026, 3, 2), 1)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        add_working_days(CAL, D(2026, 3, 2), -1)
    with pytest.raises(ValueError):
        deadline_with_pauses(CAL, D(2026, 3, 2), 3, [(D(2026, 3, 5), D(2026, 3, 4))])
    with pytest.raises(ValueError):
        WorkCalendar({2026}, [D(2026, 3, 7)], [D(2026, 3, 7)])


def test_calendar_is_an_immutable_value() -> None:
    with pytest.raises(AttributeError):
        CAL.known_years = frozenset({2027})
    assert CAL.covers(D(2026, 5, 1)) and not CAL.covers(D(2027, 5, 1))
    assert (CAL.first_year, CAL.last_year) == (2025, 2026)
    # Days outside the known years are dropped rather than half-trusted.
    cal = WorkCalendar({2026}, [D(2027, 1, 1)], [D(2027, 1, 2)])
    assert not cal.days_off and not cal.extra_workdays
