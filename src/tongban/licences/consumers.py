"""Federation entry points of the licences app (autodiscovered by ``federation.consumers``).

Another node's exemption flow asks this node, through the signed RPC, for a holder's valid
licence (``licence.find``) or to record the use of one (``licence.use``); the answer is
signed by this node's key and the use goes into the holder's use log here. A node
verifying a PDF of one of this node's licences asks for its status (``licence.status``).
"""

from __future__ import annotations

from typing import Any

from tongban.federation.rpc import query_handler
from tongban.licences.evidence import answer_licence_query
from tongban.licences.remote_status import STATUS_QUERY, answer_status


@query_handler("licence.find")
def licence_find(payload: dict[str, Any], requester_node: str) -> dict[str, Any]:
    return answer_licence_query(payload, requester_node)


@query_handler("licence.use")
def licence_use(payload: dict[str, Any], requester_node: str) -> dict[str, Any]:
    return answer_licence_query(payload, requester_node)


@query_handler(STATUS_QUERY)
def licence_status(payload: dict[str, Any], requester_node: str) -> dict[str, Any]:
    return answer_status(payload, requester_node)
