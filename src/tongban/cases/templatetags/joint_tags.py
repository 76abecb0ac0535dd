"""``{% joint_parts case user %}``: a 多地联办 application's parts on its case page
(node, status, deadline; a failed or refused part highlighted; the combined result).
``staff=False`` on the applicant's page: no links into the workbench."""

from __future__ import annotations

from typing import Any

from django import template

from tongban.cases.joint_selectors import joint_view
from tongban.cases.labels_remote import node_label as remote_node_label
from tongban.cases.models import Case
from tongban.cases.transitions import CaseStatus
from tongban.core.actors import Actor

register = template.Library()


@register.inclusion_tag("cases/staff/_joint_parts.html")
def joint_parts(case: Case, user: Actor, staff: bool = True) -> dict[str, Any]:
    view = joint_view(user, case)
    rows = [
        {
            "row": r,
            "status_label": CaseStatus(r.case.status).label,
            "deadline": r.case.promised_deadline or r.case.acceptance_deadline,
        }
        for r in view.parts
    ]
    decision = CaseStatus(view.decision).label if view.decision else None
    return {"view": view, "rows": rows, "decision": decision, "staff": staff}


@register.filter
def node_label(node_id: str) -> str:
    """A node's name from the registry (长治市节点), falling back to its id."""
    return remote_node_label(node_id)
