"""Case deadlines from the working-day calendar (pure given the calendar and dates).

- 受理期限: ACCEPTANCE_DAYS working days after submission (行政许可法 第32条: 五日内).
- 承诺办结时间 / 法定办结时间: promised / statutory working days after acceptance,
  extended by the working days of every pause (补正, 特别程序).
- 即办件 (0 days) are due the day they are accepted.
A deadline that needs a year the calendar does not know yields ``None`` and the case is
flagged ``deadline_unknown`` (the caller decides; nothing is guessed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tongban.core.calendar import CalendarExhausted, WorkCalendar, deadline_with_pauses

ACCEPTANCE_DAYS = 5

Pause = tuple[date, date]


@dataclass(frozen=True)
class Deadlines:
    promised: date | None
    statutory: date | None
    unknown: bool


def acceptance_deadline(cal: WorkCalendar, submitted_on: date) -> date | None:
    try:
        return deadline_with_pauses(cal, submitted_on, ACCEPTANCE_DAYS, [])
    except CalendarExhausted:
        return None


def completion_deadlines(
    cal: WorkCalendar,
    *,
    accepted_on: date,
    promised_days: int,
    statutory_days: int,
    pauses: list[Pause],
) -> Deadlines:
    try:
        promised = deadline_with_pauses(cal, accepted_on, promised_days, pauses)
        statutory = deadline_with_pauses(cal, accepted_on, statutory_days, pauses)
    except CalendarExhausted:
        return Deadlines(None, None, True)
    return Deadlines(promised, statutory, False)
