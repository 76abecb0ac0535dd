"""E-licences on a federated node: the node's key signs, the registry's keys verify, and
the licence queries travel through the signed RPC (answered here by the local route)."""

from __future__ import annotations

import pytest

from tongban.core import signing
from tongban.core.ids import make_uscc
from tongban.federation.tests.conftest import ALG, Fed
from tongban.licences import keys, sources
from tongban.licences.sources import RemoteLicenceSource, federation_transport

pytestmark = pytest.mark.django_db


def test_licences_use_the_node_identity_and_registry_keys(fed: Fed) -> None:
    assert keys.node_id() == "b"
    signer = keys.issuing_signer()
    registry_b = keys.issuer_public_keys("b")
    assert (signer.algorithm, signer.public_pem.strip()) in [
        (alg, pem.strip()) for alg, pem in registry_b
    ]
    assert [pem.strip() for _, pem in keys.issuer_public_keys("a")] == [fed.a.public_pem.strip()]
    assert keys.issuer_public_keys("nowhere") == []
    data = b"licence data"
    assert signing.verify(ALG, registry_b[0][1], data, signer.sign(data))


def test_every_other_registry_node_is_a_licence_source(fed: Fed) -> None:
    remote = [s for s in sources.licence_sources() if isinstance(s, RemoteLicenceSource)]
    assert [s.node for s in remote] == ["a"]


def test_licence_query_answer_is_signed_by_the_node_and_checked_against_the_registry(
    fed: Fed,
) -> None:
    # rpc.call to this node runs the registered query handler; the answer is signed with
    # the node key and RemoteLicenceSource accepts it only against the registry's key.
    source = RemoteLicenceSource("b", federation_transport)
    type_code = make_uscc("11140400MB0000001") + "001"
    assert source.find(holder_code="110101199003071234", type_code=type_code) is None
