"""Writing outbox messages and delivering them: locally, or signed over HTTP to a peer.

``outbox_write`` runs in the state change's transaction. The recipient node comes from
``recipient_node`` or, failing that, from the registry entry serving
``recipient_region_id``; on a single node (``TONGBAN_NODE_ID`` unset) or when that is
this node, delivery is the local call it always was. Otherwise the worker's
``federation.push`` job signs pending rows for that peer into envelopes, POSTs them in
batches to ``{base_url}/federation/inbox`` and reads the peer's signed acknowledgement.
A row not acknowledged is retried with exponential backoff and jitter; after
``TONGBAN_FEDERATION_MAX_ATTEMPTS`` attempts it is a dead letter: node admins are alerted
and ``outbox_replay`` sends it again.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from tongban import config
from tongban.core import signing
from tongban.core.jobs import enqueue
from tongban.federation import schemas
from tongban.federation.consumers import _CONSUMERS, Consumer, apply, consumer, load_domains
from tongban.federation.context import EnvelopeMeta
from tongban.federation.models import InboxMessage, OutboxMessage, OutboxStatus

__all__ = [
    "_CONSUMERS",
    "Consumer",
    "consumer",
    "inbox_accept",
    "outbox_deliver",
    "outbox_write",
]

logger = logging.getLogger("tongban.federation")

PUSH_JOB = "federation.push"
LEASE = timedelta(seconds=120)


def _node_id() -> str | None:
    return config.CONFIG.node_id


def outbox_write(
    *,
    type: str,
    stream: str,
    payload: dict[str, Any],
    recipient_region_id: str | None = None,
    recipient_node: str | None = None,
) -> OutboxMessage:
    """Record a message in the caller's transaction and schedule its delivery.

    A message for another node must carry ``payload["regions"]``: the region codes the
    sending node speaks for in it (the receiver checks the sender serves them)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox messages are written inside the state change's transaction")
    me = _node_id()
    node = recipient_node
    if node is None:
        if recipient_region_id is None:
            raise ValueError("outbox_write needs recipient_region_id or recipient_node")
        if me is not None:
            from tongban.federation.registry import node_for_region

            node = node_for_region(recipient_region_id)
    node = "" if node is None or node == me else node
    load_domains()  # the domains' schemas and consumers are registered on import
    version = schemas.latest_version(type) or 1
    if node:
        if not payload.get("regions"):
            raise ValueError(f"{type}: a message to another node needs payload['regions']")
        problem = schemas.schema_problem(type, version, payload) if schemas.known(type) else None
        if problem:
            raise ValueError(f"{type}: payload does not fit schema v{version} ({problem})")
        signing.canonical_json(payload)  # refuses floats now, not in the worker
    last = (
        OutboxMessage.objects.filter(recipient_node=node, stream=stream).aggregate(m=Max("seq"))[
            "m"
        ]
        or 0
    )
    msg = OutboxMessage.objects.create(
        type=type,
        stream=stream,
        seq=last + 1,
        schema=version,
        recipient_region_id=recipient_region_id,
        recipient_node=node,
        payload=payload,
    )
    if node:
        enqueue(PUSH_JOB, {"node": node}, dedupe_key=f"{PUSH_JOB}:{node}")
    else:
        enqueue("federation.deliver_outbox", {"id": msg.pk})
    return msg


# --- local delivery -----------------------------------------------------------------------


def inbox_accept(
    *,
    message_id: str,
    type: str,
    stream: str,
    seq: int,
    payload: dict[str, Any],
    meta: EnvelopeMeta | None = None,
) -> bool:
    """Apply a message of this node once. Returns False for a duplicate (already applied)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                InboxMessage.objects.create(
                    message_id=message_id,
                    type=type,
                    stream=stream,
                    seq=seq,
                    applied_at=timezone.now(),
                )
        except IntegrityError:
            return False
        apply(type, payload, meta)
    return True


def outbox_deliver(message_pk: int) -> None:
    """Deliver one message to this node's own inbox and mark it delivered."""
    with transaction.atomic():
        msg = OutboxMessage.objects.select_for_update().get(pk=message_pk)
        if msg.status != OutboxStatus.PENDING or msg.recipient_node:
            return
        msg.attempts += 1
        me = _node_id()
        meta = (
            EnvelopeMeta(
                message_id=str(msg.message_id),
                type=msg.type,
                sender=me,
                recipient=me,
                stream=msg.stream,
                seq=msg.seq,
                created_at=msg.created_at.isoformat(),
                schema=msg.schema,
            )
            if me
            else None
        )
        inbox_accept(
            message_id=str(msg.message_id),
            type=msg.type,
            stream=msg.stream,
            seq=msg.seq,
            payload=msg.payload,
            meta=meta,
        )
        msg.status = OutboxStatus.DELIVERED
        msg.delivered_at = timezone.now()
        msg.save(update_fields=["attempts", "status", "delivered_at"])


