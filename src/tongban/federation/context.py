"""The envelope a consumer is applying, for the duration of the call.

``@consumer`` handlers keep the signature ``handler(payload)``; the ones that need to
know who sent a message (and on which stream, with which sequence number) ask
``current_envelope()``. It is ``None`` for local delivery on a single node
(``TONGBAN_NODE_ID`` unset).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class EnvelopeMeta:
    message_id: str
    type: str
    sender: str
    recipient: str
    stream: str
    seq: int
    created_at: str  # ISO 8601, as signed
    schema: int = 1


_CURRENT: ContextVar[EnvelopeMeta | None] = ContextVar("tongban_envelope", default=None)


def current_envelope() -> EnvelopeMeta | None:
    return _CURRENT.get()


@contextmanager
def applying(meta: EnvelopeMeta | None) -> Iterator[None]:
    token = _CURRENT.set(meta)
    try:
        yield
    finally:
        _CURRENT.reset(token)
