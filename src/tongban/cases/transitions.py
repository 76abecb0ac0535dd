"""The case state machine as a table: from-status → {to-status: Move}.

``case_transition`` in services.py is the only code that changes a case's status; it
looks the move up here, checks the actor's role, requires a reason where the table says
so, and rejects everything else with ``illegal_transition``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"
    PRE_REVIEW = "pre_review", "预审中"
    ACCEPTED = "accepted", "已受理"
    SUPPLEMENT_REQUESTED = "supplement_requested", "待补正"
    SPECIAL_PROCEDURE = "special_procedure", "特别程序"
    UNDER_REVIEW = "under_review", "审查中"
    APPROVED = "approved", "准予许可"
    DENIED = "denied", "不予许可"
    RESULT_ISSUED = "result_issued", "已出证"
    DELIVERED = "delivered", "已送达"
    CLOSED = "closed", "已办结"
    REFUSED = "refused", "不予受理"
    WITHDRAWN = "withdrawn", "已撤回"
    REVOKED = "revoked", "已撤销"


S = CaseStatus

# Statuses in which the promised/statutory clock does not run.
PAUSED = frozenset({S.SUPPLEMENT_REQUESTED, S.SPECIAL_PROCEDURE})
# Statuses after which nothing more happens.
TERMINAL = frozenset({S.CLOSED, S.WITHDRAWN, S.REVOKED})
# Statuses before a decision, from which the applicant may withdraw.
BEFORE_DECISION = frozenset(
    {
        S.SUBMITTED,
        S.PRE_REVIEW,
        S.ACCEPTED,
        S.SUPPLEMENT_REQUESTED,
        S.SPECIAL_PROCEDURE,
        S.UNDER_REVIEW,
    }
)
# Open for supervision: accepted and not yet decided or finished.
OPEN = frozenset(BEFORE_DECISION | {S.APPROVED, S.DENIED, S.RESULT_ISSUED})

APPLICANT = "applicant"
CLERK = "clerk"
REVIEWER = "reviewer"
APPROVER = "approver"
SYSTEM = "system"
DEPARTMENT = frozenset({CLERK, REVIEWER, APPROVER})


@dataclass(frozen=True)
class Move:
    action: str  # the verb recorded on the timeline (glossary name)
    label: str  # Chinese label for buttons and the timeline
    roles: frozenset[str]
    reason_required: bool = False


def _m(action: str, label: str, roles: set[str] | frozenset[str], reason: bool = False) -> Move:
    return Move(action, label, frozenset(roles) | {SYSTEM}, reason)


_WITHDRAW = _m("withdraw", "撤回申请", {APPLICANT, CLERK})

TRANSITIONS: dict[str, dict[str, Move]] = {
    S.DRAFT: {
        S.SUBMITTED: _m("submit", "提交申请", {APPLICANT, CLERK}),
        S.WITHDRAWN: _m("withdraw", "删除草稿", {APPLICANT, CLERK}),
    },
    S.SUBMITTED: {
        S.PRE_REVIEW: _m("pre_review", "开始预审", DEPARTMENT),
        S.WITHDRAWN: _WITHDRAW,
    },
    S.PRE_REVIEW: {
        S.ACCEPTED: _m("accept", "受理", DEPARTMENT),
        S.REFUSED: _m("refuse_acceptance", "不予受理", DEPARTMENT, reason=True),
        S.SUPPLEMENT_REQUESTED: _m("request_supplement", "一次性告知补正", DEPARTMENT, True),
        S.WITHDRAWN: _WITHDRAW,
    },
    S.ACCEPTED: {
        S.UNDER_REVIEW: _m("review", "开始审查", {REVIEWER, APPROVER}),
        S.APPROVED: _m("approve", "准予许可（即办）", {APPROVER, REVIEWER, CLERK}),
        S.SUPPLEMENT_REQUESTED: _m("request_supplement", "一次性告知补正", DEPARTMENT, True),
        S.SPECIAL_PROCEDURE: _m("special_procedure", "启动特别程序", {REVIEWER, APPROVER}, True),
        S.WITHDRAWN: _WITHDRAW,
    },
    S.SUPPLEMENT_REQUESTED: {
        # Back to where it was paused from: services check the recorded status.
        S.PRE_REVIEW: _m("supplement", "提交补正材料", {APPLICANT, CLERK}),
        S.UNDER_REVIEW: _m("supplement", "提交补正材料", {APPLICANT, CLERK}),
        S.ACCEPTED: _m("supplement", "提交补正材料", {APPLICANT, CLERK}),
        S.REFUSED: _m("refuse_acceptance", "补正逾期不予受理", DEPARTMENT, reason=True),
        S.WITHDRAWN: _WITHDRAW,
    },
    S.SPECIAL_PROCEDURE: {
        S.UNDER_REVIEW: _m("end_special_procedure", "结束特别程序", {REVIEWER, APPROVER}),
        S.WITHDRAWN: _WITHDRAW,
    },
    S.UNDER_REVIEW: {
        S.APPROVED: _m("approve", "准予许可", {APPROVER}),
        S.DENIED: _m("deny", "不予许可", {APPROVER}, reason=True),
        S.SUPPLEMENT_REQUESTED: _m("request_supplement", "一次性告知补正", {REVIEWER}, True),
        S.SPECIAL_PROCEDURE: _m("special_procedure", "启动特别程序", {REVIEWER, APPROVER}, True),
        S.WITHDRAWN: _WITHDRAW,
    },
    S.APPROVED: {
        S.RESULT_ISSUED: _m("issue_result", "出具结果", {APPROVER, REVIEWER}),
        S.REVOKED: _m("revoke", "撤销", {APPROVER}, reason=True),
    },
    S.DENIED: {
        S.RESULT_ISSUED: _m("issue_result", "送达不予许可决定", {APPROVER, REVIEWER}),
    },
    S.RESULT_ISSUED: {
        S.DELIVERED: _m("deliver", "结果送达", {CLERK, REVIEWER, APPROVER}),
        S.REVOKED: _m("revoke", "撤销", {APPROVER}, reason=True),
    },
    S.DELIVERED: {
        S.CLOSED: _m("close", "办结", {CLERK, REVIEWER, APPROVER}),
        S.REVOKED: _m("revoke", "撤销", {APPROVER}, reason=True),
    },
    S.REFUSED: {S.CLOSED: _m("close", "办结", DEPARTMENT)},
    S.CLOSED: {S.REVOKED: _m("revoke", "撤销", {APPROVER}, reason=True)},
    S.WITHDRAWN: {},
    S.REVOKED: {},
}


def move_for(from_status: str, to_status: str) -> Move | None:
    return TRANSITIONS.get(from_status, {}).get(to_status)


def moves_from(from_status: str, roles: set[str]) -> dict[str, Move]:
    """The moves a holder of ``roles`` may make from ``from_status``."""
    return {to: m for to, m in TRANSITIONS.get(from_status, {}).items() if m.roles & roles}
