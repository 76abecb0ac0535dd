"""The two endpoints peers call: ``POST /federation/inbox`` (a batch of message
envelopes, answered with a signed acknowledgement) and ``POST /federation/rpc`` (one
request envelope, answered with a signed response envelope). Authentication is the
envelope signature; there is no session, hence no CSRF."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from tongban import config
from tongban.federation.ack import ack_sign
from tongban.federation.errors import FederationUnavailable
from tongban.federation.inbox import inbox_receive
from tongban.federation.rpc import rpc_answer

MAX_BATCH = 1000


def _body(request: HttpRequest) -> Any:
    try:
        return json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _error(code: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code}, status=status)


@csrf_exempt
@require_POST
def inbox(request: HttpRequest) -> JsonResponse:
    me = config.CONFIG.node_id
    if not me:
        return _error("node_not_configured", 404)
    body = _body(request)
    wires = body.get("envelopes") if isinstance(body, dict) else None
    if not isinstance(wires, list) or len(wires) > MAX_BATCH:
        return _error("envelope_malformed", 400)
    try:
        outcomes = inbox_receive(wires, manifest=body.get("manifest"))
    except FederationUnavailable as exc:
        return _error(exc.code, 503)
    senders = {w["header"].get("sender") for w in wires if _has_header(w)}
    to = senders.pop() if len(senders) == 1 else ""
    ack = ack_sign(me=me, to=str(to), results=[o.as_dict() for o in outcomes], now=timezone.now())
    return JsonResponse(ack)


def _has_header(w: Any) -> bool:
    return isinstance(w, dict) and isinstance(w.get("header"), dict)


@csrf_exempt
@require_POST
def rpc(request: HttpRequest) -> JsonResponse:
    if not config.CONFIG.node_id:
        return _error("node_not_configured", 404)
    try:
        status, body = rpc_answer(_body(request))
    except FederationUnavailable as exc:
        return _error(exc.code, 503)
    return JsonResponse(body, status=status)
