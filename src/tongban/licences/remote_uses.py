"""The case number reaches the use log once the application is submitted.

The applicant consents to a licence while the application is still a draft, so the use
is logged under a draft reference (``草稿#<id>``): a draft has no number yet. When the
draft is submitted (the ``submitted`` timeline entry of an intake record), the uses this
node logged for it take the case number, and every other node whose licence the case
used is told through the outbox (``cn.tongban.licence.use-numbered``, in the transaction
of the submission), so the holder's use log on the issuing node names the case too.
The receiver changes only the uses the sending node logged under that draft reference.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from tongban.cases.models import Case, CaseEvent
from tongban.cases.transitions import CaseStatus
from tongban.core.errors import PermissionDenied
from tongban.federation.context import current_envelope
from tongban.federation.outbox import consumer, outbox_write
from tongban.federation.schemas import message_schema
from tongban.licences.models import LicenceUse

USE_NUMBERED = "cn.tongban.licence.use-numbered"
EXEMPT_ACTION = "licence_exempt"

message_schema(
    USE_NUMBERED,
    fields={"draft_ref": str, "case_number": str, "identifiers": list, "regions": list},
)


def draft_ref(case: Case) -> str:
    """How a use by a draft is logged until the draft has its number."""
    return f"草稿#{case.pk}"


def on_submitted(case: Case) -> int:
    """Stamp the case number on this node's uses by the draft and tell the issuing nodes
    of the other licences it used. Returns the number of messages written."""
    from tongban.federation.identity import this_node_id
    from tongban.federation.registry import node_entry

    number = case.case_number or Case.objects.values_list("case_number", flat=True).get(pk=case.pk)
    ref = draft_ref(case)
    if not number:
        return 0
    LicenceUse.objects.filter(case_id=case.pk, case_ref=ref).update(case_ref=number[:64])
    me = this_node_id()
    if me is None:
        return 0
    by_node: dict[str, list[str]] = {}
    for data in CaseEvent.objects.filter(case_id=case.pk, action=EXEMPT_ACTION).values_list(
        "data", flat=True
    ):
        node, ident = str(data.get("issuer_node", "")), str(data.get("licence_id", ""))
        if node and node != me and ident and ident not in by_node.get(node, []):
            by_node.setdefault(node, []).append(ident)
    if not by_node:
        return 0
    regions = list(node_entry(me).regions)
    for node, identifiers in sorted(by_node.items()):
        outbox_write(
            type=USE_NUMBERED,
            stream=f"licence-uses:{case.pk}"[:64],
            recipient_node=node,
            payload={
                "draft_ref": ref,
                "case_number": number,
                "identifiers": identifiers,
                "regions": regions,
            },
        )
    return len(by_node)


@consumer(USE_NUMBERED)
def use_numbered(payload: dict[str, Any]) -> None:
    meta = current_envelope()
    if meta is None:
        raise PermissionDenied("remote_sender_required")
    LicenceUse.objects.filter(
        requester_node=meta.sender,
        case_ref=str(payload["draft_ref"]),
        licence_identifier__in=[str(i) for i in payload["identifiers"]],
    ).update(case_ref=str(payload["case_number"])[:64])


def _on_event_saved(sender: Any, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if not created or kwargs.get("raw") or instance.to_status != CaseStatus.SUBMITTED:
        return
    case = instance.case  # the case being submitted, counted just before this entry
    # Only the record the applicant submitted (not the deciding node's copy of it), and
    # only when something was exempted: no extra statement for every other submission.
    if not case.handled_for_node and case.exempted_materials:
        on_submitted(case)


post_save.connect(_on_event_saved, sender=CaseEvent, dispatch_uid="tongban.licences.uses")
