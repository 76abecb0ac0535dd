"""Applying case messages that arrive through the inbox (``federation.outbox``).

- ``cn.tongban.case.handed-off`` reaches the deciding department's side: the timeline
  records that the hand-off from the intake window arrived (``receive_handoff``).
- ``cn.tongban.case.status-changed`` reaches the intake side: the window that took the
  case in notes the new status (``status_update``) so its clerk can follow the case.

On one node both sides are the same database and the case is found by its number; the
federation issue will split the nodes. The inbox already drops a message it has seen
(by message id); each consumer is idempotent on its own as well, because a message can
be re-sent under a new id after a failure on the sending side. Consumers never bump the
case ``revision``: a note arriving in the background must not turn a clerk's open form
into a conflict.
"""

from __future__ import annotations

from typing import Any

from tongban.cases.models import Case
from tongban.cases.services import HANDED_OFF, STATUS_CHANGED, _event
from tongban.cases.transitions import SYSTEM, CaseStatus
from tongban.core.actors import SYSTEM as SYSTEM_ACTOR
from tongban.core.errors import NotFound
from tongban.federation.outbox import consumer

RECEIVE_HANDOFF = "receive_handoff"
STATUS_UPDATE = "status_update"


def _locked_case(case_number: object) -> Case:
    """The case row, locked so the appended event's ``seq`` cannot race a transition."""
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("intake_region", "intake_window__center")
        .filter(case_number=str(case_number or ""))
        .first()
    )
    if case is None:
        # Raising fails the delivery job: the inbox row rolls back and it is retried.
        raise NotFound("办件", field="case_number")
    return case


def _status_label(value: object) -> str:
    return (
        CaseStatus(value).label
        if isinstance(value, str) and value in CaseStatus.values
        else str(value)
    )


@consumer(HANDED_OFF)
def receive_handoff(payload: dict[str, Any]) -> None:
    """The deciding department's side records that the pushed case arrived."""
    case = _locked_case(payload.get("case_number"))
    if case.events.filter(action=RECEIVE_HANDOFF).exists():
        return
    window = case.intake_window
    place = f"{window.center.name}{window.name}" if window else case.intake_region.name
    materials = payload.get("materials") or []
    files = sum(int(m.get("files", 0)) for m in materials if isinstance(m, dict))
    _event(
        case,
        action=RECEIVE_HANDOFF,
        actor=SYSTEM_ACTOR,
        role=SYSTEM,
        opinion=f"已收到{place}推送的办件（材料 {len(materials)} 项，文件 {files} 份）",
        data={
            "intake_region": payload.get("intake_region"),
            "intake_window": payload.get("intake_window"),
            "task_code": payload.get("task_code"),
            "version": payload.get("version"),
            "materials": len(materials),
            "files": files,
        },
    )


@consumer(STATUS_CHANGED)
def status_update(payload: dict[str, Any]) -> None:
    """The intake side notes a status change made by the deciding department."""
    case = _locked_case(payload.get("case_number"))
    frm, to, revision = payload.get("from"), payload.get("to"), payload.get("revision")
    seen = case.events.filter(action=STATUS_UPDATE, data__from=frm, data__to=to)
    if revision is not None:
        seen = seen.filter(data__revision=revision)
    if seen.exists():
        return
    _event(
        case,
        action=STATUS_UPDATE,
        actor=SYSTEM_ACTOR,
        role=SYSTEM,
        opinion=f"代收窗口已获知办件状态：{_status_label(frm)} → {_status_label(to)}",
        data={"from": frm, "to": to, "revision": revision},
    )
