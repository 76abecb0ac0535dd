"""The Excel importer: all or nothing, every error reported with its sheet, row and column."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from datetime import date
from typing import Any

import pytest

from tongban.accounts.models import Department
from tongban.catalog.io import importer
from tongban.catalog.io.importer import catalog_import_xlsx
from tongban.catalog.io.samples import rows_to_xlsx, sample_rows, sample_uscc
from tongban.catalog.models import (
    BaselineItem,
    ItemImplementation,
    ItemVersion,
    MaterialRequirement,
    ProcessStep,
    SearchEntry,
    VersionStatus,
)
from tongban.catalog.services import version_create_draft, version_publish
from tongban.core.actors import SYSTEM
from tongban.core.errors import NotAuthenticated, PermissionDenied
from tongban.testing import elements, make_baseline, make_implementation, make_user

pytestmark = pytest.mark.django_db


def snapshot() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (
            BaselineItem,
            Department,
            ItemImplementation,
            ItemVersion,
            MaterialRequirement,
            ProcessStep,
            SearchEntry,
        )
    )


def run(rows: dict[str, list[dict[str, Any]]], actor: Any = SYSTEM, **kw: Any) -> Any:
    return catalog_import_xlsx(actor=actor, data=rows_to_xlsx(rows), **kw)


def refused(data: bytes | dict[str, Any], actor: Any = SYSTEM, **kw: Any) -> list[tuple]:
    """Import expecting failure: nothing may change. Returns (sheet, row, column, code)."""
    before = snapshot()
    if isinstance(data, dict):
        data = rows_to_xlsx(data)
    report = catalog_import_xlsx(actor=actor, data=data, **kw)
    assert not report.ok
    assert report.counts == {}
    assert snapshot() == before
    return [(e.sheet, e.row, e.column, e.code) for e in report.errors]


def test_good_file_imports_drafts() -> None:
    report = run(sample_rows(count=3))
    assert report.ok and report.errors == []
    assert report.rows == 3
    assert report.counts == {
        "baselines_created": 3,
        "departments": 1,
        "implementations": 3,
        "versions": 3,
        "materials": 6,
        "steps": 9,
    }
    assert set(ItemVersion.objects.values_list("status", flat=True)) == {VersionStatus.DRAFT}
    dept = Department.objects.get()
    assert (dept.region_id, dept.level, dept.name) == ("140400", "city", "长治市行政审批服务管理局")
    v = ItemVersion.objects.get(name="示例事项2")
    assert v.accept_condition == "符合条件的申请人，\n持有效证件"
    assert v.mode_fully_online and v.mode_proxy_intake and not v.mode_joint
    assert [m.source for m in v.materials.all()] == ["licence", "applicant"]
    assert [s.role for s in v.steps.all()] == ["clerk", "reviewer", "approver"]


def test_publish_flag_publishes_and_indexes() -> None:
    report = run(sample_rows(count=2), publish=True, today=date(2026, 3, 1))
    assert report.ok and report.counts["published"] == 2
    v = ItemVersion.objects.order_by("pk").first()
    assert v is not None and v.status == VersionStatus.PUBLISHED
    assert v.valid_from == date(2026, 3, 1)
    assert SearchEntry.objects.count() == 2


def test_draft_status_rows_stay_drafts_when_publishing() -> None:
    rows = sample_rows(count=2)
    rows["事项"][1]["状态"] = "草稿"
    assert run(rows, publish=True).ok
    assert sorted(ItemVersion.objects.values_list("status", flat=True)) == ["draft", "published"]


def test_second_import_adds_a_version_to_the_existing_implementation() -> None:
    assert run(sample_rows(), publish=True, today=date(2026, 3, 1)).ok
    rows = sample_rows()
    rows["事项"][0]["承诺时限（工作日）"] = 3
    rows["事项"][0]["生效日期"] = "2026-04-01"
    report = run(rows, publish=True, today=date(2026, 3, 2))
    assert report.ok and report.counts.get("implementations", 0) == 0
    impl = ItemImplementation.objects.get()
    assert list(impl.versions.values_list("version", "promised_days")) == [(1, 5), (2, 3)]
    assert impl.versions.get(version=1).valid_to == date(2026, 4, 1)


def test_wrong_headers_are_named() -> None:
    data = rows_to_xlsx(
        sample_rows(),
        headers={"材料": ["实施编码", "序号", "材料名", "材料来源", "材料来源"]},
    )
    errors = refused(data)
    assert ("材料", 1, "材料名", "import_bad_headers") in errors
    assert ("材料", 1, "材料来源", "import_bad_headers") in errors  # repeated
    assert ("材料", 1, "材料名称", "import_bad_headers") in errors  # missing required


def test_missing_required_sheet() -> None:
    rows = sample_rows()
    del rows["环节"]
    assert refused(rows) == [("环节", None, None, "import_missing_sheet")]


def test_optional_sheets_may_be_absent_and_extra_sheets_are_ignored() -> None:
    rows = sample_rows()
    rows["说明"] = [{"x": "随便写"}]
    assert run(rows).ok


def test_bad_catalog_code() -> None:
    rows = sample_rows()
    rows["事项"][0]["基本编码"] = "12345"
    rows["事项"][0]["实施编码"] = None
    errors = refused(rows)
    assert ("事项", 2, "基本编码", "catalog_code_format") in errors


def test_malformed_and_mismatched_task_codes() -> None:
    rows = sample_rows(count=2)
    rows["事项"][0]["实施编码"] = rows["事项"][0]["实施编码"][:30]
    task_code = rows["事项"][1]["实施编码"]
    rows["事项"][1]["实施编码"] = task_code[:18] + "4" + task_code[19:]  # county, not city
    errors = refused(rows)
    assert ("事项", 2, "实施编码", "task_code_format") in errors
    assert ("事项", 3, "实施编码", "task_code_mismatch") in errors


def test_uscc_check_digit() -> None:
    rows = sample_rows()
    good = rows["事项"][0]["实施机关统一社会信用代码"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    rows["事项"][0]["实施机关统一社会信用代码"] = bad
    errors = refused(rows)
    assert ("事项", 2, "实施机关统一社会信用代码", "uscc_checksum") in errors
    # The material and step rows of that item are not reported a second time.
    assert {e[0] for e in errors} == {"事项"}


def test_duplicate_rows() -> None:
    rows = sample_rows(count=2)
    rows["事项"].append(dict(rows["事项"][0]))
    rows["材料"][1]["序号"] = 1  # same position as the row before
    rows["材料"][3]["材料名称"] = "居民身份证"  # same name, other position
    errors = refused(rows)
    assert ("事项", 4, "实施编码", "import_duplicate_row") in errors
    assert ("材料", 3, "序号", "import_duplicate_row") in errors
    assert ("材料", 5, "材料名称", "import_duplicate_row") in errors


def test_unknown_reference() -> None:
    rows = sample_rows()
    other = sample_rows(first_code=50)["材料"][0]
    rows["材料"].append(other)
    assert refused(rows) == [("材料", 4, "实施编码", "import_unknown_reference")]


def test_region_scope_of_the_actor() -> None:
    admin = make_user("cz-admin", "catalog_admin", "140400")
    rows = sample_rows()
    far = sample_rows(region_code="510400", dept_name="攀枝花市政务服务管理局", first_code=7)
    for sheet, recs in far.items():
        rows[sheet] += recs
    errors = refused(rows, actor=admin)
    assert errors == [("事项", 3, "实施机关区划代码", "region_scope")]
    # Inside the region the same admin may import.
    assert run(sample_rows(), actor=admin).ok


def test_actor_needs_the_catalog_admin_role() -> None:
    from django.contrib.auth.models import AnonymousUser

    clerk = make_user("clerk", "clerk", "140400")
    data = rows_to_xlsx(sample_rows())
    with pytest.raises(PermissionDenied):
        catalog_import_xlsx(actor=clerk, data=data)
    with pytest.raises(NotAuthenticated):
        catalog_import_xlsx(actor=AnonymousUser(), data=data)


def test_not_an_xlsx_file() -> None:
    assert refused(b"just text, renamed to .xlsx") == [(None, None, None, "import_not_xlsx")]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")  # a .docx, not a workbook
    assert refused(buf.getvalue()) == [(None, None, None, "import_not_xlsx")]
    broken = io.BytesIO()
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("[Content_Types].xml", "garbage")
        zf.writestr("xl/workbook.xml", "garbage")
    assert refused(broken.getvalue()) == [(None, None, None, "import_not_xlsx")]


def test_file_over_the_size_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    data = rows_to_xlsx(sample_rows())
    small = dataclasses.replace(importer.CONFIG, upload_max_bytes=len(data) - 1)
    monkeypatch.setattr(importer, "CONFIG", small)
    assert refused(data) == [(None, None, None, "file_too_large")]


def test_cell_values_and_element_rules_map_to_cells() -> None:
    rows = sample_rows(count=2)
    rows["事项"][0]["承诺时限（工作日）"] = 30  # over the statutory 20 days
    rows["事项"][0]["高风险"] = "也许"
    rows["事项"][1]["办件类型"] = "加急件"
    rows["事项"][1]["事项名称"] = "  "
    rows["材料"][0]["电子证照类型代码"] = None  # source is 电子证照
    rows["环节"][3]["办理角色"] = "监察人员"  # first step of the second item
    errors = refused(rows)
    assert errors == [
        ("事项", 2, "高风险", "import_bad_value"),
        ("事项", 2, "承诺时限（工作日）", "time_limit_invalid"),
        ("事项", 3, "事项名称", "import_required"),
        ("事项", 3, "办件类型", "import_bad_value"),
        ("材料", 2, "电子证照类型代码", "material_source_licence_type"),
        ("环节", 5, "办理角色", "import_bad_value"),
    ]


def test_labels_and_codes_are_both_accepted() -> None:
    rows = sample_rows()
    rows["事项"][0].update(
        {"事项类型": "public_service", "行使层级": "city", "办件类型": "promised"}
    )
    rows["环节"][0]["办理角色"] = "clerk"
    assert run(rows).ok


def test_unknown_partner_region_and_regional_scope() -> None:
    rows = sample_rows()
    rows["事项"][0].update({"通办范围": "区域通办", "通办合作地区": "510400，999999"})
    errors = refused(rows)
    assert errors == [("事项", 2, "通办合作地区", "region_unknown")]
    rows["事项"][0]["通办合作地区"] = None
    assert refused(rows) == [("事项", 2, "通办合作地区", "scope_needs_partner")]


def test_known_department_must_match() -> None:
    uscc = sample_uscc("140400", 900)
    from tongban.accounts.services import department_create

    department_create(name="别的名字", uscc=uscc, region_code="140400", level="city")
    errors = refused(sample_rows())
    assert errors == [("事项", 2, "实施机关", "import_department_mismatch")]


def test_conflicting_baseline_rows() -> None:
    rows = sample_rows()
    other_dept = sample_rows(region_code="140400", dept_name="长治市卫健委", dept_n=901)
    other_dept["事项"][0]["基本目录名称"] = "另一个名称"
    for sheet, recs in other_dept.items():
        rows[sheet] += recs
    assert refused(rows) == [("事项", 3, "基本目录名称", "import_conflicting_rows")]


def test_service_rule_at_write_time_rolls_everything_back() -> None:
    """An overlap only version_publish can see: earlier rows are rolled back too."""
    assert run(sample_rows(count=2), publish=True, today=date(2026, 3, 1)).ok
    impl = ItemImplementation.objects.order_by("task_code").last()
    assert impl is not None
    v = version_create_draft(
        actor=SYSTEM,
        implementation=impl,
        elements=elements(valid_from="2026-05-01", valid_to="2026-06-01"),
    )
    version_publish(actor=SYSTEM, version=v, today=date(2026, 3, 2))
    rows = sample_rows(count=2)
    for r in rows["事项"]:
        r["生效日期"] = "2026-05-15"
    errors = refused(rows, publish=True, today=date(2026, 3, 3))
    assert ("事项", 3, "生效日期", "version_overlap") in errors
    assert ("事项", 2, "生效日期", "version_overlap") not in errors


def test_dry_run_writes_nothing() -> None:
    before = snapshot()
    report = run(sample_rows(count=2), publish=True, dry_run=True)
    assert report.ok and report.dry_run and report.counts["versions"] == 2
    assert snapshot() == before


def test_progress_reaches_the_total() -> None:
    seen: list[tuple[int, int]] = []
    assert run(sample_rows(count=3), progress=lambda d, t: seen.append((d, t))).ok
    assert seen[-1] == (6, 6)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_empty_items_sheet() -> None:
    assert refused({"事项": [], "材料": [], "环节": []}) == [
        ("事项", None, None, "import_required")
    ]


def test_existing_implementation_level_cannot_change() -> None:
    make_implementation(
        make_baseline(code="000100000001"),
        Department.objects.get(pk=make_department_for_sample().pk),
    )
    rows = sample_rows()
    rows["事项"][0]["行使层级"] = "县级"
    rows["事项"][0]["实施编码"] = None
    rows["材料"], rows["环节"] = [], []
    assert refused(rows) == [("事项", 2, "行使层级", "task_code_mismatch")]


def make_department_for_sample() -> Department:
    from tongban.accounts.services import department_create

    return department_create(
        name="长治市行政审批服务管理局",
        uscc=sample_uscc("140400", 900),
        region_code="140400",
        level="city",
    )


def test_parent_codes_in_file_or_catalogue() -> None:
    rows = sample_rows(count=3)
    rows["事项"][0]["上级基本编码"] = rows["事项"][2]["基本编码"]  # parent on a later row
    rows["事项"][1]["上级基本编码"] = "000999999999"  # nowhere
    assert refused(rows) == [("事项", 3, "上级基本编码", "import_unknown_reference")]
    rows["事项"][1]["上级基本编码"] = rows["事项"][0]["基本编码"]
    rows["事项"][2]["上级基本编码"] = rows["事项"][1]["基本编码"]  # 1 → 3 → 2 → 1
    errors = refused(rows)
    assert [e[2:] for e in errors] == [("上级基本编码", "import_bad_value")]
    rows["事项"][2]["上级基本编码"] = None
    assert run(rows).ok
    child = BaselineItem.objects.get(catalog_code=rows["事项"][1]["基本编码"])
    assert child.parent is not None and child.parent.parent is not None
    assert child.parent.parent.catalog_code == rows["事项"][2]["基本编码"]


def test_variant_codes_and_optional_sheets() -> None:
    rows = sample_rows()
    task_code = rows["事项"][0]["实施编码"]
    rows["业务办理项"] = [
        {"实施编码": task_code, "业务办理项编码": task_code + "01", "类别": "新办", "名称": "首次"},
        {"实施编码": task_code, "业务办理项编码": task_code + "1", "类别": "变更", "名称": "变更"},
    ]
    rows["收费"] = [{"实施编码": task_code, "序号": 1, "收费项目": "工本费", "收费标准": "20元"}]
    assert refused(rows) == [("业务办理项", 3, "业务办理项编码", "variant_code_format")]
    rows["业务办理项"][1]["业务办理项编码"] = task_code + "02"
    report = run(rows)
    assert report.ok and report.counts["variants"] == 2 and report.counts["fees"] == 1
