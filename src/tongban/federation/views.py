"""The two endpoints peers call: ``POST /federation/inbox`` (a batch of message
envelopes, answered with a signed acknowledgement) and ``POST /federation/rpc`` (one
request envelope, answered with a signed response envelope). Authentication is the
envelope signature; there is no session, hence no CSRF.

And the node administrator's page (/workbench/node/, session + CSRF): this node's
identity, keys, registry, delivery queue per peer and dead letters, with a replay
button — the same selector and service as ``tongban node status|dead-letters|replay``."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from tongban import config
from tongban.core.errors import PermissionDenied, TongbanError, ValidationFailed
from tongban.federation.ack import ack_sign
from tongban.federation.errors import FederationUnavailable
from tongban.federation.inbox import inbox_receive
from tongban.federation.outbox import outbox_replay
from tongban.federation.rpc import rpc_answer
from tongban.federation.selectors import node_overview

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


# ---- node administration (role node_admin) ---------------------------------------------


def _node_page(request: HttpRequest, *, error: TongbanError | None = None) -> HttpResponse:
    try:
        overview = node_overview(request.user)
    except PermissionDenied as exc:
        return render(
            request,
            "cases/staff/forbidden.html",
            {"message": f"节点管理页面仅向节点管理员开放（{exc.code}）"},
            status=403,
        )
    context = {
        "o": overview,
        "error": f"{error.message}（{error.code}）" if error else "",
        "error_code": error.code if error else "",
    }
    return render(request, "federation/node.html", context, status=error.status if error else 200)


@require_GET
def node_page(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _node_page(request)


@require_POST
def node_replay(request: HttpRequest) -> HttpResponse:
    """Send dead letters again: one (``message``) or all of them (``all``)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("workbench:node:page"))
    raw = request.POST.get("message", "")
    try:
        if raw and not raw.isdigit():
            raise ValidationFailed("invalid_input", "死信编号不正确", field="message")
        if not raw and request.POST.get("all") != "1":
            raise ValidationFailed("invalid_input", "请选择要重新投递的死信", field="message")
        n = outbox_replay(actor=request.user, message_ids=[int(raw)] if raw else None)
        if n == 0:
            raise ValidationFailed("dead_letter_not_found", field="message")
    except PermissionDenied:
        return _node_page(request)  # the page says who may use it
    except TongbanError as exc:
        return _node_page(request, error=exc)
    messages.success(request, f"已重新排队 {n} 条消息，等待后台任务投递")
    return redirect(reverse("workbench:node:page") + "#dead-letters")
