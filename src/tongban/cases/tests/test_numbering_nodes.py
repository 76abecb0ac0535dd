"""Case numbers unique nationally: each node's share of an item's daily serials."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.db import transaction

from tongban.cases.models import CaseNumberSequence
from tongban.cases.numbering import case_number_issue, next_serial
from tongban.cases.numbering_nodes import (
    FIELD,
    assign_foreign_serials,
    blocks_of,
    parse_block,
    serial_share,
)
from tongban.cases.services_remote_node import Loopback, loopback
from tongban.core.errors import TongbanError

DAY = date(2026, 3, 2)
TASK = "1114040000000000000000000000000"  # a 长治 item (the task code only names it)


def test_next_serial_skips_blocks_and_stops_at_the_top() -> None:
    assert next_serial(0) == 1
    assert next_serial(4, skip=((5, 9),)) == 10
    assert next_serial(4, skip=((5, 9), (10, 12))) == 13
    assert next_serial(0, lo=9900, hi=9999) == 9900
    assert next_serial(9999, lo=9900, hi=9999) is None
    assert next_serial(9898, skip=((9899, 9999),)) is None


def test_blocks_are_assigned_once_from_the_top_and_never_overlap() -> None:
    entries = [{"node_id": "shenyang"}, {"node_id": "changzhi"}, {"node_id": "panzhihua"}]
    assign_foreign_serials(entries, size=100)
    blocks = blocks_of(entries)
    assert blocks == {
        "changzhi": (9900, 9999),
        "panzhihua": (9800, 9899),
        "shenyang": (9700, 9799),
    }
    # A node joining later gets the next block; existing ones keep theirs.
    entries.append({"node_id": "aaa"})
    assign_foreign_serials(entries, size=100)
    assert blocks_of(entries)["aaa"] == (9600, 9699)
    assert {k: v for k, v in blocks_of(entries).items() if k != "aaa"} == blocks
    with pytest.raises(ValueError):
        assign_foreign_serials([{"node_id": "x"}], size=10_000)


@pytest.mark.parametrize("bad", [None, [1], [0, 5], [9, 3], [1, 10_000], ["1", "2"], [True, 2]])
def test_malformed_blocks_are_ignored(bad: object) -> None:
    assert parse_block(bad) is None
    assert blocks_of([{"node_id": "n", FIELD: bad}]) == {}


@pytest.fixture
def lb() -> Iterator[Loopback]:
    nodes = Loopback(
        regions={"140400": "cz", "510400": "pzh"},
        node="pzh",
        blocks={"cz": (9900, 9999), "pzh": (9800, 9899)},
    )
    with loopback(nodes) as lb:
        yield lb


def _issue(n: int, handling_region: str) -> list[str]:
    out = []
    for _ in range(n):
        with transaction.atomic():
            out.append(case_number_issue(task_code=TASK, day=DAY, **serial_share(handling_region)))
    return out


@pytest.mark.django_db
def test_two_nodes_taking_in_the_same_item_on_the_same_day_never_collide(lb: Loopback) -> None:
    """攀枝花 takes in 长治's item for its citizens while 长治 numbers its own applicants
    (and the records it handles for 攀枝花): each node has its own sequence table, so
    each side starts from an empty table here."""
    with lb.as_node("pzh"):
        pzh = _issue(60, "140400")
    CaseNumberSequence.objects.all().delete()
    with lb.as_node("cz"):
        cz = _issue(400, "140400")
    assert not set(pzh) & set(cz)
    assert all(len(n) == 43 and n[31:39] == "20260302" for n in pzh + cz)
    assert [int(n[-4:]) for n in pzh] == list(range(9800, 9860))
    assert [int(n[-4:]) for n in cz] == list(range(1, 401))
    # The other order gives the same: neither node's numbers depend on the other's.
    CaseNumberSequence.objects.all().delete()
    with lb.as_node("cz"):
        assert _issue(3, "140400") == cz[:3]


@pytest.mark.django_db
def test_an_intake_nodes_block_is_its_limit(lb: Loopback) -> None:
    with lb.as_node("pzh"):
        numbers = _issue(100, "140400")
        assert [int(n[-4:]) for n in numbers] == list(range(9800, 9900))
        with pytest.raises(TongbanError) as err:
            _issue(1, "140400")
    assert err.value.code == "case_number_exhausted"


@pytest.mark.django_db
def test_the_home_node_skips_every_block(lb: Loopback) -> None:
    CaseNumberSequence.objects.create(task_code=TASK, day=DAY, last_serial=9798)
    with lb.as_node("cz"):
        assert [int(n[-4:]) for n in _issue(1, "140400")] == [9799]
        with pytest.raises(TongbanError) as err:
            _issue(1, "140400")
    assert err.value.code == "case_number_exhausted"


def test_a_single_node_keeps_the_whole_range() -> None:
    assert serial_share("140400") == {}
