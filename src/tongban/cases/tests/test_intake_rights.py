"""window_rights_many answers exactly as catalog.agreements.window_rights, item by item."""

from __future__ import annotations

from datetime import date

import pytest

from tongban.accounts.services import service_center_create, window_create
from tongban.cases.intake_rights import window_rights_many
from tongban.cases.testing import build_world
from tongban.catalog.agreements import window_rights
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
