"""The signed form of a licence and the checks on it.

The payload is built from the licence's columns at issue; its canonical JSON (the exact
bytes signed) is stored with the licence (``Licence.signed_data``). Verification checks the
signature over those stored bytes and then compares the payload they carry with the
licence's current columns, so a changed column is still ``tampered`` and what is shown
comes from signed bytes. The payload names the issuing node and the key fingerprint, so a
PDF carrying it can be checked against that node's registered keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from tongban.core.signing import (
    Verifier,
    b64,
    canonical_json,
    key_fingerprint,
    load_verifier,
    unb64,
    verify,
)
from tongban.licences.keys import issuer_public_keys, issuing_signer, node_id

PAYLOAD_VERSION = 1
_fingerprint = lru_cache(maxsize=64)(key_fingerprint)
SIG_OK, SIG_TAMPERED, SIG_UNKNOWN_ISSUER = "ok", "tampered", "unknown_issuer"


@dataclass(frozen=True)
class Signed:
    payload: dict[str, Any]
    algorithm: str
    fingerprint: str
    issuer_node: str
    signature: str  # base64


def _day(d: date | str | None) -> str:
    if not d:
        return ""
    return d.isoformat() if isinstance(d, date) else str(d)[:10]


def build_payload(
    *,
    identifier: str,
    type_code: str,
    type_name: str,
    number: str,
    issuer_code: str,
    issuer_name: str,
    issuer_node: str,
    fingerprint: str,
    algorithm: str,
    region_code: str,
    holder_name: str,
    holder_code_type: str,
    holder_code: str,
    issue_date: date | str,
    valid_from: date | str,
    valid_to: date | str | None,
    fields: dict[str, Any],
    predecessor: str,
) -> dict[str, Any]:
    return {
        "v": PAYLOAD_VERSION,
        "identifier": identifier,
        "type_code": type_code,
        "type_name": type_name,
        "number": number,
        "issuer_code": issuer_code,
        "issuer_name": issuer_name,
        "issuer_node": issuer_node,
        "key": fingerprint,
        "alg": algorithm,
        "region_code": region_code,
        "holder_name": holder_name,
        "holder_code_type": holder_code_type,
        "holder_code": holder_code,
        "issue_date": _day(issue_date),
        "valid_from": _day(valid_from),
        "valid_to": _day(valid_to),
        "fields": {str(k): str(v) for k, v in fields.items()},
        "predecessor": predecessor,
    }


def payload_of(licence: Any) -> dict[str, Any]:
    """The payload as the licence's current columns say it (``licence`` is a Licence)."""
    return build_payload(
        identifier=licence.identifier,
        type_code=licence.type.code,
        type_name=licence.type.name,
        number=licence.number,
        issuer_code=licence.issuer_code,
        issuer_name=licence.issuer_name,
        issuer_node=licence.issuer_node,
        fingerprint=licence.key_fingerprint,
        algorithm=licence.signature_alg,
        region_code=licence.region_code,
        holder_name=licence.holder_name,
        holder_code_type=licence.holder_code_type,
        holder_code=licence.holder_code,
        issue_date=licence.issue_date,
        valid_from=licence.valid_from,
        valid_to=licence.valid_to,
        fields=licence.fields,
        predecessor=licence.predecessor.identifier if licence.predecessor_id else "",
    )


def signer_identity() -> tuple[str, str, str]:
    """(node id, algorithm, key fingerprint) the next signature will carry."""
    signer = issuing_signer()
    return node_id(), signer.algorithm, key_fingerprint(signer.public_pem)


def sign_payload(payload: dict[str, Any]) -> tuple[str, str]:
    """(signed data, base64 signature): the canonical JSON text of ``payload`` — whose
    UTF-8 bytes are what is signed — and the signature over it."""
    data = canonical_json(payload)
    return data.decode("utf-8"), b64(issuing_signer().sign(data))


def issuer_verifier(node: str, algorithm: str, fingerprint: str) -> Verifier | None:
    """The verifier of the key ``fingerprint`` of ``node`` (None when not registered).
    The registry is asked each time (a withdrawn key stops verifying at once); the parsed
    key object is reused (``load_verifier`` is cached by PEM)."""
    for alg, pem in issuer_public_keys(node):
        if alg == algorithm and _fingerprint(pem) == fingerprint:
            try:
                return load_verifier(alg, pem)
            except (ValueError, TypeError):
                return None  # a malformed registered key verifies nothing
    return None


def check_signed(data: bytes, signature: str, *, node: str, algorithm: str, key: str) -> str:
    """SIG_OK / SIG_TAMPERED / SIG_UNKNOWN_ISSUER for stored signed bytes."""
    verifier = issuer_verifier(node, algorithm, key)
    if verifier is None:
        return SIG_UNKNOWN_ISSUER
    try:
        raw = unb64(signature)
    except (ValueError, TypeError):
        return SIG_TAMPERED
    return SIG_OK if verifier.verify(data, raw) else SIG_TAMPERED


def check_signature(payload: dict[str, Any], signature: str) -> str:
    """SIG_OK, SIG_TAMPERED, or SIG_UNKNOWN_ISSUER when no registered key of the node the
    payload names has the payload's fingerprint."""
    node, fingerprint, alg = payload.get("issuer_node"), payload.get("key"), payload.get("alg")
    keys = issuer_public_keys(str(node or ""))
    pem = next((p for a, p in keys if a == alg and _fingerprint(p) == fingerprint), None)
    if pem is None:
        return SIG_UNKNOWN_ISSUER
    try:
        raw = unb64(signature)
        data = canonical_json(payload)
    except (ValueError, TypeError):
        return SIG_TAMPERED
    return SIG_OK if verify(str(alg), pem, data, raw) else SIG_TAMPERED
