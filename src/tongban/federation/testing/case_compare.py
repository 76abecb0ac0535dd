"""Compare the two nodes' records of a case-level fault run (pure, no Django:
``case_world.dump`` writes the input inside each node; each timeline entry is
``[seq, action, from, to, origin node, origin seq, local note?]``).

Per application index ``i`` in ``range(n)``, with I = the intake node's records of it
and D = the deciding node's records naming I's number:

- **lost**        no intake record, or no deciding record for it;
- **duplicated**  more than one intake record for ``i``, more than one deciding record
                  for one intake number, a case number used twice on one node, or a
                  deciding record that names no intake record of the run;
- **diverged**    the pair disagrees on any of: the link (I names D's number), the
                  status, the deciding side's fields copied onto the intake record
                  (``DECIDER_FIELDS``: acceptance day, deadlines, paused days, result),
                  the shipments (kind, carrier, tracking number, received or not), the
                  materials (status, original checked, number of files), the counting
                  (I counted as an application, D never), or the cross-node timeline; or
                  either record has a ``sync_conflict`` entry;
- **stuck**       outbox rows not delivered (pending or dead) plus inbox rows held, on
                  both nodes.

The cross-node timeline: each side's *own* entries after the hand-over — on the intake
record those after its ``hand_off`` entry, on the deciding record those after its first
``submit`` (the transfer itself) — that are not local notes (``LOCAL_ONLY``, ``hand_off``)
and not applied from the other node. The other side must hold exactly those entries,
applied from this node (``origin_node``), in the same order, each naming its origin's
``seq``, with the same action, from-status and to-status. Each direction is one ordered
stream, so this holds exactly; the interleaving *between* the two directions is not
defined and is not compared.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

EXAMPLES = 5

Record = dict[str, Any]


def own_entries(record: Record, *, boundary_action: str) -> list[tuple[Any, ...]]:
    """This record's entries the other side must replicate: (seq, action, from, to)."""
    events = record["events"]
    start = next((e[0] for e in events if e[1] == boundary_action), None)
    if start is None:
        return []
    return [
        (seq, action, frm, to)
        for seq, action, frm, to, origin, _, local in events
        if seq > start and not origin and not local
    ]


def applied_entries(record: Record, node: str) -> list[tuple[Any, ...]]:
    """Entries applied from ``node``, as (origin seq, action, from, to)."""
    return [
        (origin_seq, action, frm, to)
        for _, action, frm, to, origin, origin_seq, local in record["events"]
        if origin == node and not local
    ]


def pair_differences(
    intake: Record, decider: Record, *, intake_node: str, deciding_node: str
) -> list[str]:
    """What two records of one application disagree on (empty: they agree)."""
    diffs = []
    if intake["remote_number"] != decider["number"] or decider["remote_number"] != intake["number"]:
        diffs.append("link")
    if intake["status"] != decider["status"]:
        diffs.append(f"status {intake['status']}≠{decider['status']}")
    if intake["fields"] != decider["fields"]:
        diffs.append("fields")
    if sorted(intake["shipments"]) != sorted(decider["shipments"]):
        diffs.append("shipments")
    if intake["materials"] != decider["materials"]:
        diffs.append("materials")
    if not intake["counted"] or decider["counted"]:
        diffs.append("counted")
    for r in (intake, decider):
        if any(e[1] == "sync_conflict" for e in r["events"]):
            diffs.append("sync_conflict")
            break
    if own_entries(intake, boundary_action="hand_off") != applied_entries(decider, intake_node):
        diffs.append("timeline intake→deciding")
    if own_entries(decider, boundary_action="submit") != applied_entries(intake, deciding_node):
        diffs.append("timeline deciding→intake")
    return diffs


def compare(
    intake_dump: dict[str, Any],
    deciding_dump: dict[str, Any],
    *,
    n: int,
    intake_node: str,
    deciding_node: str,
) -> dict[str, Any]:
    """Counts of lost / duplicated / diverged applications and stuck rows, with up to
    ``EXAMPLES`` examples (case number or index, and why) for each non-zero count."""
    examples: dict[str, list[str]] = defaultdict(list)
    counts: Counter[str] = Counter()

    def hit(kind: str, example: str) -> None:
        counts[kind] += 1
        if len(examples[kind]) < EXAMPLES:
            examples[kind].append(example)

    by_index: dict[int, list[Record]] = defaultdict(list)
    for r in intake_dump["records"]:
        by_index[int(r["index"])].append(r)
    by_intake_number: dict[str, list[Record]] = defaultdict(list)
    for r in deciding_dump["records"]:
        by_intake_number[str(r["remote_number"])].append(r)
    for side, dump in (("intake", intake_dump), ("deciding", deciding_dump)):
        numbers = Counter(r["number"] for r in dump["records"])
        for number, k in numbers.items():
            if k > 1:
                hit("duplicated", f"{number} ({side}: number used {k}×)")
    known = {r["number"] for r in intake_dump["records"]}
    for number, records in by_intake_number.items():
        if number not in known:
            hit("duplicated", f"{records[0]['number']} (deciding: names no intake record)")
    for i in range(n):
        mine = by_index.get(i, [])
        if not mine:
            hit("lost", f"#{i} (never taken in)")
            continue
        if len(mine) > 1:
            hit("duplicated", f"{mine[0]['number']} (intake: {len(mine)} records for #{i})")
        intake = mine[0]
        theirs = by_intake_number.get(str(intake["number"]), [])
        if not theirs:
            hit("lost", f"{intake['number']} (no record on {deciding_node})")
            continue
        if len(theirs) > 1:
            hit("duplicated", f"{intake['number']} ({len(theirs)} records on {deciding_node})")
        diffs = pair_differences(
            intake, theirs[0], intake_node=intake_node, deciding_node=deciding_node
        )
        if diffs:
            hit("diverged", f"{intake['number']}/{theirs[0]['number']}: {', '.join(diffs)}")
    stuck = 0
    for side, dump in (("intake", intake_dump), ("deciding", deciding_dump)):
        k = int(dump["outbox_open"]) + int(dump["inbox_held"])
        if k:
            stuck += k
            examples["stuck"].append(
                f"{side}: outbox {dump['outbox_open']} open, inbox {dump['inbox_held']} held"
            )
    return {
        "cases": n,
        "lost": counts["lost"],
        "duplicated": counts["duplicated"],
        "diverged": counts["diverged"],
        "stuck": stuck,
        "examples": {k: v for k, v in examples.items() if v},
    }
