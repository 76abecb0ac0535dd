from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tongban.core import signing
from tongban.federation import identity
from tongban.federation.errors import FederationUnavailable
from tongban.federation.registry import (
    covers,
    node_for_region,
    public_keys,
    region_prefix,
    registry_cache_clear,
    registry_current,
    registry_sign,
    registry_verify,
)
from tongban.federation.tests.conftest import ALG, key_entry


def test_region_codes_cover_their_descendants() -> None:
    assert region_prefix("140400") == "1404"
    assert region_prefix("140000") == "14"
    assert region_prefix("140402001000") == "140402001"
    assert covers("140400", "140402") and covers("140400", "140402001000")
    assert not covers("140402", "140400")
    assert not covers("140400", "510400")


def _entry(node_id: str, regions: list[str], alg: str = ALG) -> dict:
    pair = signing.generate_keypair(alg)
    return {
        "node_id": node_id,
        "regions": regions,
        "base_url": f"http://{node_id}.test",
        "keys": [key_entry(pair)],
    }


def test_sm2_registry_signed_by_hub_verifies_and_tampering_is_refused() -> None:
    hub = signing.generate_keypair(signing.SM2)
    doc = registry_sign(
        nodes=[_entry("x", ["140000"], signing.SM2)],
        hub_alg=signing.SM2,
        hub_private_pem=hub.private_pem,
        serial=3,
        valid_for=timedelta(days=1),
    )
    assert registry_verify(doc, hub.public_pem).nodes["x"].regions == ("140000",)
    tampered = json.loads(json.dumps(doc))
    tampered["body"]["nodes"][0]["regions"] = ["510000"]
    with pytest.raises(FederationUnavailable) as err:
        registry_verify(tampered, hub.public_pem)
    assert err.value.code == "registry_signature_invalid"
    other = signing.generate_keypair(signing.SM2)
    with pytest.raises(FederationUnavailable) as err:
        registry_verify(doc, other.public_pem)
    assert err.value.code == "registry_signature_invalid"
    unsigned = {"format": doc["format"], "body": doc["body"]}
    with pytest.raises(FederationUnavailable) as err:
        registry_verify(unsigned, hub.public_pem)
    assert err.value.code == "registry_unsigned"
    with pytest.raises(FederationUnavailable) as err:
        registry_verify({"format": "other"}, hub.public_pem)
    assert err.value.code == "registry_malformed"


def test_expired_registry_is_refused() -> None:
    hub = signing.generate_keypair(ALG)
    doc = registry_sign(
        nodes=[_entry("x", ["140000"])],
        hub_alg=ALG,
        hub_private_pem=hub.private_pem,
        serial=1,
        valid_for=timedelta(hours=1),
    )
    with pytest.raises(FederationUnavailable) as err:
        registry_verify(doc, hub.public_pem, now=timezone.now() + timedelta(hours=2))
    assert err.value.code == "registry_expired"


def test_hub_refuses_to_sign_an_entry_whose_fingerprint_lies() -> None:
    hub = signing.generate_keypair(ALG)
    bad = _entry("x", ["140000"])
    bad["keys"][0]["fingerprint"] = "0" * 16
    with pytest.raises(ValueError, match="fingerprint"):
        registry_sign(
            nodes=[bad],
            hub_alg=ALG,
            hub_private_pem=hub.private_pem,
            serial=1,
            valid_for=timedelta(days=1),
        )
    with pytest.raises(ValueError, match="regions"):
        registry_sign(
            nodes=[_entry("y", ["14"])],
            hub_alg=ALG,
            hub_private_pem=hub.private_pem,
            serial=1,
            valid_for=timedelta(days=1),
        )


def test_current_registry_routes_regions_to_the_most_specific_node(fed) -> None:  # type: ignore[no-untyped-def]
    fed.publish(more=[_entry("province", ["140000"])])
    assert node_for_region("140402") == "b"  # 长治's own node beats the province's
    assert node_for_region("140100") == "province"
    assert node_for_region("510402") == "a"
    with pytest.raises(FederationUnavailable) as err:
        node_for_region("210100")
    assert err.value.code == "region_no_node"


def test_missing_or_expired_current_registry_is_a_coded_error(fed) -> None:  # type: ignore[no-untyped-def]
    assert registry_current().serial == 1
    with pytest.raises(FederationUnavailable) as err:
        registry_current(now=timezone.now() + timedelta(days=8))
    assert err.value.code == "registry_expired"
    (fed.root / "registry.json").unlink()
    registry_cache_clear()
    with pytest.raises(FederationUnavailable) as err:
        registry_current()
    assert err.value.code == "registry_unavailable"


def test_key_rotation_publishes_next_key_first_and_both_verify_in_overlap(fed) -> None:  # type: ignore[no-untyped-def]
    old = identity.node_key_meta()
    assert old is not None
    path = identity.keys_list()
    assert (
        fed.root / "node" / "keys" / f"{old['fingerprint']}.pem"
    ).stat().st_mode & 0o777 == 0o600
    new = identity.key_rotate(activate_in=timedelta(hours=1), overlap=timedelta(hours=2))
    assert len(path) == 1 and len(identity.keys_list()) == 2
    now = timezone.now()
    assert identity.node_key_meta(now)["fingerprint"] == old["fingerprint"]
    later = now + timedelta(hours=1, minutes=30)
    assert identity.node_key_meta(later)["fingerprint"] == new["fingerprint"]
    signer = identity.node_signer(later)
    assert signing.key_fingerprint(signer.public_pem) == new["fingerprint"]
    entry = identity.node_entry_document(
        node_id="b", name="长治", regions=["140400"], base_url="http://b.test"
    )
    fed.publish(b_entry=entry)
    assert {k.fingerprint for k in public_keys("b", at=later)} == {
        old["fingerprint"],
        new["fingerprint"],
    }
    assert {k.fingerprint for k in public_keys("b", at=now + timedelta(hours=4))} == {
        new["fingerprint"]
    }
