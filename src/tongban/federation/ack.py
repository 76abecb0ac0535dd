"""The receiver's signed acknowledgement of a batch: without it a forged "accepted" from
someone between the nodes could make the sender drop a message it never delivered."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tongban.core import signing
from tongban.federation.identity import node_signer
from tongban.federation.registry import Registry, iso, parse_time


def ack_sign(*, me: str, to: str, results: list[dict[str, str]], now: datetime) -> dict[str, Any]:
    body = {"node": me, "to": to, "at": iso(now), "results": results}
    signer = node_signer(now)
    return {
        "ack": body,
        "signature": {
            "alg": signer.algorithm,
            "kid": signing.key_fingerprint(signer.public_pem),
            "value": signing.b64(signer.sign(signing.canonical_json(body))),
        },
    }


def ack_open(
    answer: Any, *, peer: str, me: str, registry: Registry, now: datetime, window: timedelta
) -> list[dict[str, str]] | None:
    """The results of a genuine acknowledgement from ``peer`` to ``me``; None otherwise."""
    try:
        body, sig = answer["ack"], answer["signature"]
        if body["node"] != peer or body["to"] != me:
            return None
        if abs(now - parse_time(body["at"])) > window:
            return None
        entry = registry.nodes[peer]
        key = next(k for k in entry.keys if k.fingerprint == sig["kid"])
        ok = key.valid_at(now) and signing.verify(
            key.alg, key.public_pem, signing.canonical_json(body), signing.unb64(sig["value"])
        )
        results = body["results"]
    except (KeyError, TypeError, ValueError, StopIteration):
        return None
    return results if ok and isinstance(results, list) else None
