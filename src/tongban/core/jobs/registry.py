"""Job handlers by name. A handler is a plain function taking the payload dict; it must be
idempotent, because a job runs at least once (a worker that dies mid-job loses its lease
and another worker runs the job again)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.module_loading import autodiscover_modules

Handler = Callable[[dict[str, Any]], object]

# How long a worker may hold a job before others assume it crashed and take it over.
DEFAULT_LEASE_SECONDS = 300
# Among due jobs a lower priority runs first (then the older run_at). Another node waits
# for FEDERATION jobs; everything else is NORMAL. A flood of NORMAL work (one notice or
# local delivery per case change) must never hold up the push to a peer.
PRIORITY_FEDERATION = 1
PRIORITY_NORMAL = 5
# Lanes: ``tongban worker`` runs one thread per lane, so work that waits on another node
# (the push to a peer, bound by the network and the peer) never holds up this node's own
# work (notices, local deliveries, scans), nor the other way round.
LANE_DEFAULT = "default"
LANE_FEDERATION = "federation"
LANES = (LANE_DEFAULT, LANE_FEDERATION)


@dataclass(frozen=True)
class HandlerSpec:
    name: str
    func: Handler
    lease_seconds: int
    priority: int = PRIORITY_NORMAL
    lane: str = LANE_DEFAULT


_HANDLERS: dict[str, HandlerSpec] = {}
_loaded = False


def job_handler(
    name: str,
    *,
    lease_seconds: int = DEFAULT_LEASE_SECONDS,
    priority: int = PRIORITY_NORMAL,
    lane: str = LANE_DEFAULT,
) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of jobs called ``name``."""
    if lane not in LANES:
        raise ValueError(f"unknown lane {lane!r}")

    def register(func: Handler) -> Handler:
        current = _HANDLERS.get(name)
        if current is not None and _qualname(current.func) != _qualname(func):
            raise ValueError(
                f"job handler {name!r} is already registered by {_qualname(current.func)}"
            )
        _HANDLERS[name] = HandlerSpec(name, func, lease_seconds, priority, lane)
        return func

    return register


def _qualname(func: Handler) -> str:
    return f"{getattr(func, '__module__', '?')}.{getattr(func, '__qualname__', repr(func))}"


def load_handlers() -> None:
    """Import ``job_handlers`` of every installed app (tongban.core.job_handlers first)."""
    global _loaded
    if not _loaded:
        autodiscover_modules("job_handlers")
        _loaded = True


def get_handler(name: str) -> HandlerSpec | None:
    return _HANDLERS.get(name)


def lane_names(lane: str) -> list[str]:
    """The job names a lane runs other than the default lane's (see ``claim``)."""
    load_handlers()
    return sorted(n for n, spec in _HANDLERS.items() if spec.lane == lane)


def handler_names() -> list[str]:
    load_handlers()
    return sorted(_HANDLERS)


def unregister(name: str) -> None:
    """Remove a handler (tests register throw-away handlers)."""
    _HANDLERS.pop(name, None)
