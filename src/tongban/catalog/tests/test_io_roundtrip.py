"""Export → import round-trips to an identical catalogue (JSON and cell by cell)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from tongban.accounts.models import Department
from tongban.catalog.elements import (
    FAQInput,
    FeeInput,
    MaterialInput,
    SpecialProcedureInput,
    StepInput,
    VariantInput,
)
from tongban.catalog.io.exporter import catalog_export_json, catalog_export_xlsx
from tongban.catalog.io.importer import catalog_import_xlsx
from tongban.catalog.models import BaselineItem, ItemImplementation, ItemVersion, SearchEntry
from tongban.catalog.services import (
    baseline_upsert,
    catalog_refresh_all,
    version_create_draft,
    version_publish,
)
from tongban.core.actors import SYSTEM
from tongban.testing import elements, make_baseline, make_department, make_implementation

pytestmark = pytest.mark.django_db

TODAY = date(2026, 3, 15)


def _build_catalogue() -> None:
    changzhi = make_department("140400")
    panzhihua = make_department("510400", name="攀枝花市政务服务管理局")
    qijiang = make_department("500110", name="綦江区行政审批局", level="county")
    make_baseline(code="000105000000", name="社会保障卡")
    card = baseline_upsert(
        actor=SYSTEM,
        catalog_code="000105001000",
        name="社会保障卡申领",
        item_type="public_service",
        legal_basis="《社会保险法》第五十八条",
        competent_department="人力资源社会保障部",
        use_levels="city,county",
        parent_code="000105000000",
    )
    food = make_baseline(code="000201002000", name="食品经营许可", item_type="licensing")
    baseline_upsert(
        actor=SYSTEM,
        catalog_code=food.catalog_code,
        name=food.name,
        item_type="licensing",
        high_risk=True,
    )

    # 长治: v1 superseded by v2, and a v3 draft with every child kind.
    a1 = make_implementation(card, changzhi)
    v1 = version_create_draft(
        actor=SYSTEM, implementation=a1, elements=elements(valid_from="2026-01-01")
    )
    version_publish(actor=SYSTEM, version=v1, today=date(2026, 1, 1))
    v2 = version_create_draft(
        actor=SYSTEM,
        implementation=a1,
        elements=elements(promised_days=3, valid_from="2026-03-01", change_note="压缩时限"),
    )
    version_publish(actor=SYSTEM, version=v2, today=date(2026, 2, 1))
    rich = elements(
        summary="第一行，第二行\n第三行, 含逗号",
        legal_basis="=不是公式",
        allows_deferral=True,
        is_fee=True,
        fee_basis="《收费标准》",
        online_depth=4,
        result_type="licence",
        result_name="社会保障卡",
        for_organisation=True,
        valid_to="2027-01-01",
        special_procedures=[
            SpecialProcedureInput(name="专家评审", days=10, legal_basis="办法第3条"),
            SpecialProcedureInput(name="现场核查", days=2, counted_in_limit=True),
        ],
        fees=[FeeInput(name="工本费", standard="20元/张", reducible=True)],
        variants=[
            VariantInput(code=a1.task_code + "01", kind="new", name="首次申领"),
            VariantInput(code=a1.task_code + "02", kind="renew", name="补换卡"),
        ],
        faqs=[FAQInput(question="多久能拿到卡？", answer="一般5个工作日，\n急需可加急。")],
    )
    rich.materials.append(
        MaterialInput(name="户口簿", material_format="paper", copies=2, deferrable=True)
    )
    version_create_draft(actor=SYSTEM, implementation=a1, elements=rich)

    # 攀枝花: a regional item with partner regions.
    b1 = make_implementation(card, panzhihua)
    vb = version_create_draft(
        actor=SYSTEM,
        implementation=b1,
        elements=elements(
            scope="regional",
            partner_region_codes=["500110", "140400"],
            mode_joint=True,
            steps=[StepInput(name="受理并审核", role="reviewer", days=2, review_points="核对身份")],
        ),
    )
    version_publish(actor=SYSTEM, version=vb, today=date(2026, 2, 10))

    # A licensing item (high risk) and a draft-only implementation.
    a2 = make_implementation(food, changzhi)
    va = version_create_draft(
        actor=SYSTEM,
        implementation=a2,
        elements=elements(name="食品经营许可", kind="immediate", promised_days=0, max_visits=0),
    )
    version_publish(actor=SYSTEM, version=va, today=date(2026, 2, 10))
    q1 = make_implementation(food, qijiang)
    version_create_draft(actor=SYSTEM, implementation=q1, elements=elements(name="食品经营许可"))
    catalog_refresh_all(today=TODAY)


def _wipe_catalogue() -> None:
    """Delete everything the export contains. The 主项 000105000000 has no
    implementation, so it is not in the export: it stays, as the parent the file names."""
    SearchEntry.objects.all().delete()
    ItemVersion.objects.all().delete()
    ItemImplementation.objects.all().delete()
    BaselineItem.objects.exclude(catalog_code="000105000000").delete()
    Department.objects.all().delete()


def _cells(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    wb = load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    finally:
        wb.close()


def test_export_import_round_trips_to_identical_catalogue() -> None:
    _build_catalogue()
    before_all = catalog_export_json(actor=SYSTEM, status="all")
    before_current = catalog_export_json(actor=SYSTEM, status="current")
    xlsx = catalog_export_xlsx(actor=SYSTEM, status="all")
    assert len(before_all["items"]) == 6 and len(before_current["items"]) == 3

    _wipe_catalogue()
    report = catalog_import_xlsx(actor=SYSTEM, data=xlsx, publish=True, today=TODAY)
    assert report.ok, report.errors
    assert report.counts["versions"] == 6 and report.counts["published"] == 4
    assert report.counts["departments"] == 3 and report.counts["baselines_created"] == 2

    assert catalog_export_json(actor=SYSTEM, status="all") == before_all
    assert catalog_export_json(actor=SYSTEM, status="current") == before_current
    again = catalog_export_xlsx(actor=SYSTEM, status="all")
    assert _cells(again) == _cells(xlsx)


def test_round_trip_keeps_text_exactly() -> None:
    _build_catalogue()
    xlsx = catalog_export_xlsx(actor=SYSTEM, status="all")
    _wipe_catalogue()
    assert catalog_import_xlsx(actor=SYSTEM, data=xlsx, publish=True, today=TODAY).ok
    draft = ItemVersion.objects.get(status="draft", summary__startswith="第一行")
    assert draft.summary == "第一行，第二行\n第三行, 含逗号"
    assert draft.legal_basis == "=不是公式"
    assert [m.name for m in draft.materials.all()] == ["居民身份证", "近期免冠照片", "户口簿"]
    assert draft.faqs.get().answer == "一般5个工作日，\n急需可加急。"
    regional = ItemVersion.objects.get(scope="regional")
    assert sorted(r.code for r in regional.partner_regions.all()) == ["140400", "500110"]
    child = BaselineItem.objects.get(catalog_code="000105001000")
    assert child.parent is not None and child.parent.catalog_code == "000105000000"
    assert child.use_levels == "city,county"


def test_xlsx_import_export_gives_identical_cells() -> None:
    """A file exported once, imported into an empty catalogue and exported again."""
    _build_catalogue()
    first = catalog_export_xlsx(actor=SYSTEM, status="all")
    _wipe_catalogue()
    assert catalog_import_xlsx(actor=SYSTEM, data=first, publish=True, today=TODAY).ok
    second = catalog_export_xlsx(actor=SYSTEM, status="all")
    _wipe_catalogue()
    assert catalog_import_xlsx(actor=SYSTEM, data=second, publish=True, today=TODAY).ok
    third = catalog_export_xlsx(actor=SYSTEM, status="all")
    assert _cells(first) == _cells(second) == _cells(third)


def test_export_filters_by_region_and_status() -> None:
    _build_catalogue()
    changzhi = catalog_export_json(actor=SYSTEM, region_code="140400", status="all")
    assert {i["region_code"] for i in changzhi["items"]} == {"140400"}
    assert len(changzhi["items"]) == 4
    current = catalog_export_json(actor=SYSTEM, region_code="140400", status="current")
    assert [(i["task_code"][-12:], i["version"]) for i in current["items"]] == [
        ("000105001000", 2),
        ("000201002000", 1),
    ]
