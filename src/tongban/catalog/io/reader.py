"""Read an uploaded workbook into parsed rows: file checks, sheets, headers, cells.

Nothing here touches the database. Every problem becomes an ``ImportErrorRow``; a
file-level problem (too large, not an xlsx) stops reading at once.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

from tongban.catalog.io.cells import is_blank
from tongban.catalog.io.report import ImportErrorRow
from tongban.catalog.io.template import SHEETS, Column, Sheet
from tongban.core.errors import TongbanError

# The parts every xlsx package has (ECMA-376 / Open Packaging Conventions).
XLSX_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
# A zip bomb guard: an honest workbook is rarely more than this many times its size.
MAX_EXPANSION = 50


@dataclass
class ParsedRow:
    row: int  # Excel row number (the header is row 1)
    # field -> parsed value; None for a blank cell; no key when the column is absent.
    values: dict[str, Any]
    ok: bool = True
    # Fields whose cell could not be parsed.
    bad: set[str] = field(default_factory=set)


@dataclass
class ParsedWorkbook:
    rows: dict[str, list[ParsedRow]] = field(default_factory=dict)
    errors: list[ImportErrorRow] = field(default_factory=list)
    fatal: bool = False
    # Sheets missing or with bad headers: their rows could not be read.
    broken: set[str] = field(default_factory=set)


def _file_error(code: str, message: str | None = None) -> ParsedWorkbook:
    return ParsedWorkbook(errors=[ImportErrorRow.coded(code, message)], fatal=True)


def check_package(data: bytes, *, max_bytes: int) -> ParsedWorkbook | None:
    """A file-level error report, or None when ``data`` looks like an xlsx package."""
    if len(data) > max_bytes:
        return _file_error("file_too_large", f"文件超过大小上限（{max_bytes // 1024} KB）")
    buf = io.BytesIO(data)
    if not zipfile.is_zipfile(buf):
        return _file_error("import_not_xlsx")
    try:
        with zipfile.ZipFile(buf) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return _file_error("import_not_xlsx")
    names = {i.filename for i in infos}
    missing = [p for p in XLSX_PARTS if p not in names]
    if missing:
        return _file_error(
            "import_not_xlsx", f"文件不是有效的 Excel (.xlsx) 文件：缺少 {'、'.join(missing)}"
        )
    if sum(i.file_size for i in infos) > max_bytes * MAX_EXPANSION:
        return _file_error("file_too_large", "文件解压后过大")
    return None


def read_workbook(data: bytes, *, max_bytes: int) -> ParsedWorkbook:
    bad = check_package(data, max_bytes=max_bytes)
    if bad is not None:
        return bad
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged package
        return _file_error("import_not_xlsx")
    out = ParsedWorkbook()
    try:
        for sheet in SHEETS:
            if sheet.name not in wb.sheetnames:
                if sheet.required:
                    out.broken.add(sheet.name)
                    out.errors.append(
                        ImportErrorRow.coded(
                            "import_missing_sheet",
                            f"缺少工作表“{sheet.name}”",
                            sheet=sheet.name,
                        )
                    )
                out.rows[sheet.name] = []
                continue
            ws = wb[sheet.name]
            ws.reset_dimensions()  # some writers record a wrong sheet size
            rows = _read_sheet(sheet, ws.iter_rows(values_only=True), out.errors)
            if rows is None:
                out.broken.add(sheet.name)
            out.rows[sheet.name] = rows or []
    except Exception:
        return _file_error("import_not_xlsx")
    finally:
        wb.close()
    return out


def _header_map(
    sheet: Sheet, header: tuple[Any, ...], errors: list[ImportErrorRow]
) -> dict[int, Column] | None:
    by_header = {c.header: c for c in sheet.columns}
    mapping: dict[int, Column] = {}
    seen: set[str] = set()
    ok = True

    def bad(column: str, message: str) -> None:
        nonlocal ok
        ok = False
        errors.append(
            ImportErrorRow.coded(
                "import_bad_headers", message, sheet=sheet.name, row=1, column=column
            )
        )

    for idx, raw in enumerate(header):
        text = "" if raw is None else str(raw).strip()
        if not text:
            continue
        if text in seen:
            bad(text, f"列“{text}”重复")
        elif text not in by_header:
            bad(text, f"无法识别的列“{text}”（请使用模板中的表头）")
        else:
            mapping[idx] = by_header[text]
        seen.add(text)
    for c in sheet.columns:
        if c.required and c.header not in seen:
            bad(c.header, f"缺少必填列“{c.header}”")
    return mapping if ok else None


def _read_sheet(sheet: Sheet, rows: Any, errors: list[ImportErrorRow]) -> list[ParsedRow] | None:
    """The sheet's data rows, or None when its headers are wrong."""
    header = next(rows, ())
    mapping = _header_map(sheet, tuple(header or ()), errors)
    if mapping is None:
        return None
    parsed: list[ParsedRow] = []
    for number, cells in enumerate(rows, start=2):
        if cells is None or all(is_blank(v) for v in cells):
            continue
        row = ParsedRow(row=number, values={})
        for idx, column in mapping.items():
            raw = cells[idx] if idx < len(cells) else None
            if column.required and is_blank(raw):
                row.ok = False
                row.bad.add(column.field)
                errors.append(
                    ImportErrorRow.coded(
                        "import_required",
                        f"“{column.header}”不能为空",
                        sheet=sheet.name,
                        row=number,
                        column=column.header,
                    )
                )
                continue
            try:
                row.values[column.field] = column.type.parse(raw)
            except TongbanError as exc:
                row.ok = False
                row.bad.add(column.field)
                errors.append(
                    ImportErrorRow.of(exc, sheet=sheet.name, row=number, column=column.header)
                )
        parsed.append(row)
    return parsed
