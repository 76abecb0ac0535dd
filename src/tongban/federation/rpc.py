"""Synchronous signed request/response between nodes (evidence queries and the like).

``call(node_id, type, payload)`` signs a ``request`` envelope, POSTs it to the peer's
``/federation/rpc`` and returns the ``result`` of the peer's signed ``response``
envelope. The peer runs the ``@query_handler(type)`` registered for it as
``handler(payload, requester_node) -> dict``. Both envelopes are logged on both sides.
A handler's coded error travels back signed and is raised on the caller as
``PeerError`` with the same code. Calling this node (or on a single node) runs the handler
directly with ``requester_node`` = this node's id (or ``""``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban import config
from tongban.core.errors import TongbanError
from tongban.federation.envelope import Opened, Rejected, make_header, open_envelope, seal
from tongban.federation.errors import FederationUnavailable, PeerError
from tongban.federation.identity import node_signer, require_node_id, this_node_id
from tongban.federation.log import log_append, record_of
from tongban.federation.models import InboxMessage, LogDirection
from tongban.federation.registry import node_entry, registry_current
from tongban.federation.transport import TransportError, post_json

logger = logging.getLogger("tongban.federation")

QueryHandler = Callable[[dict[str, Any], str], dict[str, Any]]
_HANDLERS: dict[str, QueryHandler] = {}


def query_handler(type: str) -> Callable[[QueryHandler], QueryHandler]:
    def register(func: QueryHandler) -> QueryHandler:
        _HANDLERS[type] = func
        return func

    return register


def _handler(type: str) -> QueryHandler | None:
    from tongban.federation.consumers import load_domains

    load_domains()  # query handlers live next to consumers in the domains' modules
    return _HANDLERS.get(type)


def _window() -> timedelta:
    return timedelta(seconds=config.CONFIG.federation_clock_window_seconds)


def _log(wire: dict[str, Any], direction: str) -> None:
    log_append(
        [
            record_of(
                wire["header"],
                direction=direction,
                signature=wire["signature"]["value"],
                kid=wire["signature"]["kid"],
            )
        ]
    )


def call(
    node_id: str, type: str, payload: dict[str, Any], *, timeout: float = 10.0
) -> dict[str, Any]:
    me = this_node_id()
    if me is None or node_id == me:
        handler = _handler(type)
        if handler is None:
            raise FederationUnavailable("type_unknown", details=type)
        return handler(payload, me or "")
    entry = node_entry(node_id)
    now = timezone.now()
    header = make_header(
        kind="request",
        type=type,
        sender=me,
        recipient=node_id,
        payload=payload,
        created_at=now,
        sent_at=now,
    )
    wire = seal(header, payload, node_signer(now))
    _log(wire, LogDirection.SENT)
    try:
        status, answer = post_json(f"{entry.base_url}/federation/rpc", wire, timeout=timeout)
    except TransportError as exc:
        raise FederationUnavailable("peer_unreachable", details=str(exc)) from exc
    if status != 200:
        code = answer.get("code") if isinstance(answer, dict) else None
        raise PeerError("peer_rejected", details={"status": status, "reason": code})
    try:
        opened = open_envelope(
            answer,
            registry=registry_current(),
            me=me,
            now=timezone.now(),
            window=_window(),
            kind="response",
            require_regions=False,
        )
    except Rejected as exc:
        raise PeerError("peer_answer_invalid", details=exc.reason) from exc
    h = opened.header
    if h["sender"] != node_id or h["reply_to"] != header["id"] or h["type"] != type:
        raise PeerError("peer_answer_invalid", details="not the answer to this request")
    _log(answer, LogDirection.RECEIVED)
    error = opened.payload.get("error")
    if isinstance(error, dict):
        raise PeerError(
            str(error.get("code", "peer_error")),
            str(error.get("message") or "") or None,
            details={"node": node_id},
        )
    result = opened.payload.get("result")
    if not isinstance(result, dict):
        raise PeerError("peer_answer_invalid", details="no result")
    return result


def rpc_answer(wire: Any) -> tuple[int, dict[str, Any]]:
    """Answer one request envelope: (HTTP status, body). Rejections answer 403 with the
    reason code (unsigned: the requester could not be trusted with more)."""
    me = require_node_id()
    now = timezone.now()
    registry = registry_current(now=now)
    try:
        req: Opened = open_envelope(
            wire,
            registry=registry,
            me=me,
            now=now,
            window=_window(),
            kind="request",
            require_regions=False,
        )
    except Rejected as exc:
        sig = wire.get("signature") if isinstance(wire, dict) else {}
        log_append(
            [
                record_of(
                    exc.header or {},
                    direction=LogDirection.REJECTED,
                    signature=str((sig or {}).get("value", "")),
                    reason=exc.reason,
                )
            ]
        )
        return 403, {"code": exc.reason}
    h = req.header
    handler = _handler(h["type"])
    received = record_of(
        h, direction=LogDirection.RECEIVED, signature=req.signature, kid=req.key.fingerprint
    )
    if handler is None:
        log_append([{**received, "direction": LogDirection.REJECTED, "reason": "type_unknown"}])
        return 403, {"code": "type_unknown"}
    body: dict[str, Any]
    try:
        with transaction.atomic():
            InboxMessage.objects.create(
                message_id=h["id"],
                type=h["type"],
                sender=h["sender"],
                stream="",
                seq=0,
                applied_at=now,
            )
            log_append([received])
            body = {"result": handler(req.payload, h["sender"])}
    except IntegrityError:
        log_append([{**received, "direction": LogDirection.REJECTED, "reason": "duplicate"}])
        return 403, {"code": "duplicate"}
    except TongbanError as exc:
        body = {"error": {"code": exc.code, "message": exc.message}}
        log_append([received])
    except Exception:
        logger.exception("federation: query handler %s failed", h["type"])
        body = {"error": {"code": "rpc_handler_error", "message": ""}}
        log_append([received])
    answer_at = timezone.now()
    answer_header = make_header(
        kind="response",
        type=h["type"],
        sender=me,
        recipient=h["sender"],
        payload=body,
        created_at=answer_at,
        sent_at=answer_at,
        reply_to=h["id"],
    )
    answer = seal(answer_header, body, node_signer(answer_at))
    _log(answer, LogDirection.SENT)
    return 200, answer
