"""The ``federation.push`` job: sign pending outbox rows for one peer and POST them.

Each round: claim rows (lease), split them by stream into ``TONGBAN_FEDERATION_LANES``
lanes (a stream always travels in one lane, in order), sign each lane's batch in one pass
(a manifest, ``envelope.seal_batch``; ``sent_at`` = now), log the attempts, POST the
lanes' ``{"envelopes": [...], "manifest": ...}`` concurrently to the peer's inbox (two
batches in flight: the peer applies them in parallel, as they share no stream), verify
each signed acknowledgement and settle each row: ``accepted`` / ``held`` / ``duplicate``
mean the peer has it durably (delivered); anything else, or no valid answer, is a failed attempt.
"""

from __future__ import annotations

import logging
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial
from typing import Any

from django.utils import timezone

from tongban import config
from tongban.core.jobs import enqueue
from tongban.core.models import Job, JobStatus
from tongban.federation.ack import ack_open
from tongban.federation.envelope import make_header, seal, seal_batch
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


def header_of(msg: OutboxMessage, *, me: str, now: Any) -> dict[str, Any]:
    return make_header(
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


def wire_of(msg: OutboxMessage, *, me: str, now: Any, signer: Any) -> dict[str, Any]:
    return seal(header_of(msg, me=me, now=now), msg.payload, signer)


def sign_batch(
    rows: list[OutboxMessage], *, me: str, node: str, now: Any, signer: Any
) -> dict[str, Any]:
    """The POST body: envelopes signed in one pass (a manifest) or one by one."""
    if not config.CONFIG.federation_batch_signing:
        return {"envelopes": [wire_of(r, me=me, now=now, signer=signer) for r in rows]}
    items = [(header_of(r, me=me, now=now), r.payload) for r in rows]
    wires, manifest = seal_batch(items, signer, sender=me, recipient=node)
    return {"envelopes": wires, "manifest": manifest}


def lanes_of(rows: list[OutboxMessage], lanes: int, size: int) -> list[list[list[OutboxMessage]]]:
    """Split claimed rows into ``lanes`` by stream (a stream always in the same lane, in
    id order), each lane into POSTs of at most ``size`` envelopes."""
    split: list[list[OutboxMessage]] = [[] for _ in range(max(1, lanes))]
    for r in rows:
        split[zlib.crc32(r.stream.encode("utf-8")) % len(split)].append(r)
    return [[lane[i : i + size] for i in range(0, len(lane), size)] for lane in split if lane]


def _post_lane(
    bodies: list[dict[str, Any]], *, url: str, node: str, me: str, registry: Any
) -> dict[str, dict[str, Any] | str]:
    """POST a lane's batches one after another (no database here: runs in a thread).
    Returns message id -> the peer's result, or the error that kept it from the peer."""
    out: dict[str, dict[str, Any] | str] = {}
    for k, body in enumerate(bodies):
        ids = [str(w["header"]["id"]) for w in body["envelopes"]]
        try:
            status, answer = post_json(url, body, timeout=config.CONFIG.federation_http_timeout)
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
                raise TransportError(
                    f"HTTP {status}: {reason or 'no valid signed acknowledgement'}"
                )
        except TransportError as exc:
            # This batch and the lane's later ones (their streams continue there) wait.
            for later in bodies[k:]:
                for w in later["envelopes"]:
                    out[str(w["header"]["id"])] = f"peer_unreachable: {exc}"
            return out
        seen = {str(res.get("id")): res for res in results if isinstance(res, dict)}
        for mid in ids:
            out[mid] = seen.get(mid) or "no answer"
    return out


def push_batch(node: str, *, limit: int | None = None) -> tuple[int, int]:
    """Send one round to ``node``: up to ``lanes`` x ``limit`` rows, split by stream into
    lanes POSTed concurrently (each stream in one lane, in order). Returns (claimed,
    delivered)."""
    me = require_node_id()
    size = limit or config.CONFIG.federation_batch_size
    lanes = max(1, config.CONFIG.federation_lanes)
    rows = outbox_claim(node, limit=size * lanes)
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
    plan = [
        [sign_batch(chunk, me=me, node=node, now=now, signer=signer) for chunk in lane]
        for lane in lanes_of(rows, lanes, size)
    ]
    log_append(
        record_of(
            w["header"],
            direction=LogDirection.SENT,
            signature=w["signature"]["value"],
            kid=w["signature"]["kid"],
        )
        for lane in plan
        for body in lane
        for w in body["envelopes"]
    )
    url = f"{entry.base_url}/federation/inbox"
    post = partial(_post_lane, url=url, node=node, me=me, registry=registry)
    answers: dict[str, dict[str, Any] | str] = {}
    if len(plan) == 1:
        answers.update(post(plan[0]))
    else:
        with ThreadPoolExecutor(max_workers=len(plan)) as pool:
            for part in pool.map(post, plan):
                answers.update(part)
    failed: dict[int, str] = {}
    delivered: list[int] = []
    for r in rows:
        res = answers.get(str(r.message_id), "no answer")
        if isinstance(res, dict) and res.get("status") in DELIVERED_STATES:
            delivered.append(r.pk)
        elif isinstance(res, dict):
            failed[r.pk] = f"{res.get('status')}: {res.get('reason', '')}"
        else:
            failed[r.pk] = res
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
