"""督办 (escalation) as a table: from-status → {to-status: who may make the move}.

``services._escalation_move`` is the one write path: it locks the row, looks the move up
here and rejects everything else with a coded error (``escalation_closed`` once the
loop is closed, ``illegal_transition`` otherwise)."""

from __future__ import annotations

from tongban.supervision.models import EscalationStatus

E = EscalationStatus
SUPERVISOR = "supervisor"
ADDRESSEE = "addressee"

ESCALATION_MOVES: dict[str, dict[str, tuple[str, str]]] = {
    # to: (who, action recorded in the card's history)
    E.ISSUED: {E.REPLIED: (ADDRESSEE, "reply"), E.CLOSED: (SUPERVISOR, "close_escalation")},
    E.REPLIED: {E.CLOSED: (SUPERVISOR, "close_escalation")},
    E.CLOSED: {},
}

ACTION_LABELS = {
    "raise": "系统亮牌",
    "resolve": "自动解除",
    "close": "监察人员办结",
    "escalate": "发起督办",
    "reply": "部门答复",
    "close_escalation": "督办办结",
}
