"""Writing and delivering outbox messages (local delivery until nodes are split)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from tongban.core.jobs import enqueue
from tongban.federation.models import InboxMessage, OutboxMessage, OutboxStatus

# message type → function applying it on the receiving side (registered by domains).
Consumer = Callable[[dict[str, Any]], None]
_CONSUMERS: dict[str, Consumer] = {}


def consumer(message_type: str) -> Callable[[Consumer], Consumer]:
    def register(func: Consumer) -> Consumer:
        _CONSUMERS[message_type] = func
        return func

    return register


def outbox_write(
    *, type: str, stream: str, recipient_region_id: str, payload: dict[str, Any]
) -> OutboxMessage:
    """Record a message in the caller's transaction and schedule its delivery."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox messages are written inside the state change's transaction")
    last = OutboxMessage.objects.filter(stream=stream).aggregate(m=Max("seq"))["m"] or 0
    msg = OutboxMessage.objects.create(
        type=type,
        stream=stream,
        seq=last + 1,
        recipient_region_id=recipient_region_id,
        payload=payload,
    )
    enqueue("federation.deliver_outbox", {"id": msg.pk})
    return msg


def inbox_accept(
    *, message_id: str, type: str, stream: str, seq: int, payload: dict[str, Any]
) -> bool:
    """Apply a received message once. Returns False for a duplicate (already applied)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                InboxMessage.objects.create(
                    message_id=message_id, type=type, stream=stream, seq=seq
                )
        except IntegrityError:
            return False
        handler = _CONSUMERS.get(type)
        if handler is not None:
            handler(payload)
    return True


def outbox_deliver(message_pk: int) -> None:
    """Deliver one message (to this node's inbox) and mark it delivered."""
    with transaction.atomic():
        msg = OutboxMessage.objects.select_for_update().get(pk=message_pk)
        if msg.status != OutboxStatus.PENDING:
            return
        msg.attempts += 1
        inbox_accept(
            message_id=str(msg.message_id),
            type=msg.type,
            stream=msg.stream,
            seq=msg.seq,
            payload=msg.payload,
        )
        msg.status = OutboxStatus.DELIVERED
        msg.delivered_at = timezone.now()
        msg.save(update_fields=["attempts", "status", "delivered_at"])
