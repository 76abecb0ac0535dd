"""The rectification state machine as a table: from-status → {to-status: Move}.

``services.rectification_transition`` is the only code that changes a rectification's
status. ``DEPT`` is the responsible side (reviewer/approver of the deciding department,
or staff of the rated window); ``SUPERVISOR`` is a supervisor whose region covers it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tongban.ratings.models import RectificationStatus

R = RectificationStatus
DEPT = "responsible"
SUPERVISOR = "supervisor"
SYSTEM = "system"


@dataclass(frozen=True)
class Move:
    action: str
    label: str
    roles: frozenset[str]
    note_required: bool = True


def _m(action: str, label: str, role: str, note: bool = True) -> Move:
    return Move(action, label, frozenset({role, SYSTEM}), note)


TRANSITIONS: dict[str, dict[str, Move]] = {
    R.FOLLOW_UP: {
        R.RECTIFYING: _m("follow_up", "登记回访", DEPT),
    },
    R.RECTIFYING: {
        R.REVIEW: _m("submit_rectification", "提交整改结果", DEPT),
        R.APPEALED: _m("appeal", "申诉（恶意差评）", DEPT),
    },
    R.REVIEW: {
        R.CLOSED: _m("approve_rectification", "审核通过并办结", SUPERVISOR, note=False),
        R.RECTIFYING: _m("return_rectification", "退回重新整改", SUPERVISOR),
    },
    R.APPEALED: {
        R.VOIDED: _m("uphold_appeal", "申诉成立", SUPERVISOR),
        R.RECTIFYING: _m("reject_appeal", "驳回申诉", SUPERVISOR),
    },
    R.CLOSED: {},
    R.VOIDED: {},
}

ACTIONS: dict[str, tuple[str, str, Move]] = {
    move.action: (frm, to, move) for frm, moves in TRANSITIONS.items() for to, move in moves.items()
}
OPEN = frozenset({R.FOLLOW_UP, R.RECTIFYING, R.REVIEW, R.APPEALED})


def moves_from(status: str, roles: set[str]) -> dict[str, Move]:
    return {to: m for to, m in TRANSITIONS.get(status, {}).items() if m.roles & roles}


ACTION_LABELS: dict[str, str] = {"open": "生成回访整改任务"} | {
    a: m.label for a, (_, _, m) in ACTIONS.items()
}
