"""Who applies a message type on the receiving node: ``@consumer(type)``.

A consumer is ``handler(payload)``; it runs inside the inbox transaction (an exception
rolls back the inbox row, so the message is retried) and may ask
``federation.context.current_envelope()`` who sent it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tongban.federation.context import EnvelopeMeta, applying

Consumer = Callable[[dict[str, Any]], None]
_CONSUMERS: dict[str, Consumer] = {}


def consumer(message_type: str) -> Callable[[Consumer], Consumer]:
    def register(func: Consumer) -> Consumer:
        _CONSUMERS[message_type] = func
        return func

    return register


def consumer_for(message_type: str) -> Consumer | None:
    load_domains()
    return _CONSUMERS.get(message_type)


def apply(message_type: str, payload: dict[str, Any], meta: EnvelopeMeta | None) -> None:
    handler = consumer_for(message_type)
    if handler is not None:
        with applying(meta):
            handler(payload)


_loaded = False


def load_domains() -> None:
    """Consumers register on import of their domain's module; make sure they are."""
    global _loaded
    if not _loaded:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("consumers")
        import tongban.federation.probe  # noqa: F401

        _loaded = True
