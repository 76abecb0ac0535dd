"""Selector tests of the "五统一" report on the database (SQLite and PostgreSQL):
three regions implement 社会保障卡申领 with deliberate differences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from tongban.catalog import conformance
from tongban.catalog.conformance import conformance_item, conformance_overview
from tongban.catalog.elements import FeeInput, MaterialInput, VersionElements
from tongban.catalog.models import ItemImplementation
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.testing import elements, make_baseline, make_department, make_implementation, make_user

pytestmark = pytest.mark.django_db

ITEM = "000105001000"
SINGLE = "000105002000"
COMMON: dict[str, Any] = {
    "application_methods": "窗口办理、网上办理",
    "acceptance_mode": "无差别受理",
    "review_procedure": "窗口受理后3个工作日内完成审核",
    "issuing_method": "窗口领取、邮寄送达",
}


def _publish(impl: ItemImplementation, el: VersionElements, day: date) -> None:
    draft = version_create_draft(actor=SYSTEM, implementation=impl, elements=el)
    version_publish(actor=SYSTEM, version=draft, today=day)


@dataclass
class Demo:
    changzhi: ItemImplementation
    panzhihua: ItemImplementation
    huaiyang: ItemImplementation


def build_three_regions() -> Demo:
    """长治 (reference), 攀枝花 (+户口簿, 3-day promise, punctuation-only differences),
    淮阳 (no photo, so no photo acceptance standard either; charges a fee); 沈阳 has only a
    draft; 社会保障卡挂失 is implemented in 长治 alone."""
    baseline = make_baseline(ITEM, "社会保障卡申领")
    changzhi = make_implementation(
        baseline, make_department("140400", "长治市人力资源和社会保障局")
    )
    # v1 (promised 7 days) is superseded by v2 on 1 February: only v2 is compared.
    _publish(changzhi, elements(**COMMON, promised_days=7), date(2026, 1, 5))
    _publish(changzhi, elements(**COMMON), date(2026, 2, 1))

    panzhihua = make_implementation(
        baseline, make_department("510400", "攀枝花市人力资源和社会保障局")
    )
    pzh = elements("社会保障卡 申领", **{**COMMON, "application_methods": "窗口办理，网上办理"})
    pzh.promised_days = 3
    pzh.materials.append(MaterialInput(name="户口簿"))
    _publish(panzhihua, pzh, date(2026, 1, 5))

    huaiyang = make_implementation(
        baseline, make_department("411603", "淮阳区人力资源和社会保障局", "county")
    )
    hy = elements(**COMMON, is_fee=True, fees=[FeeInput(name="工本费", standard="20元/张")])
    hy.materials = hy.materials[:1]
    _publish(huaiyang, hy, date(2026, 1, 5))

    shenyang = make_implementation(baseline, make_department("210100", "沈阳市人社局"))
    version_create_draft(actor=SYSTEM, implementation=shenyang, elements=elements())

    single = make_baseline(SINGLE, "社会保障卡挂失")
    alone = make_implementation(single, make_department("140400", "长治市社会保险中心"))
    _publish(alone, elements("社会保障卡挂失"), date(2026, 1, 5))
    return Demo(changzhi, panzhihua, huaiyang)


@pytest.fixture
def demo() -> Demo:
    return build_three_regions()


def _cells(item: Any) -> dict[tuple[str, str], Any]:
    return {(d.key, c.region_code): c for d in item.dimensions for c in d.cells}


def test_matrix_shows_each_deliberate_difference(demo: Demo) -> None:
    item = conformance_item(actor=SYSTEM, catalog_code=ITEM)
    assert [c.region_code for c in item.regions] == ["140400", "411603", "510400"]
    assert item.regions[0].task_code == demo.changzhi.task_code
    cells = _cells(item)
    differing = {k: c.detail for k, c in cells.items() if not c.conforms}
    assert differing == {
        ("materials", "510400"): "多：户口簿",
        ("materials", "411603"): "缺：近期免冠照片",
        ("review_points", "411603"): "缺：近期免冠照片",
        ("time_limits", "510400"): "承诺时限：基准5个工作日，本地3个工作日",
        ("fees", "411603"): "基准不收费，本地收费；多：工本费",
    }
    # Punctuation and spacing differences are not differences.
    assert cells[("name", "510400")].conforms
    assert cells[("application_methods", "510400")].conforms
    assert item.score == 84.8  # 28 of 33 cells
    assert item.worst_dimension is not None and item.worst_dimension.key == "materials"


def test_only_the_version_in_force_is_compared(demo: Demo) -> None:
    item = conformance_item(actor=SYSTEM, catalog_code=ITEM)
    time_limits = next(d for d in item.dimensions if d.key == "time_limits")
    assert time_limits.reference_display == "法定20个工作日，承诺5个工作日"
    assert item.regions[0].version == 2
    assert "210100" not in {c.region_code for c in item.regions}  # draft only


def test_overview_scores_items_and_regions(demo: Demo) -> None:
    report = conformance_overview(actor=SYSTEM)
    assert [(i.catalog_code, i.score, i.note) for i in report.items] == [
        (ITEM, 84.8, ""),
        (SINGLE, None, "仅一地实施，无法比对"),
    ]
    assert [(s.region_code, s.score, s.items_compared, s.differences) for s in report.regions] == [
        ("411603", 72.7, 1, 3),
        ("510400", 81.8, 1, 2),
        ("140400", 100.0, 1, 0),
    ]
    assert report.regions[0].region_name == "淮阳区"


def test_filters_by_region_prefix_and_item_type(demo: Demo) -> None:
    sichuan = conformance_overview(actor=SYSTEM, region="51")
    assert [i.catalog_code for i in sichuan.items] == [ITEM]
    # Items are still compared across every region; only the region list is narrowed.
    assert sichuan.items[0].score == 84.8
    assert [s.region_code for s in sichuan.regions] == ["510400"]
    changzhi = conformance_overview(actor=SYSTEM, region="140400")
    assert [i.catalog_code for i in changzhi.items] == [ITEM, SINGLE]
    assert conformance_overview(actor=SYSTEM, item_type="licensing").items == []
    assert len(conformance_overview(actor=SYSTEM, item_type="public_service").items) == 2
    assert conformance_overview(actor=SYSTEM, region="210100").items == []  # draft only


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [({"region": "14a"}, "region_code_format"), ({"item_type": "nonsense"}, "item_type_unknown")],
)
def test_bad_filters_are_coded(demo: Demo, kwargs: dict[str, str], code: str) -> None:
    with pytest.raises(TongbanError) as exc:
        conformance_overview(actor=SYSTEM, **kwargs)
    assert exc.value.code == code


def test_unknown_item_is_not_found(demo: Demo) -> None:
    with pytest.raises(TongbanError) as exc:
        conformance_item(actor=SYSTEM, catalog_code="999999999999")
    assert exc.value.code == "not_found" and exc.value.status == 404


def test_roles(demo: Demo) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(TongbanError) as anon:
        conformance_overview(actor=AnonymousUser())
    assert anon.value.code == "not_authenticated"
    clerk = make_user("clerk-cz", "clerk", "140400")
    with pytest.raises(TongbanError) as denied:
        conformance_item(actor=clerk, catalog_code=ITEM)
    assert denied.value.code == "permission_denied"
    # Any region's supervisor or catalogue administrator sees every region.
    supervisor = make_user("sup-pzh", "supervisor", "510400")
    admin = make_user("admin-yr", "catalog_admin", "532327")
    for actor in (supervisor, admin):
        assert len(conformance_overview(actor=actor).regions) == 3


def test_children_read_in_chunks_give_the_same_matrix(
    demo: Demo, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = conformance_item(actor=SYSTEM, catalog_code=ITEM)
    monkeypatch.setattr(conformance, "_CHUNK", 1)
    assert conformance_item(actor=SYSTEM, catalog_code=ITEM) == whole


def test_query_count_does_not_grow_with_items(demo: Demo, django_assert_num_queries: Any) -> None:
    supervisor = make_user("sup-cz", "supervisor", "140400")
    # 1 role check + implementations + materials + steps + fees.
    with django_assert_num_queries(5):
        conformance_overview(actor=supervisor)
    extra = make_baseline("000105003000", "社会保障卡补领")
    for code in ("140400", "510400", "500110"):
        impl = make_implementation(extra, make_department(code, f"{code}人社局"))
        _publish(impl, elements("社会保障卡补领"), date(2026, 1, 5))
    supervisor = make_user("sup-cz2", "supervisor", "140400")
    with django_assert_num_queries(5):
        report = conformance_overview(actor=supervisor)
    assert len(report.items) == 3
