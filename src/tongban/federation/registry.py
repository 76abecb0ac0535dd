"""The node registry: which node serves which region, where it listens, and its keys.

The hub signs the registry body (``canonical_json``) with its key; every node holds the
hub's public key (``TONGBAN_HUB_PUBLIC_KEY``) and refuses to act on a registry that is
unsigned, signed by another key, not yet valid or expired. The document::

    {"format": "tongban-registry/1",
     "body": {"serial": 7, "issued_at": ..., "not_before": ..., "not_after": ...,
              "nodes": [{"node_id": "changzhi", "name": "长治", "regions": ["140400"],
                         "base_url": "https://...", "not_before": ..., "not_after": ...,
                         "keys": [{"alg": "sm2", "public_pem": ..., "fingerprint": ...,
                                   "not_before": ..., "not_after": ...}]}]},
     "signature": {"alg": "sm2", "fingerprint": <hub key>, "value": <base64>}}

A region code (GB/T 2260, 6 or 12 digits) covers its descendants: ``140400`` covers
``140402`` and ``140402001000``; ``140000`` covers all of Shanxi. The most specific entry
wins (``node_for_region``). Times are ISO 8601 with offset.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from tongban import config
from tongban.core import signing
from tongban.federation.errors import FederationUnavailable

FORMAT = "tongban-registry/1"


def region_prefix(code: str) -> str:
    """The digits every descendant of ``code`` starts with ("140400" -> "1404")."""
    code = code.strip()
    if len(code) == 12:
        while len(code) > 6 and code.endswith("000"):
            code = code[:-3]
        if len(code) > 6:
            return code
    for _ in range(2):
        if len(code) > 2 and code.endswith("00"):
            code = code[:-2]
    return "" if code == "00" else code


def covers(served: str, code: str) -> bool:
    return code.startswith(region_prefix(served))


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def parse_time(text: Any) -> datetime:
    if not isinstance(text, str):
        raise ValueError("time must be a string")
    at = datetime.fromisoformat(text)
    if at.tzinfo is None:
        raise ValueError("time needs an offset")
    return at


@dataclass(frozen=True)
class NodeKey:
    alg: str
    public_pem: str
    fingerprint: str
    not_before: datetime
    not_after: datetime

    def valid_at(self, at: datetime) -> bool:
        return self.not_before <= at < self.not_after


@dataclass(frozen=True)
class NodeEntry:
    node_id: str
    name: str
    regions: tuple[str, ...]
    base_url: str
    keys: tuple[NodeKey, ...]
    not_before: datetime
    not_after: datetime

    def valid_at(self, at: datetime) -> bool:
        return self.not_before <= at < self.not_after

    def serves(self, code: str) -> bool:
        return any(covers(r, code) for r in self.regions)


@dataclass(frozen=True)
class Registry:
    serial: int
    issued_at: datetime
    not_before: datetime
    not_after: datetime
    nodes: dict[str, NodeEntry]

    def valid_at(self, at: datetime) -> bool:
        return self.not_before <= at < self.not_after


# --- building and signing (the hub's side) --------------------------------------------


def registry_sign(
    *,
    nodes: list[dict[str, Any]],
    hub_alg: str,
    hub_private_pem: str,
    serial: int,
    valid_for: timedelta,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed registry document for ``nodes`` (entries as ``tongban node init`` writes
    them). Checks each entry so a hub never publishes a registry nodes would refuse."""
    now = now or timezone.now()
    seen: set[str] = set()
    for entry in nodes:
        _parse_entry(entry)  # raises ValueError with the reason
        if entry["node_id"] in seen:
            raise ValueError(f"node {entry['node_id']!r} listed twice")
        seen.add(entry["node_id"])
    body = {
        "serial": serial,
        "issued_at": iso(now),
        "not_before": iso(now - timedelta(minutes=5)),
        "not_after": iso(now + valid_for),
        "nodes": sorted(nodes, key=lambda e: e["node_id"]),
    }
    signer = signing.load_signer(hub_alg, hub_private_pem)
    sig = signer.sign(signing.canonical_json(body))
    return {
        "format": FORMAT,
        "body": body,
        "signature": {
            "alg": hub_alg,
            "fingerprint": signing.key_fingerprint(signer.public_pem),
            "value": signing.b64(sig),
        },
    }


def _parse_entry(raw: Any) -> NodeEntry:
    if not isinstance(raw, dict):
        raise ValueError("node entry must be an object")
    node_id = raw.get("node_id")
    if not isinstance(node_id, str) or not node_id:
        raise ValueError("node entry without node_id")
    regions = raw.get("regions")
    if not isinstance(regions, list) or not all(
        isinstance(r, str) and r.isdigit() and len(r) in (6, 12) for r in regions
    ):
        raise ValueError(f"node {node_id}: regions must be GB/T 2260 codes")
    base_url = raw.get("base_url")
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise ValueError(f"node {node_id}: base_url must be an http(s) URL")
    keys = []
    for k in raw.get("keys") or []:
        if not isinstance(k, dict) or k.get("alg") not in signing.ALGORITHMS:
            raise ValueError(f"node {node_id}: key with unknown algorithm")
        pem = str(k.get("public_pem", ""))
        if signing.key_fingerprint(pem) != k.get("fingerprint"):
            raise ValueError(f"node {node_id}: key fingerprint does not match its key")
        keys.append(
            NodeKey(
                k["alg"],
                pem,
                k["fingerprint"],
                parse_time(k["not_before"]),
                parse_time(k["not_after"]),
            )
        )
    if not keys:
        raise ValueError(f"node {node_id}: no keys")
    return NodeEntry(
        node_id=node_id,
        name=str(raw.get("name") or node_id),
        regions=tuple(regions),
        base_url=base_url.rstrip("/"),
        keys=tuple(keys),
        not_before=parse_time(raw.get("not_before", keys[0].not_before.isoformat())),
        not_after=parse_time(raw.get("not_after", max(k.not_after for k in keys).isoformat())),
    )


