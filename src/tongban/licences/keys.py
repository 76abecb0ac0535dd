"""The issuing node's signing key and the public keys of issuers.

Until the federation's node identity lands, the node is ``local`` and its SM2 key pair is
kept in ``$TONGBAN_DATA_DIR/node/`` (created on first use; the private key file is 0600).
At merge these two functions are repointed at the node identity and the hub's registry;
nothing else in this app reads keys.
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
    return LOCAL_NODE


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
    folder = _node_dir()
    with _lock:
        signer = _signers.get(folder)
        if signer is None:
            private_pem, _ = _ensure_keypair(folder)
            signer = _signers[folder] = load_signer(SM2, private_pem)
    return signer


def issuer_public_keys(issuer_node: str) -> list[tuple[str, str]]:
    """(algorithm, public PEM) of every key the node ``issuer_node`` signs with; empty for
    an unknown node."""
    if issuer_node != node_id():
        return []
    return [(SM2, issuing_signer().public_pem)]
