"""The ``federation.push`` job: sign pending outbox rows for one peer and POST them.

Each batch: claim rows (lease), sign an envelope per row (``sent_at`` = now), log the
attempts, POST ``{"envelopes": [...]}`` to the peer's inbox, verify its signed
acknowledgement and settle each row: ``accepted`` / ``held`` / ``duplicate`` mean the peer
has it durably (delivered); anything else, or no valid answer, is a failed attempt.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.utils import timezone

from tongban import config
from tongban.core.jobs import enqueue
from tongban.core.models import Job, JobStatus
from tongban.federation.ack import ack_open
from tongban.federation.envelope import make_header, seal
from tongban.federation.errors import FederationUnavailable
from tongban.federation.identity import node_signer, require_node_id
from tongban.federation.log import log_append, record_of
from tongban.federation.models import LogDirection, OutboxMessage
from tongban.federation.outbox import (
    PUSH_JOB,
    next_retry_at,
    outbox_claim,
    outbox_settle,
)
from tongban.federation.registry import registry_current
from tongban.federation.transport import TransportError, post_json

logger = logging.getLogger("tongban.federation")

DELIVERED_STATES = {"accepted", "held", "duplicate"}


def wire_of(msg: OutboxMessage, *, me: str, now: Any, signer: Any) -> dict[str, Any]:
    header = make_header(
        kind="message",
        type=msg.type,
        sender=me,
        recipient=msg.recipient_node,
        payload=msg.payload,
        created_at=msg.created_at,
        sent_at=now,
        message_id=str(msg.message_id),
        schema=msg.schema,
        stream=msg.stream,
        seq=msg.seq,
    )
    return seal(header, msg.payload, signer)


def push_batch(node: str, *, limit: int | None = None) -> tuple[int, int]:
    """Send one batch to ``node``. Returns (claimed, delivered)."""
    me = require_node_id()
    rows = outbox_claim(node, limit=limit or config.CONFIG.federation_batch_size)
    if not rows:
        return 0, 0
    now = timezone.now()
    try:
        registry = registry_current(now=now)
        entry = registry.nodes.get(node)
        if entry is None:
            raise FederationUnavailable("peer_unknown", details=node)
        signer = node_signer(now)
    except FederationUnavailable as exc:
        outbox_settle([], {r.pk: exc.code for r in rows})
        return len(rows), 0
    wires = [wire_of(r, me=me, now=now, signer=signer) for r in rows]
    log_append(
        record_of(
            w["header"],
            direction=LogDirection.SENT,
            signature=w["signature"]["value"],
            kid=w["signature"]["kid"],
        )
        for w in wires
    )
    failed: dict[int, str] = {}
    delivered: list[int] = []
    by_id = {str(r.message_id): r.pk for r in rows}
    try:
        status, answer = post_json(
            f"{entry.base_url}/federation/inbox",
            {"envelopes": wires},
            timeout=config.CONFIG.federation_http_timeout,
        )
        results = ack_open(
            answer,
            peer=node,
            me=me,
            registry=registry,
            now=timezone.now(),
            window=timedelta(seconds=config.CONFIG.federation_clock_window_seconds),
        )
        if results is None:
            reason = answer.get("code") if isinstance(answer, dict) else None
            raise TransportError(f"HTTP {status}: {reason or 'no valid signed acknowledgement'}")
        seen = {str(res.get("id")): res for res in results if isinstance(res, dict)}
        for mid, pk in by_id.items():
            res = seen.get(mid)
            if res and res.get("status") in DELIVERED_STATES:
                delivered.append(pk)
            else:
                failed[pk] = f"{res.get('status')}: {res.get('reason', '')}" if res else "no answer"
    except TransportError as exc:
        failed = {pk: f"peer_unreachable: {exc}" for pk in by_id.values()}
    dead = outbox_settle(delivered, failed)
    if failed:
        logger.warning(
            "federation: %s of %s to %s not delivered (%s dead)",
            len(failed),
            len(rows),
            node,
            len(dead),
        )
    return len(rows), len(delivered)


def _release_dedupe_keys(node: str) -> None:
    """Let rows written from now on queue a new push: while this job runs it would
    otherwise absorb their enqueue (same dedupe key) and end before seeing them."""
    keys = [f"{PUSH_JOB}:{node}", f"{PUSH_JOB}:{node}:retry"]
    Job.objects.filter(name=PUSH_JOB, status=JobStatus.RUNNING, dedupe_key__in=keys).update(
        dedupe_key=None
    )


def push(node: str, *, max_seconds: float = 45.0) -> int:
    """Send batches to ``node`` until nothing is due (or ``max_seconds`` passed: then a
    fresh push job continues, so a job's lease stays short — a worker killed mid-push
    holds up its peer's messages for one lease at most); schedule the next retry."""
    _release_dedupe_keys(node)
    total = 0
    started = time.monotonic()
    while True:
        claimed, delivered = push_batch(node)
        total += delivered
        if claimed == 0 or delivered == 0:
            break
        if time.monotonic() - started > max_seconds:
            enqueue(PUSH_JOB, {"node": node}, dedupe_key=f"{PUSH_JOB}:{node}")
            return total
    retry = next_retry_at(node)
    if retry is not None:
        enqueue(
            PUSH_JOB,
            {"node": node},
            run_at=max(retry, timezone.now()),
            dedupe_key=f"{PUSH_JOB}:{node}:retry",
        )
    return total