def registry_verify(doc: Any, hub_public_pem: str, *, now: datetime | None = None) -> Registry:
    """Parse and verify a registry document; coded errors for anything unacceptable."""
    now = now or timezone.now()
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise FederationUnavailable("registry_malformed")
    sig = doc.get("signature")
    body = doc.get("body")
    if not isinstance(sig, dict) or not isinstance(body, dict):
        raise FederationUnavailable("registry_unsigned")
    try:
        value = signing.unb64(str(sig.get("value", "")))
        data = signing.canonical_json(body)
    except (ValueError, TypeError) as exc:
        raise FederationUnavailable("registry_signature_invalid") from exc
    if sig.get("fingerprint") != signing.key_fingerprint(hub_public_pem) or not signing.verify(
        str(sig.get("alg")), hub_public_pem, data, value
    ):
        raise FederationUnavailable("registry_signature_invalid")
    try:
        nodes = {e.node_id: e for e in map(_parse_entry, body.get("nodes") or [])}
        registry = Registry(
            serial=int(body["serial"]),
            issued_at=parse_time(body["issued_at"]),
            not_before=parse_time(body["not_before"]),
            not_after=parse_time(body["not_after"]),
            nodes=nodes,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise FederationUnavailable("registry_malformed", details=str(exc)) from exc
    if not registry.valid_at(now):
        raise FederationUnavailable("registry_expired")
    return registry


# --- this node's current registry -------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def registry_cache_clear() -> None:
    with _lock:
        _cache.clear()


def _read_source(source: str) -> tuple[Any, Any]:
    """(stamp, document). A file's stamp is its mtime/size; a URL's is the fetch time."""
    if source.startswith(("http://", "https://")):
        cached = _cache.get("doc")
        fetched = _cache.get("fetched", 0.0)
        if cached is not None and time.monotonic() - fetched < (
            config.CONFIG.registry_refresh_seconds
        ):
            return _cache["stamp"], cached
        try:
            with urllib.request.urlopen(source, timeout=10) as resp:
                doc = json.loads(resp.read().decode("utf-8"))
        except (OSError, ValueError) as exc:
            if cached is not None:  # keep the last good one; its validity still applies
                return _cache["stamp"], cached
            raise FederationUnavailable("registry_unavailable", details=str(exc)) from exc
        _cache["fetched"] = time.monotonic()
        return ("url", _cache["fetched"]), doc
    path = Path(source)
    try:
        st = path.stat()
        stamp = ("file", st.st_mtime_ns, st.st_size)
        if _cache.get("stamp") == stamp and "doc" in _cache:
            return stamp, _cache["doc"]
        return stamp, json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FederationUnavailable("registry_unavailable", details=str(exc)) from exc


def hub_public_pem() -> str:
    path = config.CONFIG.hub_public_key
    if path is None:
        raise FederationUnavailable("registry_unavailable", details="TONGBAN_HUB_PUBLIC_KEY")
    try:
        return path.read_text(encoding="ascii")
    except OSError as exc:
        raise FederationUnavailable("registry_unavailable", details=str(exc)) from exc


def registry_current(*, now: datetime | None = None) -> Registry:
    """The verified, currently valid registry, or a coded ``FederationUnavailable``."""
    source = config.CONFIG.registry
    if not source:
        raise FederationUnavailable("registry_unavailable", details="TONGBAN_REGISTRY")
    now = now or timezone.now()
    with _lock:
        stamp, doc = _read_source(source)
        if _cache.get("stamp") != stamp or "registry" not in _cache:
            registry = registry_verify(doc, hub_public_pem(), now=now)
            _cache.update(stamp=stamp, doc=doc, registry=registry)
        registry = _cache["registry"]
    if not registry.valid_at(now):
        raise FederationUnavailable("registry_expired")
    return registry


def node_entry(node_id: str, *, now: datetime | None = None) -> NodeEntry:
    entry = registry_current(now=now).nodes.get(node_id)
    if entry is None:
        raise FederationUnavailable("peer_unknown", details=node_id)
    return entry


def node_for_region(code: str, *, now: datetime | None = None) -> str:
    """The id of the node serving ``code`` (the most specific registration wins)."""
    best: tuple[int, str] | None = None
    for entry in registry_current(now=now).nodes.values():
        for served in entry.regions:
            if covers(served, code):
                cand = (len(region_prefix(served)), entry.node_id)
                if best is None or cand[0] > best[0]:
                    best = cand
    if best is None:
        raise FederationUnavailable("region_no_node", details=code)
    return best[1]


def public_keys(node_id: str, *, at: datetime | None = None) -> list[NodeKey]:
    """The keys of ``node_id`` valid at ``at`` (during a rotation: both)."""
    at = at or timezone.now()
    return [k for k in node_entry(node_id).keys if k.valid_at(at)]
