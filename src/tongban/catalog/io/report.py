"""What an import returns: every error with its place in the workbook, or the counts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from tongban.catalog.io.template import SHEETS
from tongban.core.errors import MESSAGES, TongbanError

COUNT_LABELS = {
    "baselines_created": "新增基本目录事项",
    "baselines_updated": "更新基本目录事项",
    "departments": "新增实施机关",
    "implementations": "新增实施清单事项",
    "versions": "新增事项版本",
    "published": "发布版本",
    "materials": "申请材料",
    "steps": "办理环节",
    "special_procedures": "特殊环节",
    "fees": "收费项目",
    "variants": "业务办理项",
    "faqs": "常见问题",
}


@dataclass(frozen=True)
class ImportErrorRow:
    """One problem: where (sheet, Excel row number, column header) and what (code)."""

    sheet: str | None
    row: int | None
    column: str | None
    code: str
    message: str

    @classmethod
    def of(
        cls, exc: TongbanError, *, sheet: str | None, row: int | None, column: str | None
    ) -> ImportErrorRow:
        return cls(sheet=sheet, row=row, column=column, code=exc.code, message=exc.message)

    @classmethod
    def coded(
        cls,
        code: str,
        message: str | None = None,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> ImportErrorRow:
        return cls(sheet, row, column, code, message or MESSAGES.get(code, code))


@dataclass
class ImportReport:
    ok: bool
    errors: list[ImportErrorRow] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    rows: int = 0  # data rows in the 事项 sheet
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "counts": dict(self.counts),
            "errors": [asdict(e) for e in self.errors],
        }

    def count_lines(self) -> list[tuple[str, int]]:
        """(Chinese label, number) for every non-zero count, in a fixed order."""
        return [(label, self.counts[k]) for k, label in COUNT_LABELS.items() if self.counts.get(k)]


def unique_sorted(errors: Iterable[ImportErrorRow]) -> list[ImportErrorRow]:
    """One error per cell and code (two rules may report the same); by sheet, row, column."""
    names = [s.name for s in SHEETS]

    def key(e: ImportErrorRow) -> tuple[int, int, int]:
        if e.sheet not in names:
            return (-1, e.row or 0, 0)
        sheet = SHEETS[names.index(e.sheet)]
        headers = sheet.headers
        col = headers.index(e.column) if e.column in headers else len(headers)
        return (names.index(e.sheet), e.row or 0, col)

    seen: set[tuple[Any, ...]] = set()
    out: list[ImportErrorRow] = []
    for e in errors:
        k = (e.sheet, e.row, e.column, e.code)
        if k not in seen:
            seen.add(k)
            out.append(e)
    return sorted(out, key=key)
