"""The report on the demo data set: it finds exactly the demo's deliberate differences
(listed in tongban.demo.data) and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.test.utils import override_settings

from tongban.catalog.conformance import conformance_item, conformance_overview
from tongban.core.actors import SYSTEM
from tongban.demo.seed import demo_seed

pytestmark = pytest.mark.django_db

# (基本编码, dimension, region) of every differing cell the demo was built to have.
EXPECTED = {
    ("111010010000", "materials", "510400"),  # 攀枝花: extra 申领登记表 …
    ("111010010000", "review_points", "510400"),  # … and its acceptance standard
    ("111010030000", "steps", "140400"),  # 长治: separate 审核 step
    ("111010030000", "review_points", "140400"),  # … with its own review points
    ("111020010000", "materials", "210100"),  # 沈阳: 异地居住证明 instead of 承诺书
    ("111020010000", "review_points", "210100"),
    ("011030010000", "fees", "411603"),  # 淮阳: 户口簿工本费
    ("111050030000", "time_limits", "210100"),  # 沈阳: 3 instead of 5 days
    ("011060010000", "issuing_method", "210100"),  # 沈阳: electronic licence by default
    ("111080010000", "name", "411603"),  # 淮阳: 生育服务登记
    ("011090010000", "time_limits", "510400"),  # 攀枝花: 10 instead of 15 days
    ("011040010000", "review_points", "411603"),  # 淮阳: 身体条件证明 standard
}


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Seed once for this module inside a transaction rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        demo_seed(today=date(2026, 7, 1))
        yield
        transaction.set_rollback(True)


def test_report_finds_exactly_the_demo_differences(seeded: None) -> None:
    report = conformance_overview(actor=SYSTEM)
    found = {
        (item.catalog_code, row.key, cell.region_code)
        for item in report.items
        for row in item.dimensions
        for cell in row.cells
        if not cell.conforms
    }
    assert found == EXPECTED
    # Lowest score first: the items with a difference lead the list, the rest score 100.
    differing = {code for code, _, _ in EXPECTED}
    assert {i.catalog_code for i in report.items[: len(differing)]} == differing
    assert all(i.score == 100.0 for i in report.items[len(differing) :])
    assert len(report.items) == 35


def test_demo_differences_are_described(seeded: None) -> None:
    fee = conformance_item(actor=SYSTEM, catalog_code="011030010000")
    cell = next(c for d in fee.dimensions if d.key == "fees" for c in d.cells if not c.conforms)
    assert cell.detail == "基准不收费，本地收费；多：居民户口簿工本费"
    name = conformance_item(actor=SYSTEM, catalog_code="111080010000")
    cell = next(c for d in name.dimensions if d.key == "name" for c in d.cells if not c.conforms)
    assert cell.detail == "本地名称“生育服务登记”，基准名称“生育登记”"