# --- remote delivery: claiming, outcomes, dead letters ----------------------------------


def backoff(attempts: int, rng: Any = random.random) -> float:
    """Seconds before the next attempt: base·2^(n-1), capped, jitter in [½, 1]."""
    cfg = config.CONFIG
    step = min(
        cfg.federation_retry_cap_seconds,
        cfg.federation_retry_base_seconds * 2 ** max(0, attempts - 1),
    )
    return float(step * (0.5 + 0.5 * rng()))


def _due(now: datetime) -> Q:
    return (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)) & (
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )


def outbox_claim(node: str, *, limit: int, now: datetime | None = None) -> list[OutboxMessage]:
    """Take up to ``limit`` due rows for ``node`` (a short lease, no lock held while
    sending)."""
    now = now or timezone.now()
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(
            _due(now), recipient_node=node, status=OutboxStatus.PENDING
        ).order_by("id")
        rows = list(qs.select_for_update(skip_locked=True)[:limit])
        if rows:
            OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
                locked_until=now + LEASE
            )
    return rows


def outbox_settle(
    delivered: list[int], failed: dict[int, str], *, now: datetime | None = None
) -> list[int]:
    """Record the outcome of one send. Returns the ids that became dead letters."""
    now = now or timezone.now()
    dead: list[int] = []
    limit = config.CONFIG.federation_max_attempts
    with transaction.atomic():
        if delivered:
            OutboxMessage.objects.filter(pk__in=delivered).update(
                status=OutboxStatus.DELIVERED,
                delivered_at=now,
                attempts=F("attempts") + 1,
                locked_until=None,
                last_error="",
            )
        for msg in OutboxMessage.objects.filter(pk__in=list(failed)).only("attempts"):
            attempts = msg.attempts + 1
            fields: dict[str, Any] = {
                "attempts": attempts,
                "locked_until": None,
                "last_error": failed[msg.pk][-2000:],
            }
            if attempts >= limit:
                fields["status"] = OutboxStatus.DEAD
                dead.append(msg.pk)
            else:
                fields["next_attempt_at"] = now + timedelta(seconds=backoff(attempts))
            OutboxMessage.objects.filter(pk=msg.pk).update(**fields)
        if dead:
            _alert_dead(dead)
    return dead


def _alert_dead(ids: list[int]) -> None:
    from tongban.federation.alerts import alert_node_admins

    rows = OutboxMessage.objects.filter(pk__in=ids)
    peers = sorted({r.recipient_node for r in rows})
    logger.error("federation: %s message(s) to %s are dead letters", len(ids), ", ".join(peers))
    alert_node_admins(
        subject=f"节点消息投递失败：{len(ids)} 条进入死信队列",
        body=(
            f"发往节点 {'、'.join(peers)} 的 {len(ids)} 条消息多次投递失败，已转入死信队列。"
            "请检查对方节点与网络后，在节点管理页重新投递："
            f"{config.CONFIG.public_url}/workbench/node/#dead-letters（或 tongban node replay）。"
        ),
    )


def next_retry_at(node: str) -> datetime | None:
    return OutboxMessage.objects.filter(recipient_node=node, status=OutboxStatus.PENDING).aggregate(
        m=Min("next_attempt_at")
    )["m"]


def nodes_with_due(now: datetime | None = None) -> list[str]:
    now = now or timezone.now()
    return sorted(
        set(
            OutboxMessage.objects.filter(_due(now), status=OutboxStatus.PENDING)
            .exclude(recipient_node="")
            .values_list("recipient_node", flat=True)
            .distinct()
        )
    )


# --- dead letters -----------------------------------------------------------------------


def outbox_replay(*, actor: Any, message_ids: list[int] | None = None) -> int:
    """A node admin sends dead letters again (all, or the given ones) with fresh attempts."""
    from tongban.accounts.models import Role
    from tongban.accounts.services import require_role

    require_role(actor, Role.NODE_ADMIN)
    now = timezone.now()
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(status=OutboxStatus.DEAD)
        if message_ids is not None:
            qs = qs.filter(pk__in=message_ids)
        nodes = set(qs.values_list("recipient_node", flat=True))
        n = qs.update(
            status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now, locked_until=None
        )
        for node in nodes:
            if node:
                enqueue(PUSH_JOB, {"node": node}, dedupe_key=f"{PUSH_JOB}:{node}")
    return n


def outbox_dead_letters(*, limit: int = 200) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(status=OutboxStatus.DEAD).order_by("id")[:limit])
