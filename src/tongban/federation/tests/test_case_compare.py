"""The comparison behind the case-level fault run: two records that agree count as
nothing; each kind of disagreement is counted, with the case number as an example."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from tongban.federation.testing.case_compare import compare

FIELDS = {"accepted_on": "2026-12-07", "result_name": "社会保障卡"}


def _pair(i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    mine, theirs = f"A{i:04d}", f"B{i:04d}"
    intake = {
        "index": i,
        "number": mine,
        "remote_number": theirs,
        "status": "closed",
        "counted": True,
        "fields": dict(FIELDS),
        "shipments": [["originals", "EMS", f"EO{i}", True]],
        "materials": [["申请表", "provided", True, 1]],
        "events": [
            [1, "create", "", "draft", "", None, True],
            [2, "submit", "draft", "submitted", "", None, False],
            [3, "hand_off", "", "", "", None, True],
            [4, "ship", "", "", "", None, False],
            [5, "pre_review", "submitted", "pre_review", "b", 3, False],
            [6, "accept", "pre_review", "accepted", "b", 4, False],
            [7, "close", "accepted", "closed", "", None, False],
        ],
    }
    decider = {
        "index": i,
        "number": theirs,
        "remote_number": mine,
        "status": "closed",
        "counted": False,
        "fields": dict(FIELDS),
        "shipments": [["originals", "EMS", f"EO{i}", True]],
        "materials": [["申请表", "provided", True, 1]],
        "events": [
            [1, "create", "", "draft", "", None, True],
            [2, "submit", "draft", "submitted", "", None, False],
            [3, "pre_review", "submitted", "pre_review", "", None, False],
            [4, "accept", "pre_review", "accepted", "", None, False],
            [5, "ship", "", "", "a", 4, False],
            [6, "close", "accepted", "closed", "a", 7, False],
        ],
    }
    return intake, decider


def _dumps(n: int) -> tuple[dict[str, Any], dict[str, Any]]:
    pairs = [_pair(i) for i in range(n)]
    a = {"records": [p[0] for p in pairs], "outbox_open": 0, "inbox_held": 0}
    b = {"records": [p[1] for p in pairs], "outbox_open": 0, "inbox_held": 0}
    return a, b


def _run(a: dict[str, Any], b: dict[str, Any], n: int = 3) -> dict[str, Any]:
    return compare(a, b, n=n, intake_node="a", deciding_node="b")


def test_records_that_agree_count_nothing() -> None:
    a, b = _dumps(3)
    r = _run(a, b)
    assert (r["lost"], r["duplicated"], r["diverged"], r["stuck"]) == (0, 0, 0, 0)
    assert r["examples"] == {}


def _drop_decider(a: dict[str, Any], b: dict[str, Any]) -> None:
    del b["records"][1]


def _drop_intake(a: dict[str, Any], b: dict[str, Any]) -> None:
    del a["records"][1]
    del b["records"][1]


def _double_decider(a: dict[str, Any], b: dict[str, Any]) -> None:
    twin = copy.deepcopy(b["records"][1])
    twin["number"] = "B9999"
    b["records"].append(twin)


def _double_intake(a: dict[str, Any], b: dict[str, Any]) -> None:
    a["records"].append(copy.deepcopy(a["records"][1]))


def _orphan(a: dict[str, Any], b: dict[str, Any]) -> None:
    stray = copy.deepcopy(b["records"][1])
    stray.update(number="B7777", remote_number="A7777")
    b["records"].append(stray)


@pytest.mark.parametrize(
    ("mutate", "kind", "example"),
    [
        (_drop_decider, "lost", "A0001"),
        (_drop_intake, "lost", "#1"),
        (_double_decider, "duplicated", "A0001"),
        (_double_intake, "duplicated", "A0001"),
        (_orphan, "duplicated", "B7777"),
    ],
)
def test_missing_and_doubled_records_are_counted(
    mutate: Callable[[dict[str, Any], dict[str, Any]], None], kind: str, example: str
) -> None:
    a, b = _dumps(3)
    mutate(a, b)
    r = _run(a, b)
    assert r[kind] >= 1 and example in " ".join(r["examples"][kind])
    others = {"lost", "duplicated"} - {kind}
    assert all(r[k] == 0 for k in others) and r["diverged"] == 0


def _set(side: int, key: str, value: Any) -> Callable[[dict[str, Any], dict[str, Any]], None]:
    def mutate(a: dict[str, Any], b: dict[str, Any]) -> None:
        (a, b)[side]["records"][2][key] = value

    return mutate


def _edit_event(side: int, index: int, **change: Any) -> Callable[..., None]:
    def mutate(a: dict[str, Any], b: dict[str, Any]) -> None:
        e = (a, b)[side]["records"][2]["events"][index]
        for pos, name in enumerate(("seq", "action", "from", "to", "origin", "origin_seq")):
            if name in change:
                e[pos] = change[name]

    return mutate


def _append_event(side: int, event: list[Any]) -> Callable[..., None]:
    def mutate(a: dict[str, Any], b: dict[str, Any]) -> None:
        (a, b)[side]["records"][2]["events"].append(event)

    return mutate


@pytest.mark.parametrize(
    ("mutate", "why"),
    [
        (_set(0, "status", "delivered"), "status"),
        (_set(0, "remote_number", "B0000"), "link"),
        (_set(0, "fields", {**FIELDS, "result_name": ""}), "fields"),
        (_set(1, "shipments", [["originals", "EMS", "EO2", False]]), "shipments"),
        (_set(1, "materials", [["申请表", "defective", True, 1]]), "materials"),
        (_set(1, "counted", True), "counted"),
        (_set(0, "counted", False), "counted"),
        # an entry of b's never applied on a, applied twice, or out of order
        (_edit_event(0, 5, origin=""), "timeline deciding→intake"),
        (_append_event(0, [8, "accept", "pre_review", "accepted", "b", 4, False]), "timeline"),
        (_edit_event(0, 4, origin_seq=4), "timeline deciding→intake"),
        # a's closing never reached b, or reached it as another move
        (_edit_event(1, 5, to="delivered"), "timeline intake→deciding"),
        # an applied entry echoed back to its origin
        (_append_event(1, [7, "close", "closed", "closed", "a", 7, False]), "timeline"),
        (_append_event(0, [8, "sync_conflict", "", "", "b", 9, True]), "sync_conflict"),
    ],
)
def test_each_disagreement_counts_as_diverged(mutate: Callable[..., None], why: str) -> None:
    a, b = _dumps(3)
    mutate(a, b)
    r = _run(a, b)
    assert (r["lost"], r["duplicated"], r["diverged"]) == (0, 0, 1), r
    assert r["examples"]["diverged"][0].startswith("A0002/B0002") and why in str(r["examples"])


def test_open_outbox_and_held_inbox_rows_are_stuck() -> None:
    a, b = _dumps(2)
    a["outbox_open"], b["inbox_held"] = 2, 1
    r = _run(a, b, n=2)
    assert r["stuck"] == 3 and len(r["examples"]["stuck"]) == 2


def test_an_application_never_taken_in_is_lost() -> None:
    a, b = _dumps(2)
    r = _run(a, b, n=3)
    assert r["lost"] == 1 and r["examples"]["lost"] == ["#2 (never taken in)"]
