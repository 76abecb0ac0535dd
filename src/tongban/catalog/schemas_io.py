"""API schemas for catalogue import/export."""

from __future__ import annotations

from ninja import Schema

from tongban.catalog.io.report import ImportReport


class ImportErrorOut(Schema):
    sheet: str | None
    row: int | None  # Excel row number; the header is row 1
    column: str | None  # column header
    code: str
    message: str


class ImportReportOut(Schema):
    ok: bool
    dry_run: bool
    rows: int  # data rows in the 事项 sheet
    counts: dict[str, int]  # what was created, by kind
    errors: list[ImportErrorOut]

    @classmethod
    def of(cls, report: ImportReport) -> ImportReportOut:
        return cls(**report.as_dict())
