from datetime import date

import pytest

from tongban.core.calendar import WorkCalendar, remaining_working_days
from tongban.supervision import rules

# 2026: Mon 2026-03-02 … ; a synthetic calendar with one holiday on Wed 03-04.
CAL = WorkCalendar([2026], days_off=[date(2026, 3, 4)])


@pytest.mark.parametrize(
    ("yellow_days", "pct", "total", "expected"),
    [(1, 20, 5, 1), (1, 20, 10, 2), (1, 20, 20, 4), (3, 0, 20, 3), (0, 0, 5, 0), (1, 20, 0, 1)],
)
def test_threshold(yellow_days: int, pct: int, total: int, expected: int) -> None:
    assert rules.Thresholds(yellow_days, pct).threshold(total) == expected


def test_threshold_bounds() -> None:
    with pytest.raises(ValueError):
        rules.Thresholds(61, 0)
    with pytest.raises(ValueError):
        rules.Thresholds(1, 101)


@pytest.mark.parametrize("today", [date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 6)])
@pytest.mark.parametrize("t", [0, 1, 2, 4])
def test_cutoff_agrees_with_remaining_working_days(today: date, t: int) -> None:
    cutoff = rules.remaining_cutoff(CAL, today, t)
    for offset in range(0, 15):
        deadline = date.fromordinal(today.toordinal() + offset)
        left = remaining_working_days(CAL, today, deadline)
        assert (deadline <= cutoff) == (left <= t), (deadline, left)


@pytest.mark.parametrize("days", [1, 2, 3])
def test_step_overdue_since(days: int) -> None:
    from tongban.core.calendar import add_working_days

    today = date(2026, 3, 10)
    since = rules.step_overdue_since(CAL, today, days)
    assert add_working_days(CAL, since, days) < today
    nxt = date.fromordinal(since.toordinal() + 1)
    assert add_working_days(CAL, nxt, days) >= today


@pytest.mark.parametrize(
    ("charged", "is_fee", "standards", "differs"),
    [
        (0, False, [], False),
        (500, False, [], True),
        (2000, True, ["工本费 20元/本"], False),
        (2500, True, ["工本费 20元/本"], True),
        (2500, True, ["工本费 20元/本", "邮寄费 5元"], False),  # the sum
        (1234, True, ["按规定收取"], False),  # no amount stated: nothing to compare
    ],
)
def test_fee_differs(charged: int, is_fee: bool, standards: list[str], differs: bool) -> None:
    assert rules.fee_differs(charged_fen=charged, is_fee=is_fee, standards=standards) is differs


def test_rule_labels() -> None:
    assert rules.rule_label("step_2") == "第2环节时限"
    assert rules.rule_label("promised_deadline") == "承诺办结时间"
