"""The signed envelope every message between nodes travels in.

Wire form (JSON)::

    {"header": {"v": 1, "id": <uuid>, "kind": "message" | "request" | "response",
                "type": "cn.tongban.case.handed-off", "schema": 1,
                "sender": "panzhihua", "recipient": "changzhi",
                "stream": <case number>, "seq": 3, "reply_to": "",
                "regions": ["510400"], "created_at": <ISO>, "sent_at": <ISO>,
                "payload_sm3": <hex>},
     "payload": {...},
     "signature": {"alg": "sm2", "kid": <key fingerprint>, "value": <base64>}}

The signature covers ``canonical_json(header)``; the header binds the payload through its
SM3 digest, so the log can keep headers and digests without payloads.

Batch signing (``seal_batch``): a sender may sign a whole POSTed batch in one pass. The
POST then carries a manifest ``{"body": {"v", "sender", "recipient", "digests": [SM3 of
each canonical header]}, "signature": {...}}`` and each envelope's signature is the
manifest's, plus ``"batch": <its index in digests>``. The receiver verifies the manifest
signature once per batch and, per envelope, that its header's digest is at its index and
the manifest names the same sender and recipient — the same guarantee as a signature per
envelope (SM3 binds header and payload), at one SM2 operation per batch instead of per
message. Every other check stays per envelope (docs/adr/0008). ``created_at`` is
when the message was written (fixed); ``sent_at`` is this attempt's signing time, the one
the receiver's replay window applies to — a retry an hour later is re-signed, not stale.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tongban.core import signing
from tongban.federation.context import EnvelopeMeta
from tongban.federation.registry import NodeKey, Registry, iso, parse_time

VERSION = 1
KINDS = ("message", "request", "response")
_HEADER_FIELDS: dict[str, type | tuple[type, ...]] = {
    "v": int,
    "id": str,
    "kind": str,
    "type": str,
    "schema": int,
    "sender": str,
    "recipient": str,
    "stream": str,
    "seq": int,
    "reply_to": str,
    "regions": list,
    "created_at": str,
    "sent_at": str,
    "payload_sm3": str,
}


class Rejected(Exception):
    """An envelope this node refuses; ``reason`` is the logged reason code."""

    def __init__(self, reason: str, header: dict[str, Any] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.header = header


def payload_digest(payload: dict[str, Any]) -> str:
    return signing.sm3_hex(signing.canonical_json(payload))


def make_header(
    *,
    kind: str,
    type: str,
    sender: str,
    recipient: str,
    payload: dict[str, Any],
    created_at: datetime,
    sent_at: datetime,
    message_id: str | None = None,
    schema: int = 1,
    stream: str = "",
    seq: int = 0,
    reply_to: str = "",
) -> dict[str, Any]:
    regions = payload.get("regions") or []
    return {
        "v": VERSION,
        "id": message_id or str(uuid.uuid4()),
        "kind": kind,
        "type": type,
        "schema": schema,
        "sender": sender,
        "recipient": recipient,
        "stream": stream,
        "seq": seq,
        "reply_to": reply_to,
        "regions": [str(r) for r in regions],
        "created_at": iso(created_at),
        "sent_at": iso(sent_at),
        "payload_sm3": payload_digest(payload),
    }


def seal(header: dict[str, Any], payload: dict[str, Any], signer: signing.Signer) -> dict[str, Any]:
    sig = signer.sign(signing.canonical_json(header))
    return {
        "header": header,
        "payload": payload,
        "signature": {
            "alg": signer.algorithm,
            "kid": signing.key_fingerprint(signer.public_pem),
            "value": signing.b64(sig),
        },
    }


def header_digest(header: dict[str, Any]) -> str:
    return signing.sm3_hex(signing.canonical_json(header))


def seal_batch(
    items: list[tuple[dict[str, Any], dict[str, Any]]],
    signer: signing.Signer,
    *,
    sender: str,
    recipient: str,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Sign (header, payload) pairs with one signature over their header digests.
    Returns the wires and the manifest to POST alongside them."""
    body = {
        "v": VERSION,
        "sender": sender,
        "recipient": recipient,
        "digests": [header_digest(h) for h, _ in items],
    }
    signature = {
        "alg": signer.algorithm,
        "kid": signing.key_fingerprint(signer.public_pem),
        "value": signing.b64(signer.sign(signing.canonical_json(body))),
    }
    wires = [
        {"header": h, "payload": p, "signature": {**signature, "batch": i}}
        for i, (h, p) in enumerate(items)
    ]
    return wires, {"body": body, "signature": signature}


