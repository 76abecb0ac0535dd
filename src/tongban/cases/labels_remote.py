"""Chinese names for what cases across nodes add to a timeline, and a node's name."""

from __future__ import annotations

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
