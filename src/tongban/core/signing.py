"""Signatures and digests: one small interface, SM2 and Ed25519 behind it.

Everything that a node signs (federation envelopes, the node registry, e-licences) goes
through ``load_signer`` / ``load_verifier`` so the algorithm is a key property, not a code
path. SM2 (GM/T 0003, over SM3) is the national default and uses ``tongsuopy`` (Tongsuo's
OpenSSL binding, ~2,000 signatures/s here). ``snowland-smx`` (pure Python, ~125/s) is the
fallback when tongsuopy cannot be imported and the oracle the tests check interop against.
The SM2 user id is pinned to the GM/T 0009 default ``1234567812345678``: Tongsuo uses it when
none is set, and both directions of interop are tested (``core/tests/test_signing.py``).

Keys travel as PEM (PKCS#8 private, SubjectPublicKeyInfo public). Signatures are raw bytes:
DER ``SEQUENCE{r, s}`` for SM2 (what Tongsuo and most GM libraries emit), 64 bytes for
Ed25519. Callers base64 them where text is needed.
"""

from __future__ import annotations

import base64
import json
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

SM2 = "sm2"
ED25519 = "ed25519"
ALGORITHMS = (SM2, ED25519)
SM2_USER_ID = "1234567812345678"

try:  # pragma: no cover - exercised by whichever branch the machine has
    from tongsuopy.crypto import hashes as _ts_hashes
    from tongsuopy.crypto import serialization as _ts_ser
    from tongsuopy.crypto.asymciphers import ec as _ts_ec
    from tongsuopy.crypto.exceptions import InternalError as _TsInternalError
    from tongsuopy.crypto.exceptions import InvalidSignature as _TsInvalidSignature

    HAVE_TONGSUO = True
except ImportError:  # pragma: no cover
    HAVE_TONGSUO = False


class Signer(Protocol):
    algorithm: str
    public_pem: str

    def sign(self, data: bytes) -> bytes: ...


class Verifier(Protocol):
    algorithm: str

    def verify(self, data: bytes, signature: bytes) -> bool: ...


@dataclass(frozen=True)
class KeyPair:
    algorithm: str
    private_pem: str
    public_pem: str

    @property
    def fingerprint(self) -> str:
        return key_fingerprint(self.public_pem)


# --- digests and canonical form -------------------------------------------------------


def sm3_hex(data: bytes) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def canonical_json(value: Any) -> bytes:
    """The one byte form that is signed: sorted keys, no spaces, UTF-8, no floats.

    Floats are refused because their text form differs between implementations; amounts
    travel as strings or integer fen.
    """
    _reject_floats(value)
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _reject_floats(value: Any) -> None:
    if isinstance(value, float):
        raise TypeError("canonical_json: floats are not allowed in signed data")
    if isinstance(value, dict):
        for k, v in value.items():
            if not isinstance(k, str):
                raise TypeError("canonical_json: keys must be strings")
            _reject_floats(v)
    elif isinstance(value, list | tuple):
        for v in value:
            _reject_floats(v)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    """Strict base64 decode; malformed input gives ``ValueError``."""
    return base64.b64decode(text.encode("ascii"), validate=True)


def key_fingerprint(public_pem: str) -> str:
    """First 16 hex digits of SM3 over the DER public key: a short, stable key id."""
    der = _pem_body(public_pem)
    return sm3_hex(der)[:16]


def _pem_body(pem: str) -> bytes:
    lines = [ln.strip() for ln in pem.strip().splitlines() if ln and not ln.startswith("-----")]
    return base64.b64decode("".join(lines))


# --- key generation and loading --------------------------------------------------------