class Manifest:
    """A POSTed batch manifest. Its signature is verified once per key (memoised), each
    envelope's place in it per envelope."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self._verified: dict[str, bool] = {}

    def covers(self, header: dict[str, Any], sig: dict[str, Any], key: NodeKey) -> bool:
        try:
            body, msig = self.raw["body"], self.raw["signature"]
            index = sig["batch"]
            if not isinstance(index, int) or isinstance(index, bool) or index < 0:
                return False
            if any(msig.get(k) != sig.get(k) for k in ("alg", "kid", "value")):
                return False
            if (body.get("v"), body.get("sender"), body.get("recipient")) != (
                VERSION,
                header["sender"],
                header["recipient"],
            ):
                return False
            digests = body["digests"]
            if not isinstance(digests, list) or index >= len(digests):
                return False
            if digests[index] != header_digest(header):
                return False
            if key.fingerprint not in self._verified:
                self._verified[key.fingerprint] = signing.verify(
                    key.alg,
                    key.public_pem,
                    signing.canonical_json(body),
                    signing.unb64(str(msig["value"])),
                )
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        return self._verified[key.fingerprint]


@dataclass(frozen=True)
class Opened:
    header: dict[str, Any]
    payload: dict[str, Any]
    signature: str
    key: NodeKey

    @property
    def meta(self) -> EnvelopeMeta:
        return meta_of(self.header)


def meta_of(h: dict[str, Any]) -> EnvelopeMeta:
    return EnvelopeMeta(
        message_id=h["id"],
        type=h["type"],
        sender=h["sender"],
        recipient=h["recipient"],
        stream=h["stream"],
        seq=h["seq"],
        created_at=h["created_at"],
        schema=h["schema"],
    )


def _well_formed(wire: Any) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    if not isinstance(wire, dict):
        raise Rejected("envelope_malformed")
    header, payload, sig = wire.get("header"), wire.get("payload"), wire.get("signature")
    if not isinstance(header, dict) or not isinstance(payload, dict) or not isinstance(sig, dict):
        raise Rejected("envelope_malformed", header if isinstance(header, dict) else None)
    for name, kind in _HEADER_FIELDS.items():
        value = header.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise Rejected("envelope_malformed", header)
    if header["v"] != VERSION or header["kind"] not in KINDS or len(header["id"]) > 64:
        raise Rejected("envelope_malformed", header)
    try:
        uuid.UUID(header["id"])
        parse_time(header["created_at"])
        parse_time(header["sent_at"])
    except ValueError as exc:
        raise Rejected("envelope_malformed", header) from exc
    return header, payload, sig


def open_envelope(
    wire: Any,
    *,
    registry: Registry,
    me: str,
    now: datetime,
    window: timedelta,
    kind: str = "message",
    require_regions: bool = True,
    manifest: Manifest | None = None,
) -> Opened:
    """Every check that needs no database, in a fixed order; ``Rejected(reason)`` on the
    first failure. Duplicates, schemas and sequencing are the inbox's business."""
    header, payload, sig = _well_formed(wire)
    if header["kind"] != kind:
        raise Rejected("envelope_malformed", header)
    if header["recipient"] != me:
        raise Rejected("recipient_mismatch", header)
    entry = registry.nodes.get(header["sender"])
    if entry is None or header["sender"] == me:
        raise Rejected("sender_unknown", header)
    if not entry.valid_at(now):
        raise Rejected("sender_expired", header)
    sent_at = parse_time(header["sent_at"])
    key = next((k for k in entry.keys if k.fingerprint == sig.get("kid")), None)
    if key is None or key.alg != sig.get("alg"):
        raise Rejected("key_unknown", header)
    if not key.valid_at(sent_at) or not key.valid_at(now):
        raise Rejected("key_expired", header)
    if payload_digest_safe(payload) != header["payload_sm3"]:
        raise Rejected("payload_digest_mismatch", header)
    if "batch" in sig:  # signed as part of a batch (seal_batch)
        if manifest is None or not manifest.covers(header, sig, key):
            raise Rejected("signature_invalid", header)
    else:
        try:
            value = signing.unb64(str(sig.get("value", "")))
        except ValueError as exc:
            raise Rejected("signature_invalid", header) from exc
        if not signing.verify(key.alg, key.public_pem, signing.canonical_json(header), value):
            raise Rejected("signature_invalid", header)
    if abs(now - sent_at) > window:
        raise Rejected("timestamp_outside_window", header)
    regions = header["regions"]
    if require_regions and not regions:
        raise Rejected("regions_missing", header)
    if not all(isinstance(r, str) and entry.serves(r) for r in regions):
        raise Rejected("region_not_served", header)
    if [str(r) for r in payload.get("regions") or []] != regions:
        raise Rejected("region_not_served", header)
    return Opened(header, payload, str(sig.get("value")), key)


def payload_digest_safe(payload: dict[str, Any]) -> str | None:
    try:
        return payload_digest(payload)
    except (TypeError, ValueError):
        return None
