"""Case numbers unique nationally across nodes, without asking anyone (ADR 0010).

The national format stays 实施编码 (31) + yyyyMMdd + 4-digit serial. For one item (one
实施编码) two kinds of node issue numbers: its *home* node (the node serving the item's
region: its own applicants and the records it handles for other nodes) and any *intake*
node that takes the item in for another region (异地代收, 网上申请 on its portal). The hub
gives every node a small block of serials for the items it takes in for others, as
``foreign_serials: [start, end]`` in the node's registry entry (signed with the rest of
the registry; ``tongban registry build`` passes extra entry fields through). Then:

- an intake node numbers another node's item from its own block only;
- a home node numbers its own item outside every block listed in the registry.

Blocks never overlap (``assign_foreign_serials`` allocates them), so no two nodes can
issue the same number for the same item on the same day, and an intake node needs only
its cached registry — it can take in while the deciding node is down. A node without a
block (an old registry) falls back to its plain sequence and logs a warning: its numbers
for other regions' items are then unique only on the node.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from tongban.cases.numbering import MAX_SERIAL
from tongban.cases.services_remote_node import remote_node_for, this_node

log = logging.getLogger("tongban.cases.numbering")

FIELD = "foreign_serials"
DEFAULT_BLOCK = 100
Ranges = dict[str, tuple[int, int]]


def parse_block(value: Any) -> tuple[int, int] | None:
    """``[start, end]`` within 1..9999 (inclusive), else None."""
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 1 <= value[0] <= value[1] <= MAX_SERIAL
    ):
        return int(value[0]), int(value[1])
    return None


def blocks_of(entries: list[dict[str, Any]]) -> Ranges:
    """The valid blocks named by registry node entries (node id → block)."""
    out: Ranges = {}
    for e in entries:
        block = parse_block(e.get(FIELD))
        if block is not None and isinstance(e.get("node_id"), str):
            out[e["node_id"]] = block
    return out


def registry_blocks() -> Ranges:
    """The blocks in this node's current (verified) registry."""
    from tongban.cases.services_remote_node import loopback_blocks

    blocks = loopback_blocks()
    if blocks is not None:
        return blocks
    from tongban.federation import registry as reg

    reg.registry_current()  # verified and unexpired, or a coded error
    with reg._lock:
        doc = reg._cache.get("doc") or {}
    return blocks_of(list((doc.get("body") or {}).get("nodes") or []))


def serial_share(handling_region: str) -> dict[str, Any]:
    """Keyword arguments for ``case_number_issue``: this node's share of the serials of an
    item decided in ``handling_region`` (nothing on a classic single node)."""
    me = this_node()
    if me is None:
        return {}
    blocks = registry_blocks()
    if remote_node_for(handling_region) is None:  # our own item
        return {"skip": tuple(sorted(blocks.values()))}
    mine = blocks.get(me)
    if mine is None:
        log.warning("node %s has no %s in the registry: numbers not unique nationally", me, FIELD)
        return {"skip": tuple(sorted(blocks.values()))}
    return {"lo": mine[0], "hi": mine[1]}


# --- the hub's side --------------------------------------------------------------------


def assign_foreign_serials(
    entries: list[dict[str, Any]], *, size: int = DEFAULT_BLOCK
) -> list[dict[str, Any]]:
    """Give every entry without a block the next free one, from 9999 downwards; blocks
    already assigned are kept (a node keeps its block for life). Returns the entries."""
    if size < 1:
        raise ValueError("block size must be positive")
    taken = sorted(blocks_of(entries).values())
    low = min((s for s, _ in taken), default=MAX_SERIAL + 1)
    for e in sorted(entries, key=lambda e: str(e.get("node_id"))):
        if parse_block(e.get(FIELD)) is not None:
            continue
        start = low - size
        if start < 1:
            raise ValueError("no serials left for another node's block")
        e[FIELD] = [start, low - 1]
        low = start
    return entries


def assign_foreign_serials_files(paths: list[Path], *, size: int = DEFAULT_BLOCK) -> None:
    """The same on ``entry.json`` files (before ``tongban registry build``)."""
    entries = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    assign_foreign_serials(entries, size=size)
    for p, e in zip(paths, entries, strict=True):
        p.write_text(json.dumps(e, ensure_ascii=False, indent=2), encoding="utf-8")
