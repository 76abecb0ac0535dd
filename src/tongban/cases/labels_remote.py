"""Chinese names for what cases across nodes add to a timeline, a node's name, and who
acted on the other node (the ``actor`` block of ``cn.tongban.case.event`` version 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tongban.cases.models import Case, CaseEvent

# Timeline actions written by services_remote / joint / federation.evidence.
REMOTE_ACTION_LABELS = {
    "hand_off": "推送至办理地节点",
    "sync_conflict": "跨节点同步冲突",
    "joint": "多地联办分发",
    "part_failed": "联办部分未通过",
    "evidence_query": "跨节点证照核验",
}


def node_label(node_id: str) -> str:
    """A node's name from the registry (长治市节点（changzhi）), else its id."""
    if not node_id:
        return ""
    from tongban.core.errors import TongbanError
    from tongban.federation.registry import node_entry

    try:
        name = node_entry(node_id).name
    except TongbanError:
        return node_id
    return f"{name}（{node_id}）" if name and name != node_id else node_id


# ---- who acted, across nodes (cn.tongban.case.event schema version 2) -----------------

_ROLE_LABELS = {
    "applicant": "申请人",
    "clerk": "窗口人员",
    "reviewer": "审查人员",
    "approver": "审批人员",
    "system": "系统",
}
_PART_MAX = 48


def actor_block(case: Case, event: CaseEvent) -> dict[str, str]:
    """Who made ``event``, as the other node shows it: the staff member's display name,
    their role on the case and their organisation — never an account id, and nothing
    about the applicant (an applicant's own move travels as the role alone)."""
    role = event.actor_role or "system"
    user = event.actor
    if user is None or role == "system":
        return {"role": "system", "role_label": "系统", "name": "", "organisation": ""}
    if role == "applicant":
        return {"role": role, "role_label": _ROLE_LABELS[role], "name": "", "organisation": ""}
    window = case.intake_window
    if role == "clerk" and window is not None and not case.handled_for_node:
        organisation = f"{window.center.name} {window.name}"
    else:
        organisation = case.handling_department.name
    return {
        "role": role,
        "role_label": _ROLE_LABELS.get(role, role),
        "name": user.display_name,
        "organisation": organisation,
    }


def actor_shown(block: object) -> tuple[str, str] | None:
    """(name, role there) for a timeline entry applied from another node's ``actor``
    block, e.g. ("长治市人社局 审查人员 李四", "reviewer"); None when the sender's message
    had no block (schema version 1) or the move was the system's — shown as 系统."""
    if not isinstance(block, dict):
        return None
    role = str(block.get("role") or "system")[:32]
    if role == "system":
        return None
    parts = [
        str(block.get(k) or "").strip()[:_PART_MAX] for k in ("organisation", "role_label", "name")
    ]
    shown = " ".join(p for p in parts if p) or _ROLE_LABELS.get(role, role)
    return shown, role
