"""Withdrawing a whole 多地联办 application (docs/adr/0011-joint-applications.md).

``joint_withdraw`` moves the parent to 已撤回 through ``case_transition`` (so the table
decides whether the application may still be withdrawn and by whom: the applicant, or
the window that took it in — then on the applicant's request, with a reason), and then
withdraws every part whose own status still allows it, each through ``case_transition``
by the same actor. A part decided on another node is withdrawn on its intake record; the
timeline entry travels to the deciding node as ``cn.tongban.case.event`` through the
outbox in the same transaction, and that node applies it through its own state machine
(a part it decided meanwhile shows a ``sync_conflict`` there and here, never a silent
drop: ADR 0010). Parts that already have a decision (or ended) are not touched and are
reported; the parent's timeline entry states the outcome. All in one transaction.

A joint parent is never withdrawn alone: ``case_transition`` refuses the plain move
(``joint_withdraw_whole``) unless it comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from tongban.cases.access import case_roles
from tongban.cases.models import Case, CaseMode
from tongban.cases.services import _lock, case_transition
from tongban.cases.transitions import APPLICANT, CLERK, CaseStatus, move_for
from tongban.core.actors import Actor
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed

S = CaseStatus
# Marks the parent's move as the whole withdrawal (checked by case_transition).
WHOLE = "joint_withdrawal"


@dataclass(frozen=True)
class PartOutcome:
    case: Case
    withdrawn: bool  # withdrawn now (on another node: the withdrawal was sent there)
    status: str  # the part's status here after the withdrawal


@dataclass(frozen=True)
class JointWithdrawal:
    parent: Case
    parts: list[PartOutcome]

    @property
    def kept(self) -> list[PartOutcome]:
        return [p for p in self.parts if not p.withdrawn]


def _label(part: Case) -> str:
    return f"{part.item_name}（{part.handling_region.name}）{part.case_number}"


def _outcome_text(reason: str, parts: list[PartOutcome]) -> str:
    done = [p for p in parts if p.withdrawn]
    kept = [p for p in parts if not p.withdrawn]
    text = f"整体撤回多地联办申请：{reason or '申请人撤回'}。已撤回 {len(done)} 个部分"
    if any(p.case.remote_node for p in done):
        text += "（异地部分已通知办理地节点）"
    if kept:
        names = "；".join(f"{_label(p.case)}：{S(p.status).label}" for p in kept)
        text += f"；以下部分已有决定或已结束，未撤回：{names}"
    return text


def joint_withdraw(
    *,
    actor: Actor,
    parent: Case,
    reason: str = "",
    expected_revision: int | None = None,
) -> JointWithdrawal:
    """Withdraw the 多地联办 application ``parent`` and every part that can still be
    withdrawn. The window's clerk must give the applicant's reason."""
    if parent.mode != CaseMode.JOINT or parent.parent_id is not None:
        raise ValidationFailed("not_joint_application", field="ref")
    reason = reason.strip()
    with transaction.atomic():
        locked = _lock(parent, expected_revision)
        roles = case_roles(actor, locked)
        if not roles:
            raise NotFound("办件")
        move = move_for(locked.status, S.WITHDRAWN)
        if move is None:
            raise ValidationFailed(
                "illegal_transition",
                f"多地联办申请当前状态为“{S(locked.status).label}”，不能整体撤回",
                field="status",
            )
        if not roles & move.roles:
            raise PermissionDenied("permission_denied")
        if APPLICANT not in roles and CLERK in roles and not reason:
            raise ValidationFailed(
                "reason_required", "窗口代为撤回须填写申请人的撤回理由", field="reason"
            )
        parts = list(locked.parts.select_related("handling_region").order_by("pk"))
        outcomes: list[PartOutcome] = []
        for part in parts:
            if move_for(part.status, S.WITHDRAWN) is None:
                outcomes.append(PartOutcome(part, False, part.status))
        # The parent first: once it is withdrawn the roll-up leaves it alone while its
        # parts are withdrawn (their failures still show on its timeline).
        planned = [
            PartOutcome(p, True, S.WITHDRAWN)
            for p in parts
            if move_for(p.status, S.WITHDRAWN) is not None
        ]
        every = sorted(planned + outcomes, key=lambda o: o.case.pk)
        text = _outcome_text(reason, every)
        locked = case_transition(
            actor=actor,
            case=locked,
            to=S.WITHDRAWN,
            opinion=text,
            data={
                WHOLE: True,
                "reason": reason,
                "withdrawn": [p.case.case_number for p in planned],
                "kept": [{"part": p.case.case_number, "status": p.status} for p in outcomes],
            },
        )
        for p in planned:
            case_transition(
                actor=actor,
                case=p.case,
                to=S.WITHDRAWN,
                opinion=f"多地联办申请 {locked.case_number} 整体撤回：{reason or '申请人撤回'}",
                data={"joint_parent": locked.case_number},
            )
    return JointWithdrawal(locked, every)


def application_withdraw(
    *,
    actor: Actor,
    case: Case,
    reason: str = "",
    expected_revision: int | None = None,
    today: date | None = None,
) -> list[PartOutcome]:
    """The applicant's 撤回申请 (or 删除草稿): a 多地联办 application is withdrawn whole,
    anything else through ``case_transition``. Returns the parts left alone (decided or
    ended), empty for a plain case."""
    if case.mode == CaseMode.JOINT and case.parent_id is None:
        return joint_withdraw(
            actor=actor, parent=case, reason=reason, expected_revision=expected_revision
        ).kept
    case_transition(
        actor=actor,
        case=case,
        to=S.WITHDRAWN,
        opinion=reason.strip(),
        expected_revision=expected_revision,
        today=today,
    )
    return []
