"""The sheet definitions and cell types: complete, and each parse/format pair inverse."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from tongban.catalog.elements import VersionElements
from tongban.catalog.io.cells import Boolean, Choice, ChoiceList, Code, CodeList, Integer, IsoDate
from tongban.catalog.io.exporter import catalog_template_xlsx
from tongban.catalog.io.plan import CHILD_INPUTS
from tongban.catalog.io.progress import ProgressBar, display_width, table
from tongban.catalog.io.template import CHILD_KEY_FIELDS, ITEMS, LEVEL, ROW_FIELDS, SHEETS
from tongban.catalog.models import ItemType, OnlineDepth
from tongban.core.errors import ValidationFailed


def test_items_sheet_has_every_element_field() -> None:
    skip = {f.name for f in dataclasses.fields(VersionElements)} & set(CHILD_INPUTS)
    wanted = {f.name for f in dataclasses.fields(VersionElements)} - skip
    have = {c.field for c in ITEMS.columns} - ROW_FIELDS
    assert have == wanted


@pytest.mark.parametrize("sheet", SHEETS[1:], ids=lambda s: s.name)
def test_child_sheets_have_every_input_field(sheet) -> None:  # type: ignore[no-untyped-def]
    cls = CHILD_INPUTS[sheet.collection]
    assert {c.field for c in sheet.columns} - CHILD_KEY_FIELDS == {
        f.name for f in dataclasses.fields(cls)
    }


def test_headers_are_unique_per_sheet() -> None:
    for sheet in SHEETS:
        assert len(set(sheet.headers)) == len(sheet.headers), sheet.name


def test_template_has_help_and_no_data_rows() -> None:
    wb = load_workbook(io.BytesIO(catalog_template_xlsx()))
    assert wb.sheetnames[0] == "说明"
    help_text = [c for row in wb["说明"].iter_rows(values_only=True) for c in row if c]
    assert "实施机关统一社会信用代码" in help_text
    assert (
        "行政许可、行政处罚、行政强制、行政征收、行政给付、行政检查、行政确认、行政奖励、行政裁决、其他行政权力、公共服务"
        in help_text
    )
    for sheet in SHEETS:
        assert [c.value for c in wb[sheet.name][1]] == sheet.headers
        assert wb[sheet.name].max_row == 1
    # Enumerations offer a drop-down list; code columns are formatted as text.
    lists = [dv.formula1 for dv in wb["事项"].data_validations.dataValidation]
    assert '"是,否"' in lists
    assert wb["事项"].column_dimensions["A"].number_format == "@"


@pytest.mark.parametrize(
    ("cell", "raw", "value"),
    [
        (Boolean(), "是", True),
        (Boolean(), "否", False),
        (Boolean(), True, True),
        (Boolean(), None, None),
        (Integer(), 5, 5),
        (Integer(), 5.0, 5),
        (Integer(), " 7 ", 7),
        (Code(), " 000105001000 ", "000105001000"),
        (Code(), 140400, "140400"),
        (IsoDate(), "2026-03-01", date(2026, 3, 1)),
        (IsoDate(), datetime(2026, 3, 1, 0, 0), date(2026, 3, 1)),
        (CodeList(), "510400，500110、140400", ["510400", "500110", "140400"]),
        (ChoiceList(LEVEL), "市级,县级", "city,county"),
    ],
)
def test_cells_parse(cell, raw, value) -> None:  # type: ignore[no-untyped-def]
    assert cell.parse(raw) == value


@pytest.mark.parametrize(
    ("cell", "raw"),
    [
        (Boolean(), "也许"),
        (Integer(), 2.5),
        (Integer(), "三"),
        (Integer(), -1),
        (Integer(), True),
        (IsoDate(), "2026/13/01"),
    ],
)
def test_cells_refuse(cell, raw) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as exc:
        cell.parse(raw)
    assert exc.value.code == "import_bad_value"


def test_choice_takes_label_or_code_and_writes_the_label() -> None:
    from tongban.catalog.io.cells import choice

    kinds: Choice = choice(ItemType)
    assert kinds.parse("行政许可") == kinds.parse("licensing") == "licensing"
    assert kinds.format("licensing") == "行政许可"
    depth = choice(OnlineDepth)
    assert depth.parse("四级：全程网办") == depth.parse(4) == 4
    assert depth.format(4) == "四级：全程网办"
    with pytest.raises(ValidationFailed):
        kinds.parse("行政审批")


def test_progress_bar_draws_only_for_big_files_and_ends_the_line() -> None:
    out: list[str] = []
    ProgressBar(out.append)(5, 10)
    assert out == []
    bar = ProgressBar(out.append, width=10)
    for n in range(0, 201):
        bar(n, 200)
    assert out[-1] == "\n" and out[-2].endswith("[##########] 100% 200/200")
    assert len(out) == 102  # one draw per percent, plus the final newline


def test_table_aligns_chinese_text() -> None:
    text = table(["工作表", "行"], [["事项", "2"], ["业务办理项", "10"]])
    lines = text.splitlines()
    # The second column starts at the same terminal column on every line.
    starts = {display_width(line[: line.rindex(" ") + 1]) for line in lines}
    assert len(starts) == 1
