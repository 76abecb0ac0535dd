"""Where licences are looked up for 两个免提交: this node, or another node by evidence query.

``LocalLicenceSource`` reads this node's database. ``RemoteLicenceSource`` asks another
node through an injected transport ``(node_id, query_type, payload) -> signed answer`` and
trusts the answer only when it carries a valid signature of that node's registered key.
At merge the transport becomes the federation RPC; tests pass a transport that calls
``evidence.answer_licence_query`` directly.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from tongban.core.errors import NotFound, PermissionDenied, TongbanError, ValidationFailed
from tongban.core.signing import canonical_json, key_fingerprint, unb64, verify
from tongban.licences import evidence
from tongban.licences.evidence import FoundLicence, UseContext
from tongban.licences.keys import issuer_public_keys, node_id

Transport = Callable[[str, str, dict[str, Any]], dict[str, Any]]
# Peer errors that say the question never got a trustworthy answer (rather than a coded
# refusal of the licence): treated like a node that is down.
_PEER_TRANSPORT_FAILURES = frozenset({"peer_rejected", "peer_answer_invalid", "rpc_handler_error"})


class LicenceSource(Protocol):
    def find(self, *, holder_code: str, type_code: str) -> FoundLicence | None: ...

    def use(
        self,
        *,
        identifier: str,
        holder_code: str,
        type_code: str,
        context: UseContext,
        case: Any = None,
    ) -> FoundLicence: ...


class LocalLicenceSource:
    def find(self, *, holder_code: str, type_code: str) -> FoundLicence | None:
        return evidence.find_valid(holder_code=holder_code, type_code=type_code)

    def use(
        self,
        *,
        identifier: str,
        holder_code: str,
        type_code: str,
        context: UseContext,
        case: Any = None,
    ) -> FoundLicence:
        return evidence.use_licence(
            identifier=identifier,
            holder_code=holder_code,
            type_code=type_code,
            context=context,
            case=case,
        )


class SourceUnreachable(TongbanError):
    """The node holding the licences could not be asked (down, unreachable, or its answer
    could not be trusted): the applicant is told so and uploads instead."""

    status = 503

    def __init__(self, node: str, node_name: str, details: str = "") -> None:
        super().__init__(
            "licence_source_unreachable",
            f"暂时无法连接{node_name}查询电子证照",
            field="licence_id",
            details={"node": node, "reason": details},
        )
        self.node = node
        self.node_name = node_name


def node_display_name(node: str) -> str:
    """The registry's name of a node (``node`` itself when the registry does not know it)."""
    from tongban.federation.errors import FederationUnavailable
    from tongban.federation.registry import node_entry

    try:
        return node_entry(node).name or node
    except FederationUnavailable:
        return node


class RemoteLicenceSource:
    def __init__(self, node: str, transport: Transport) -> None:
        self.node = node
        self.transport = transport

    def _send(self, query_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        from tongban.federation.errors import FederationUnavailable, PeerError

        try:
            return self.transport(self.node, query_type, payload)
        except FederationUnavailable as exc:
            raise SourceUnreachable(self.node, node_display_name(self.node), exc.code) from exc
        except PeerError as exc:
            if exc.code in _PEER_TRANSPORT_FAILURES:
                raise SourceUnreachable(self.node, node_display_name(self.node), exc.code) from exc
            raise

    def _ask(self, query_type: str, payload: dict[str, Any]) -> dict[str, Any]:
        answer = self._send(query_type, payload)
        body = answer.get("body")
        if not isinstance(body, dict) or answer.get("node") != self.node:
            raise ValidationFailed("evidence_answer_invalid", field="licence_id")
        pem = next(
            (
                p
                for a, p in issuer_public_keys(self.node)
                if a == answer.get("alg") and key_fingerprint(p) == answer.get("key")
            ),
            None,
        )
        try:
            good = pem is not None and verify(
                str(answer["alg"]), pem, canonical_json(body), unb64(str(answer["signature"]))
            )
        except (KeyError, ValueError, TypeError):
            good = False
        if not good or body.get("request") != payload:
            raise ValidationFailed("evidence_answer_invalid", field="licence_id")
        if not body.get("ok"):
            code = str(body.get("error") or "evidence_answer_invalid")
            if code == "not_found":
                raise NotFound("电子证照", field="licence_id")
            cls = PermissionDenied if code == "licence_not_holder" else ValidationFailed
            raise cls(code, body.get("message") or None, field="licence_id")
        return body

    def find(self, *, holder_code: str, type_code: str) -> FoundLicence | None:
        body = self._ask(
            "licence.find", {"query": "find", "holder_code": holder_code, "type_code": type_code}
        )
        found = body.get("licence")
        return FoundLicence(**found) if isinstance(found, dict) else None

    def use(
        self,
        *,
        identifier: str,
        holder_code: str,
        type_code: str,
        context: UseContext,
        case: Any = None,
    ) -> FoundLicence:
        body = self._ask(
            "licence.use",
            {
                "query": "use",
                "identifier": identifier,
                "holder_code": holder_code,
                "type_code": type_code,
                "purpose": context.purpose,
                "case_ref": context.case_ref,
                "department_name": context.department_name,
            },
        )
        return FoundLicence(**body["licence"])


# The sources the exemption flow asks, in order: this node, then (federated) every other
# node in the registry through the signed federation RPC.
SOURCES: list[LicenceSource] = [LocalLicenceSource()]
REMOTE_TIMEOUT_S = 3.0


def federation_transport(node: str, query_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    from tongban.federation import rpc

    return rpc.call(node, query_type, payload, timeout=REMOTE_TIMEOUT_S)


def licence_sources() -> list[LicenceSource]:
    from tongban.federation.errors import FederationUnavailable
    from tongban.federation.identity import this_node_id
    from tongban.federation.registry import registry_current

    me = this_node_id()
    if me is None:
        return list(SOURCES)
    try:
        others = [n for n in registry_current().nodes if n != me]
    except FederationUnavailable:
        others = []
    return [*SOURCES, *(RemoteLicenceSource(n, federation_transport) for n in others)]


__all__ = [
    "LicenceSource",
    "LocalLicenceSource",
    "RemoteLicenceSource",
    "SourceUnreachable",
    "node_display_name",
    "node_id",
]
