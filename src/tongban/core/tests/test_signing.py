"""Signing interface: both algorithms, SM2 interop with the pure-Python oracle."""

from __future__ import annotations

import pytest

from tongban.core import signing
from tongban.core.signing import ED25519, SM2

MSG = "跨省通办 envelope".encode()


@pytest.mark.parametrize("algorithm", [SM2, ED25519])
def test_sign_verify_round_trip_and_tamper(algorithm: str) -> None:
    kp = signing.generate_keypair(algorithm)
    signer = signing.load_signer(algorithm, kp.private_pem)
    sig = signer.sign(MSG)
    assert signing.verify(algorithm, kp.public_pem, MSG, sig)
    assert not signing.verify(algorithm, kp.public_pem, MSG + b"x", sig)
    other = signing.generate_keypair(algorithm)
    assert not signing.verify(algorithm, other.public_pem, MSG, sig)
    assert not signing.verify(algorithm, kp.public_pem, MSG, b"\x00" * len(sig))
    assert signer.public_pem.strip() == kp.public_pem.strip()


def test_sm2_tongsuo_signature_verifies_in_pure_python_oracle() -> None:
    kp = signing.generate_keypair(SM2)
    sig = signing.load_signer(SM2, kp.private_pem).sign(MSG)
    oracle = signing.PureSM2Verifier(kp.public_pem)
    assert oracle.verify(MSG, sig)
    assert not oracle.verify(MSG[:-1], sig)


def test_sm2_pure_python_signature_verifies_in_tongsuo() -> None:
    kp = signing.generate_keypair(SM2)
    sig = signing.PureSM2Signer(kp.private_pem, kp.public_pem).sign(MSG)
    assert signing.load_verifier(SM2, kp.public_pem).verify(MSG, sig)


def test_sm2_user_id_is_pinned() -> None:
    """A signature over a different user id must not verify: the id is part of ZA."""
    from pysmx.SM2 import Sign

    kp = signing.generate_keypair(SM2)
    d = signing.sm2_raw_private(kp.private_pem)
    raw = Sign(MSG, d, "ab" * 32, 64, uid="another-user-id!")
    der = signing.encode_dss_signature(
        int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
    )
    assert not signing.verify(SM2, kp.public_pem, MSG, der)


def test_sm3_known_answer() -> None:
    # GM/T 0004 example 1: SM3("abc")
    assert signing.sm3_hex(b"abc") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )


def test_canonical_json_is_stable_and_refuses_floats() -> None:
    a = signing.canonical_json({"b": 1, "a": ["中", True, None]})
    assert a == '{"a":["中",true,null],"b":1}'.encode()
    with pytest.raises(TypeError):
        signing.canonical_json({"amount": 1.5})


def test_malformed_key_is_invalid_not_an_exception() -> None:
    bad_pem = "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"
    assert not signing.verify(SM2, bad_pem, MSG, b"x")
    with pytest.raises(ValueError):
        signing.unb64("not base64!")


def test_fingerprint_is_short_and_stable() -> None:
    kp = signing.generate_keypair(SM2)
    assert len(kp.fingerprint) == 16
    assert kp.fingerprint == signing.key_fingerprint(kp.public_pem)
