"""Case messages between nodes, and the one place a new timeline entry is passed on.

Registered consumers (``federation.outbox.consumer``):

- ``cn.tongban.case.transferred`` → ``remote_case_receive`` (deciding node)
- ``cn.tongban.case.linked``      → ``remote_link`` (intake node)
- ``cn.tongban.case.event``       → ``remote_event_apply`` (either side)

The engine's own ``handed-off`` / ``status-changed`` consumers (``cases.consumers``) stay
in charge of local delivery. When one of those messages arrives from another node the
transferred application and its replicated timeline already carry everything, so it is
acknowledged and left at that (the message log keeps it).

Every new ``CaseEvent`` is passed to ``services_remote.on_case_event`` by a
``post_save`` receiver, inside the transaction that wrote it (ADR 0010 says why this is a
receiver and not a call in ``cases.services._event``).
"""

from __future__ import annotations

import functools
from typing import Any

from django.db.models.signals import post_save

from tongban.cases import consumers as local_consumers
from tongban.cases import joint
from tongban.cases.models import CaseEvent
from tongban.cases.services import HANDED_OFF, STATUS_CHANGED
from tongban.cases.services_remote import (
    EVENT,
    LINKED,
    TRANSFERRED,
    on_case_event,
    remote_apply,
)
from tongban.cases.services_remote_node import sender
from tongban.core.errors import PermissionDenied
from tongban.federation import evidence  # noqa: F401  (registers the evidence query handler)
from tongban.federation.outbox import consumer
from tongban.federation.schemas import message_schema

message_schema(
    TRANSFERRED,
    fields={
        "case_number": str,
        "regions": list,
        "task_code": str,
        "version": int,
        "applicant": dict,
        "materials": list,
        "files": list,
    },
)
message_schema(LINKED, fields={"case_number": str, "intake_case_number": str, "regions": list})
message_schema(EVENT, fields={"case_number": str, "regions": list, "event": dict, "case": dict})
# Version 2 adds ``actor`` (role, role label, display name, organisation: who acted, as the
# other node shows it) and drops event.actor_name/actor_role. Version 1 still applies.
message_schema(
    EVENT,
    version=2,
    fields={"case_number": str, "regions": list, "event": dict, "case": dict, "actor": dict},
)


def _from_node() -> str:
    node = sender()
    if node is None:
        # Only another node sends these; a local delivery of one is a programming error.
        raise PermissionDenied("remote_sender_required")
    return node


@consumer(TRANSFERRED)
def receive_transfer(payload: dict[str, Any]) -> None:
    remote_apply(TRANSFERRED, payload, _from_node())


@consumer(LINKED)
def receive_link(payload: dict[str, Any]) -> None:
    remote_apply(LINKED, payload, _from_node())


@consumer(EVENT)
def receive_event(payload: dict[str, Any]) -> None:
    remote_apply(EVENT, payload, _from_node())


# Wrappers of the engine's consumers (``functools.wraps``: they stay what the worker
# discovers as the case consumers) that apply a message only on local delivery.
@consumer(HANDED_OFF)
@functools.wraps(local_consumers.receive_handoff)
def receive_handoff(payload: dict[str, Any]) -> None:
    if sender() is None:
        local_consumers.receive_handoff(payload)


@consumer(STATUS_CHANGED)
@functools.wraps(local_consumers.status_update)
def status_update(payload: dict[str, Any]) -> None:
    if sender() is None:
        local_consumers.status_update(payload)


CONSUMERS = {
    TRANSFERRED: receive_transfer,
    LINKED: receive_link,
    EVENT: receive_event,
    HANDED_OFF: receive_handoff,
    STATUS_CHANGED: status_update,
}


def _on_event_saved(sender: Any, instance: CaseEvent, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        on_case_event(instance)
        joint.joint_on_part_event(instance)


post_save.connect(_on_event_saved, sender=CaseEvent, dispatch_uid="tongban.cases.remote")
