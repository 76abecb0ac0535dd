"""Warning rules, pure: no database, no "now". The scanner turns them into SQL.

- Yellow (黄牌): the deadline running now is not yet past and the working days left
  (counted as in ``core.calendar``: days strictly after today up to the deadline) are at
  most ``max(yellow_days, promised_days * yellow_percent // 100)``.
- Red (红牌): the deadline running now is past (the deadline is the end of its day).
- Escalated red (督办逾期): a 督办's reply deadline passed without a reply.
- Step timer (环节超时): the case has stayed in one process step longer than the step's
  working days.
- Anomalies: refused/denied without a reason; decided without the decision being made
  on the platform; a fee charged that differs from the catalogue.
Paused cases (补正, 特别程序) are never warned: their deadline is extended by the paused
working days when the pause ends, and the stored deadline already includes it.

Since ``today`` is fixed during a scan, "working days left ≤ t" is the same as
"deadline ≤ cutoff(t)", where cutoff(t) is the day before the (t+1)-th working day
after today: a few dates computed here replace per-case calendar arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from tongban.core.calendar import WorkCalendar, add_working_days

DEFAULT_YELLOW_DAYS = 1
DEFAULT_YELLOW_PERCENT = 20
DEFAULT_REPLY_DAYS = 3  # 督办 reply deadline (working days)
ANOMALY_LOOKBACK_DAYS = 7  # anomalies are looked for in events this recent

# Case statuses by which deadline runs and which process step (by role) is current.
BEFORE_ACCEPTANCE = ("pre_review", "submitted")
RUNNING = ("accepted", "approved", "denied", "under_review")
STEP_ROLE = {
    "submitted": "clerk",
    "pre_review": "clerk",
    "accepted": "reviewer",
    "under_review": "reviewer",
    "approved": "approver",
    "denied": "approver",
}
DECIDED = ("approved", "denied", "result_issued", "delivered", "closed")
DECIDED_OPEN = ("approved", "denied", "result_issued")

RULE_LABELS = {
    "acceptance_deadline": "受理期限",
    "promised_deadline": "承诺办结时间",
    "escalation_reply": "督办答复期限",
    "refused_without_reason": "不予受理/不予许可未说明理由",
    "off_platform": "未在平台内审批（体外循环）",
    "fee_mismatch": "收费与事项目录不一致",
    "deadline_unknown": "期限无法计算（工作日历未覆盖）",
}


def rule_label(rule: str) -> str:
    if rule.startswith("step_"):
        return f"第{rule[5:]}环节时限"
    return RULE_LABELS.get(rule, rule)


@dataclass(frozen=True)
class Thresholds:
    yellow_days: int = DEFAULT_YELLOW_DAYS
    yellow_percent: int = DEFAULT_YELLOW_PERCENT

    def __post_init__(self) -> None:
        if not 0 <= self.yellow_days <= 60:
            raise ValueError("yellow_days out of range")
        if not 0 <= self.yellow_percent <= 100:
            raise ValueError("yellow_percent out of range")

    def threshold(self, total_days: int) -> int:
        """Working days left at or below which a case is yellow."""
        return max(self.yellow_days, total_days * self.yellow_percent // 100)


def remaining_cutoff(cal: WorkCalendar, today: date, t: int) -> date:
    """The latest deadline whose working days left (after ``today``) are ≤ ``t``."""
    return add_working_days(cal, today, t + 1) - timedelta(days=1)


def cutoffs(cal: WorkCalendar, today: date, max_t: int) -> dict[int, date]:
    return {t: remaining_cutoff(cal, today, t) for t in range(max_t + 1)}


def step_overdue_since(cal: WorkCalendar, today: date, days: int) -> date:
    """A step of ``days`` working days that started on or before the returned day is
    overdue today (its deadline, ``days`` working days after the start, is before today).
    Found by walking back from today: the answer is at most a few weeks back."""
    d = today - timedelta(days=1)
    while add_working_days(cal, d, days) >= today:
        d -= timedelta(days=1)
    return d


_AMOUNT = re.compile(r"(\d+(?:\.\d{1,2})?)\s*元")


def catalogue_fees_fen(standards: list[str]) -> set[int]:
    """The amounts (in fen) a catalogue's fee standards name, e.g. "工本费 20元/本" → 2000."""
    out: set[int] = set()
    for s in standards:
        for m in _AMOUNT.finditer(s):
            try:
                out.add(int(Decimal(m.group(1)) * 100))
            except InvalidOperation:  # pragma: no cover - the regex only matches numbers
                continue
    return out


def fee_differs(*, charged_fen: int, is_fee: bool, standards: list[str]) -> bool:
    """A fee charged for a free item, or one that matches no catalogued amount (nor the
    sum of them). Nothing charged is never an anomaly (fees may be waived)."""
    if charged_fen <= 0:
        return False
    if not is_fee:
        return True
    amounts = catalogue_fees_fen(standards)
    if not amounts:
        return False  # the standard is not stated as an amount: nothing to compare
    return charged_fen not in amounts and charged_fen != sum(amounts)
