"""Who may move which record of a case that lives on two nodes (ADR 0010).

The intake node's record of an application decided on another node is a read-only copy
for the deciding department's moves: only the intake side's own actions (the applicant,
the window that took it in: supplement answers, withdrawal, result hand-over and
closing) and SYSTEM applying the other node's messages may move it. The deciding node's
record (handled for another node) is the same the other way: the moves that belong to
the intake side reach it only as messages.

``remote_move_check`` is called by ``case_transition`` (the one guarded write path) after
the table lookup and the role check; on a classic single node both fields are blank and
it does nothing.
"""

from __future__ import annotations

from tongban.cases.access import window_clerk
from tongban.cases.models import Case
from tongban.cases.transitions import APPLICANT, CLERK, SYSTEM, Move
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDenied

# Moves the intake side makes (its window or its applicant); every other move is the
# deciding department's.
INTAKE_SIDE_ACTIONS = frozenset({"submit", "withdraw", "supplement", "deliver", "close"})
# Of those, the ones only the intake side makes: the decider also delivers (electronic or
# posted results) and closes its own record.
INTAKE_ONLY_ACTIONS = frozenset({"submit", "withdraw", "supplement"})


def decided_elsewhere(case: Case) -> bool:
    """The intake node's record of an application another node decides."""
    return bool(case.remote_node) and not case.handled_for_node


def handled_for_another(case: Case) -> bool:
    """The deciding node's record of an application taken in on another node."""
    return bool(case.handled_for_node)


def _intake_side(actor: Actor, case: Case, acting: set[str]) -> bool:
    if APPLICANT in acting:
        return True
    return (
        CLERK in acting
        and case.intake_window_id is not None
        and window_clerk(actor, case.intake_window_id)
    )


def remote_move_check(*, actor: Actor, case: Case, move: Move, acting: set[str]) -> None:
    """Refuse a user's move on the wrong side of a case across nodes (coded)."""
    if SYSTEM in acting:
        return
    if decided_elsewhere(case):
        if move.action not in INTAKE_SIDE_ACTIONS or not _intake_side(actor, case, acting):
            raise PermissionDenied("case_decided_elsewhere", field="status")
    elif handled_for_another(case) and move.action in INTAKE_ONLY_ACTIONS:
        raise PermissionDenied("case_taken_in_elsewhere", field="status")