def generate_keypair(algorithm: str = SM2) -> KeyPair:
    if algorithm == ED25519:
        key = ed25519.Ed25519PrivateKey.generate()
        priv = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        pub = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        return KeyPair(ED25519, priv, pub)
    if algorithm == SM2:
        if not HAVE_TONGSUO:  # pragma: no cover
            raise RuntimeError("SM2 key generation needs tongsuopy")
        sk = _ts_ec.generate_private_key(_ts_ec.SM2())
        priv = sk.private_bytes(
            _ts_ser.Encoding.PEM, _ts_ser.PrivateFormat.PKCS8, _ts_ser.NoEncryption()
        ).decode()
        pub = (
            sk.public_key()
            .public_bytes(_ts_ser.Encoding.PEM, _ts_ser.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        return KeyPair(SM2, priv, pub)
    raise ValueError(f"unknown signature algorithm {algorithm!r}")


class _Ed25519Signer:
    algorithm = ED25519

    def __init__(self, private_pem: str) -> None:
        key = serialization.load_pem_private_key(private_pem.encode(), password=None)
        if not isinstance(key, ed25519.Ed25519PrivateKey):
            raise ValueError("not an Ed25519 private key")
        self._key = key
        self.public_pem = (
            key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    def sign(self, data: bytes) -> bytes:
        return self._key.sign(data)


class _Ed25519Verifier:
    algorithm = ED25519

    def __init__(self, public_pem: str) -> None:
        key = serialization.load_pem_public_key(public_pem.encode())
        if not isinstance(key, ed25519.Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        self._key = key

    def verify(self, data: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


class _TongsuoSM2Signer:
    algorithm = SM2

    def __init__(self, private_pem: str) -> None:
        key = _ts_ser.load_pem_private_key(private_pem.encode(), password=None)
        self._key = key
        self.public_pem = (
            key.public_key()
            .public_bytes(_ts_ser.Encoding.PEM, _ts_ser.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        self._alg = _ts_ec.ECDSA(_ts_hashes.SM3())

    def sign(self, data: bytes) -> bytes:
        return bytes(self._key.sign(data, self._alg))


class _TongsuoSM2Verifier:
    algorithm = SM2

    def __init__(self, public_pem: str) -> None:
        self._key = _ts_ser.load_pem_public_key(public_pem.encode())
        self._alg = _ts_ec.ECDSA(_ts_hashes.SM3())

    def verify(self, data: bytes, signature: bytes) -> bool:
        try:
            self._key.verify(signature, data, self._alg)
        except (_TsInvalidSignature, _TsInternalError, ValueError):
            # A malformed DER signature surfaces as InternalError; it is just invalid.
            return False
        return True


# Pure-Python SM2 (snowland-smx): fallback and test oracle. Keys are the same PEM files;
# the raw numbers are read from the DER (SPKI ends in the 65-byte point 04||x||y; the
# PKCS#8 body holds ECPrivateKey whose d follows ``02 01 01 04 20``).


def sm2_raw_public(public_pem: str) -> str:
    der = _pem_body(public_pem)
    point = der[-65:]
    if point[0] != 4:
        raise ValueError("not an uncompressed SM2 public key")
    return point[1:].hex()


def sm2_raw_private(private_pem: str) -> str:
    der = _pem_body(private_pem)
    marker = bytes.fromhex("0201010420")
    at = der.find(marker)
    if at < 0:
        raise ValueError("not an SM2 PKCS#8 private key")
    return der[at + len(marker) : at + len(marker) + 32].hex()


class PureSM2Signer:
    algorithm = SM2

    def __init__(self, private_pem: str, public_pem: str) -> None:
        self._d = sm2_raw_private(private_pem)
        self.public_pem = public_pem

    def sign(self, data: bytes) -> bytes:
        from pysmx.SM2 import Sign

        raw = Sign(data, self._d, secrets.token_hex(32), 64, uid=SM2_USER_ID)
        return encode_dss_signature(
            int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")
        )


class PureSM2Verifier:
    algorithm = SM2

    def __init__(self, public_pem: str) -> None:
        self._pa = sm2_raw_public(public_pem)

    def verify(self, data: bytes, signature: bytes) -> bool:
        from pysmx.SM2 import Verify

        try:
            r, s = decode_dss_signature(signature)
        except ValueError:
            return False
        return bool(Verify(f"{r:064x}{s:064x}", data, self._pa, 64, uid=SM2_USER_ID))


def load_signer(algorithm: str, private_pem: str) -> Signer:
    if algorithm == ED25519:
        return _Ed25519Signer(private_pem)
    if algorithm == SM2:
        if HAVE_TONGSUO:
            return _TongsuoSM2Signer(private_pem)
        raise RuntimeError("SM2 signing needs tongsuopy")  # pragma: no cover
    raise ValueError(f"unknown signature algorithm {algorithm!r}")


@lru_cache(maxsize=256)
def load_verifier(algorithm: str, public_pem: str) -> Verifier:
    """A verifier for a public key; cached, since registries hand out the same few keys."""
    if algorithm == ED25519:
        return _Ed25519Verifier(public_pem)
    if algorithm == SM2:
        return _TongsuoSM2Verifier(public_pem) if HAVE_TONGSUO else PureSM2Verifier(public_pem)
    raise ValueError(f"unknown signature algorithm {algorithm!r}")


def verify(algorithm: str, public_pem: str, data: bytes, signature: bytes) -> bool:
    """True only for a valid signature; a malformed key or signature is simply invalid."""
    try:
        verifier = load_verifier(algorithm, public_pem)
    except (ValueError, TypeError):
        return False
    return verifier.verify(data, signature)
