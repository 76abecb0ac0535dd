"""亮证 tokens: a short-lived QR token signed by this node's key.

Token text: ``base64url(canonical JSON {"lid", "exp", "n"}) "." base64url(signature)``.
Anyone holding the token within its lifetime sees the licence's verification; after
``exp`` it is refused (``present_token_expired``); a changed token is ``present_token_invalid``.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import datetime, timedelta

from django.utils import timezone

from tongban.core.errors import ValidationFailed
from tongban.core.signing import canonical_json, verify
from tongban.licences.keys import issuing_signer

TOKEN_LIFETIME = timedelta(minutes=5)


def _b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64u(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token_make(identifier: str, *, now: datetime | None = None) -> tuple[str, datetime]:
    now = now or timezone.now()
    exp = now + TOKEN_LIFETIME
    body = canonical_json(
        {"lid": identifier, "exp": int(exp.timestamp()), "n": secrets.token_hex(6)}
    )
    sig = issuing_signer().sign(body)
    return f"{_b64u(body)}.{_b64u(sig)}", exp


def token_read(token: str, *, now: datetime | None = None) -> str:
    """The licence identifier a valid, unexpired token names."""
    now = now or timezone.now()
    try:
        head, _, tail = token.partition(".")
        body, sig = _unb64u(head), _unb64u(tail)
        claims = json.loads(body)
        lid, exp = str(claims["lid"]), int(claims["exp"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed("present_token_invalid", field="token") from exc
    signer = issuing_signer()
    if not verify(signer.algorithm, signer.public_pem, body, sig):
        raise ValidationFailed("present_token_invalid", field="token")
    if now.timestamp() > exp:
        raise ValidationFailed("present_token_expired", field="token")
    return lid
