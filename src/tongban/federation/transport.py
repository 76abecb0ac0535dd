"""HTTP between nodes: POST a JSON body, read a JSON answer. TLS is the deployment's
(docs/deployment.md); authenticity comes from the signatures, not from the channel."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

USER_AGENT = "tongban-federation/1"


class TransportError(Exception):
    """The peer could not be reached or did not answer with JSON."""


def post_json(url: str, body: Any, *, timeout: float) -> tuple[int, Any]:
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    req = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "User-Agent": USER_AGENT},
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (OSError, ValueError) as exc:  # refused, reset, timeout, bad URL
        raise TransportError(str(exc)) from exc
    try:
        return status, json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TransportError(f"HTTP {status}: answer is not JSON") from exc
