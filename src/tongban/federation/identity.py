"""This node's identity: its id (``TONGBAN_NODE_ID``) and its signing keys.

Keys live under ``$TONGBAN_DATA_DIR/node/`` — never in git, never in the database::

    node/keys.json            [{fingerprint, alg, not_before, not_after, created_at}]
    node/keys/<fp>.pem        private key, PKCS#8, mode 0600
    node/keys/<fp>.pub        public key
    node/entry.json           this node's registry entry, to hand to the hub

Rotation without downtime (``tongban node rotate-key``): the next key is created with a
``not_before`` in the future and published in the node's entry at once; the hub signs a
registry listing both keys; from ``not_before`` on the node signs with the new key while
receivers still accept the old one until its ``not_after`` (the overlap).
"""

from __future__ import annotations

import json
import os
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from tongban import config
from tongban.core import signing
from tongban.federation.errors import FederationUnavailable
from tongban.federation.registry import iso, parse_time

KEY_LIFETIME = timedelta(days=730)


def this_node_id() -> str | None:
    """This node's registry id; None for the classic single node."""
    return config.CONFIG.node_id


def require_node_id() -> str:
    node = this_node_id()
    if not node:
        raise FederationUnavailable("node_not_configured")
    return node


def _dir() -> Path:
    return config.CONFIG.node_dir


def _keys_file() -> Path:
    return _dir() / "keys.json"


def keys_list() -> list[dict[str, Any]]:
    try:
        return list(json.loads(_keys_file().read_text(encoding="utf-8")))
    except FileNotFoundError:
        return []


def _write_private(path: Path, pem: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(pem)
    os.chmod(path, 0o600)


def _write_json(path: Path, value: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(value, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(path)


def key_add(
    *,
    alg: str = signing.SM2,
    not_before: datetime | None = None,
    lifetime: timedelta = KEY_LIFETIME,
) -> dict[str, Any]:
    """Generate a key pair and record it; returns its metadata."""
    now = timezone.now()
    start = not_before or now
    pair = signing.generate_keypair(alg)
    fp = pair.fingerprint
    _write_private(_dir() / "keys" / f"{fp}.pem", pair.private_pem)
    (_dir() / "keys" / f"{fp}.pub").write_text(pair.public_pem, encoding="ascii")
    meta = {
        "fingerprint": fp,
        "alg": alg,
        "not_before": iso(start),
        "not_after": iso(start + lifetime),
        "created_at": iso(now),
    }
    _write_json(_keys_file(), [*keys_list(), meta])
    _signers.clear()
    return meta


def key_rotate(*, activate_in: timedelta, overlap: timedelta) -> dict[str, Any]:
    """Create the next key (active after ``activate_in``) and end the current key's
    validity ``overlap`` after that; both are published in the entry meanwhile."""
    if activate_in < timedelta(0) or overlap <= timedelta(0):
        raise ValueError("activation must not be in the past and the overlap must be positive")
    current = node_key_meta()
    alg = current["alg"] if current else signing.SM2
    start = timezone.now() + activate_in
    new = key_add(alg=alg, not_before=start)
    if current:
        keys = keys_list()
        for k in keys:
            if k["fingerprint"] == current["fingerprint"]:
                k["not_after"] = iso(min(parse_time(k["not_after"]), start + overlap))
        _write_json(_keys_file(), keys)
    return new


def node_key_meta(at: datetime | None = None) -> dict[str, Any] | None:
    """The key to sign with at ``at``: the valid key that became valid last."""
    at = at or timezone.now()
    valid = [
        k for k in keys_list() if parse_time(k["not_before"]) <= at < parse_time(k["not_after"])
    ]
    return max(valid, key=lambda k: parse_time(k["not_before"])) if valid else None


_signers: dict[str, signing.Signer] = {}
_signers_lock = threading.Lock()


def node_signer(at: datetime | None = None) -> signing.Signer:
    """The signer of this node's current key (cached per key)."""
    meta = node_key_meta(at)
    if meta is None:
        raise FederationUnavailable("node_key_missing")
    fp = meta["fingerprint"]
    with _signers_lock:
        signer = _signers.get(fp)
        if signer is None:
            pem = (_dir() / "keys" / f"{fp}.pem").read_text(encoding="ascii")
            signer = signing.load_signer(meta["alg"], pem)
            _signers[fp] = signer
    return signer


def node_entry_document(
    *, node_id: str, name: str, regions: list[str], base_url: str
) -> dict[str, Any]:
    """This node's registry entry (every key not yet expired), as the hub needs it."""
    now = timezone.now()
    keys = []
    for k in keys_list():
        if parse_time(k["not_after"]) <= now:
            continue
        pub = (_dir() / "keys" / f"{k['fingerprint']}.pub").read_text(encoding="ascii")
        keys.append(
            {
                "alg": k["alg"],
                "public_pem": pub,
                "fingerprint": k["fingerprint"],
                "not_before": k["not_before"],
                "not_after": k["not_after"],
            }
        )
    return {
        "node_id": node_id,
        "name": name,
        "regions": regions,
        "base_url": base_url.rstrip("/"),
        "keys": keys,
    }


def entry_write(entry: dict[str, Any]) -> Path:
    path = _dir() / "entry.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_json(path, entry)
    return path


def entry_read() -> dict[str, Any]:
    return dict(json.loads((_dir() / "entry.json").read_text(encoding="utf-8")))
