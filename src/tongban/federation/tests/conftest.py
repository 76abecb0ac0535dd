"""A federated node "b" (this process, 长治 140400) and a remote peer "a" (攀枝花 510400)
whose keys the tests hold, under a hub-signed registry in a temporary directory."""

from __future__ import annotations

import dataclasses
import json
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from tongban import config
from tongban.core import signing
from tongban.federation import identity
from tongban.federation.envelope import make_header, seal
from tongban.federation.registry import iso, registry_cache_clear, registry_sign

ALG = signing.ED25519  # fast; SM2 is covered in test_registry and the cluster tests


def key_entry(pair: signing.KeyPair, *, days: float = 30, start_days: float = -1) -> dict[str, Any]:
    now = timezone.now()
    return {
        "alg": pair.algorithm,
        "public_pem": pair.public_pem,
        "fingerprint": pair.fingerprint,
        "not_before": iso(now + timedelta(days=start_days)),
        "not_after": iso(now + timedelta(days=days)),
    }


@dataclasses.dataclass
class Fed:
    root: Path
    hub: signing.KeyPair
    a: signing.KeyPair
    b_entry: dict[str, Any]
    a_entry: dict[str, Any]

    def publish(self, *, valid_for: timedelta = timedelta(days=7), **changes: Any) -> None:
        """Sign and write the registry (entries changed by ``changes``)."""
        nodes = [changes.get("a_entry", self.a_entry), changes.get("b_entry", self.b_entry)]
        nodes += changes.get("more", [])
        doc = registry_sign(
            nodes=nodes,
            hub_alg=ALG,
            hub_private_pem=self.hub.private_pem,
            serial=1,
            valid_for=valid_for,
        )
        (self.root / "registry.json").write_text(json.dumps(doc), encoding="utf-8")
        registry_cache_clear()

    def wire(
        self,
        *,
        payload: dict[str, Any] | None = None,
        type: str = "cn.tongban.probe",
        seq: int = 1,
        stream: str = "s1",
        signer: signing.Signer | None = None,
        kind: str = "message",
        sent_at: Any = None,
        **header: Any,
    ) -> dict[str, Any]:
        payload = {"n": seq, "regions": ["510400"]} if payload is None else payload
        now = timezone.now()
        h = make_header(
            kind=kind,
            type=type,
            sender="a",
            recipient="b",
            payload=payload,
            created_at=now,
            sent_at=sent_at or now,
            message_id=str(uuid.uuid4()),
            stream=stream,
            seq=seq,
        )
        h.update(header)
        return seal(h, payload, signer or signing.load_signer(ALG, self.a.private_pem))


@pytest.fixture
def fed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Fed:
    hub = signing.generate_keypair(ALG)
    (tmp_path / "hub.pub").write_text(hub.public_pem)
    monkeypatch.setattr(
        config,
        "CONFIG",
        dataclasses.replace(
            config.CONFIG,
            node_id="b",
            data_dir=tmp_path,
            registry=str(tmp_path / "registry.json"),
            hub_public_key=tmp_path / "hub.pub",
            federation_max_attempts=3,
        ),
    )
    identity._signers.clear()
    identity.key_add(alg=ALG, not_before=timezone.now() - timedelta(days=1))
    b_entry = identity.node_entry_document(
        node_id="b", name="长治", regions=["140400"], base_url="http://b.test"
    )
    a = signing.generate_keypair(ALG)
    a_entry = {
        "node_id": "a",
        "name": "攀枝花",
        "regions": ["510400"],
        "base_url": "http://a.test",
        "keys": [key_entry(a)],
    }
    f = Fed(tmp_path, hub, a, b_entry, a_entry)
    f.publish()
    yield f
    registry_cache_clear()
    identity._signers.clear()
