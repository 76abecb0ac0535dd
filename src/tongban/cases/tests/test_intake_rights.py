"""catalog.agreements.window_rights_many answers exactly as window_rights, item by item."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.accounts.services import service_center_create, window_create
from tongban.cases.testing import build_world
from tongban.catalog.agreements import agreement_create, window_rights, window_rights_many
from tongban.core.actors import SYSTEM
from tongban.testing import make_baseline, make_department, make_implementation

pytestmark = pytest.mark.django_db


def test_many_agrees_with_one_by_one() -> None:
    world = build_world()
    # An item of the same department outside the agreement, one in force nowhere, and a
    # window in the deciding region (local).
    other = make_implementation(make_baseline("000105002000", "失业登记"), world.dept)
    dept2 = make_department("140400", name="长治市市场监督管理局")
    third = make_implementation(make_baseline("000105003000", "就业登记"), dept2)
    local = window_create(
        center=service_center_create(name="长治市政务服务中心", region_code="140403"),
        name="综合窗口",
        number="1",
    )
    impls = [world.impl, other, third, world.impl]
    for window in (world.pzh_window, local):
        for on in (date(2025, 12, 1), date(2026, 3, 2)):
            many = window_rights_many(window=window, implementations=impls, on=on)
            assert set(many) == {i.pk for i in impls}
            for impl in impls:
                assert many[impl.pk] == window_rights(window=window, implementation=impl, on=on)
    answers = window_rights_many(
        window=world.pzh_window, implementations=impls, on=date(2026, 3, 2)
    )
    assert answers[world.impl.pk].allowed and not answers[world.impl.pk].local
    assert answers[other.pk].reason == "no_agreement_right"
    # A second agreement covering two of the baselines: each item's rights are the union
    # of every agreement that covers it, and each agreement is counted once.
    agreement_create(
        actor=SYSTEM,
        name="长治—攀枝花补充协议",
        scope="cross_province",
        party_codes=["140400", "510400"],
        catalog_codes=[world.impl.baseline.catalog_code, other.baseline.catalog_code],
        valid_from="2026-02-01",
        rights={"receive"},
    )
    on = date(2026, 3, 2)
    many = window_rights_many(window=world.pzh_window, implementations=impls, on=on)
    for impl in impls:
        assert many[impl.pk] == window_rights(window=world.pzh_window, implementation=impl, on=on)
    assert len(many[world.impl.pk].agreement_ids) == 2
    assert many[other.pk].agreement_ids and many[other.pk].rights == {"receive"}
