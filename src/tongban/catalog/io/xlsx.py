"""Build the workbook (openpyxl): data sheets with styled headers, drop-down lists for
enumerations, text-formatted code columns, and the 说明 sheet."""

from __future__ import annotations

import dataclasses
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from tongban.catalog.elements import VersionElements
from tongban.catalog.io.plan import CHILD_INPUTS
from tongban.catalog.io.template import GENERAL_NOTES, HELP_SHEET, ITEMS, SHEETS, Column, Sheet

HEADER_FILL = PatternFill("solid", fgColor="DCE6F5")
HEADER_FONT = Font(bold=True)
REQUIRED_FONT = Font(bold=True, color="C0392B")
# Drop-down lists cover at least this many rows, so the template is ready to fill in.
MIN_VALIDATED_ROWS = 1000


def _set(ws: Any, row: int, col: int, value: object) -> Any:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a formula
    return cell


def _data_sheet(wb: Workbook, sheet: Sheet, rows: list[list[object]]) -> None:
    ws = wb.create_sheet(sheet.name)
    for col, column in enumerate(sheet.columns, start=1):
        cell = _set(ws, 1, col, column.header)
        cell.font = REQUIRED_FONT if column.required else HEADER_FONT
        cell.fill = HEADER_FILL
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = column.width
        if column.type.number_format != "General":
            ws.column_dimensions[letter].number_format = column.type.number_format
    for r, values in enumerate(rows, start=2):
        for col, value in enumerate(values, start=1):
            if value is not None and value != "":
                _set(ws, r, col, value)
    last = max(len(rows) + 1, MIN_VALIDATED_ROWS)
    lists: dict[str, DataValidation] = {}
    for col, column in enumerate(sheet.columns, start=1):
        options = column.type.choices()
        if not options:
            continue
        formula = '"' + ",".join(options) + '"'
        dv = lists.get(formula)
        if dv is None:
            # Advisory only: codes are accepted too, so Excel must not refuse them.
            dv = DataValidation(type="list", formula1=formula, showErrorMessage=False)
            lists[formula] = dv
            ws.add_data_validation(dv)
        letter = get_column_letter(col)
        dv.add(f"{letter}2:{letter}{last}")
    ws.freeze_panes = "A2"


def default_label(sheet: Sheet, column: Column) -> str:
    """What a blank optional cell means, as the template would write it."""
    cls = VersionElements if sheet is ITEMS else CHILD_INPUTS.get(sheet.collection)
    found = {f.name: f for f in dataclasses.fields(cls)}.get(column.field) if cls else None
    if found is None or found.default in (dataclasses.MISSING, "", None):
        return ""
    return str(column.type.format(found.default))


def _help_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet(HELP_SHEET, 0)
    ws["A1"] = "事项目录导入模板说明"
    ws["A1"].font = Font(bold=True, size=14)
    r = 2
    for note in GENERAL_NOTES:
        ws.cell(row=r, column=1, value=note)
        r += 1
    r += 1
    titles = ["工作表", "列名", "必填", "空白时取值", "格式 / 允许取值", "说明"]
    for col, title in enumerate(titles, start=1):
        cell = ws.cell(row=r, column=col, value=title)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for sheet in SHEETS:
        r += 1
        ws.cell(row=r, column=1, value=sheet.name).font = HEADER_FONT
        ws.cell(row=r, column=3, value="必需工作表" if sheet.required else "可选工作表")
        ws.cell(row=r, column=6, value=sheet.note)
        for column in sheet.columns:
            r += 1
            ws.cell(row=r, column=1, value=sheet.name)
            ws.cell(row=r, column=2, value=column.header)
            ws.cell(row=r, column=3, value="是" if column.required else "")
            ws.cell(row=r, column=4, value=default_label(sheet, column))
            ws.cell(row=r, column=5, value=column.type.describe())
            ws.cell(row=r, column=6, value=column.note)
    for letter, width in zip("ABCDEF", (12, 26, 10, 14, 48, 56), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def build_workbook(rows: dict[str, list[list[object]]]) -> Workbook:
    wb = Workbook()
    default = wb.active
    for sheet in SHEETS:
        _data_sheet(wb, sheet, rows.get(sheet.name, []))
    _help_sheet(wb)
    if default is not None:
        wb.remove(default)
    wb.active = 0
    return wb
