"""Coded errors of the federation layer (codes and Chinese texts in core/errors.py)."""

from __future__ import annotations

from tongban.core.errors import TongbanError


class FederationUnavailable(TongbanError):
    """This node cannot act as a federation member right now (no valid registry, no key,
    peer unknown or unreachable). The API answers 503."""

    status = 503


class PeerError(TongbanError):
    """A peer answered, but with an error or an answer that does not verify."""

    status = 502
