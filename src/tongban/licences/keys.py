"""The issuing node's signing key and the public keys of issuers.

On a federated node (``TONGBAN_NODE_ID`` set) licences are signed with the node's own key
(``federation.identity``) and other issuers' keys come from the hub-signed registry, so a
licence of any node verifies anywhere. A classic single node is ``local`` and keeps an SM2
key pair in ``$TONGBAN_DATA_DIR/node/`` (created on first use; the private key file is
0600). Nothing else in this app reads keys.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from tongban.config import CONFIG
from tongban.core.signing import SM2, Signer, generate_keypair, load_signer

LOCAL_NODE = "local"
_PRIVATE = "licence_sm2_private.pem"
_PUBLIC = "licence_sm2_public.pem"
_lock = threading.Lock()
_signers: dict[Path, Signer] = {}


def node_id() -> str:
    """This node's id, stamped on every licence it issues."""
    from tongban.federation.identity import this_node_id

    return this_node_id() or LOCAL_NODE


def _node_dir() -> Path:
    return CONFIG.data_dir / "node"


def _ensure_keypair(folder: Path) -> tuple[str, str]:
    private, public = folder / _PRIVATE, folder / _PUBLIC
    if not private.exists():
        folder.mkdir(parents=True, exist_ok=True)
        pair = generate_keypair(SM2)
        try:
            fd = os.open(private, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process won the race: use its key
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(pair.private_pem)
            public.write_text(pair.public_pem)
    private_pem = private.read_text()
    if not public.exists():
        public.write_text(load_signer(SM2, private_pem).public_pem)
    return private_pem, public.read_text()


def issuing_signer() -> Signer:
    """The signer of licences issued here (SM2 over SM3)."""
    from tongban.federation.identity import node_signer, this_node_id

    if this_node_id() is not None:
        return node_signer()
    data_dir = CONFIG.data_dir  # (keyed by the data directory: no path built per call)
    signer = _signers.get(data_dir)
    if signer is None:
        with _lock:
            signer = _signers.get(data_dir)
            if signer is None:
                private_pem, _ = _ensure_keypair(_node_dir())
                signer = _signers[data_dir] = load_signer(SM2, private_pem)
    return signer


def issuer_public_keys(issuer_node: str) -> list[tuple[str, str]]:
    """(algorithm, public PEM) of every key the node ``issuer_node`` signs with; empty for
    an unknown node."""
    from tongban.federation.errors import FederationUnavailable
    from tongban.federation.identity import this_node_id
    from tongban.federation.registry import node_entry

    if this_node_id() is None:
        if issuer_node != LOCAL_NODE:
            return []
        return [(SM2, issuing_signer().public_pem)]
    try:
        # Every key the registry lists for the node, expired ones included: a licence
        # stays verifiable after its issuer rotated keys (the fingerprint picks the key).
        return [(k.alg, k.public_pem) for k in node_entry(issuer_node).keys]
    except FederationUnavailable:
        return []
