"""Turn parsed rows into an import plan: identities, duplicates, references.

Pure: no database access. ``checks.py`` adds what needs the database (regions,
known departments, scope) and the element rules; ``writer.py`` carries the plan out.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tongban.catalog.elements import (
    FAQInput,
    FeeInput,
    MaterialInput,
    SpecialProcedureInput,
    StepInput,
    VariantInput,
    VersionElements,
)
from tongban.catalog.io.reader import ParsedRow, ParsedWorkbook
from tongban.catalog.io.report import ImportErrorRow
from tongban.catalog.io.template import (
    BASELINE_FIELDS,
    CHILD_KEY_FIELDS,
    CHILD_SHEETS,
    ITEMS,
    ROW_FIELDS,
    Sheet,
)
from tongban.catalog.models import VersionStatus
from tongban.catalog.rules import build_task_code, validate_catalog_code, validate_task_code
from tongban.core.errors import TongbanError
from tongban.core.ids import validate_region_code, validate_uscc

CHILD_INPUTS: dict[str, Any] = {
    "materials": MaterialInput,
    "steps": StepInput,
    "special_procedures": SpecialProcedureInput,
    "fees": FeeInput,
    "variants": VariantInput,
    "faqs": FAQInput,
}
SHEET_BY_COLLECTION = {s.collection: s for s in CHILD_SHEETS}
ELEMENT_FIELDS = [c.field for c in ITEMS.columns if c.field not in ROW_FIELDS]
ELEMENT_FIELD_SET = frozenset(ELEMENT_FIELDS)
# Field names used by services and rules that the 事项 sheet calls differently.
FIELD_ALIASES = {"uscc": "dept_uscc", "level": "use_level", "legal_basis": "legal_basis"}
_INDEXED_FIELD = re.compile(r"^(\w+)\[(\d+)\]\.(\w+)$")


@dataclass
class ItemPlan:
    row: ParsedRow
    catalog_code: str
    uscc: str
    region_code: str
    use_level: str
    task_code: str
    version: int
    publish: bool
    children: dict[str, list[ParsedRow]] = field(
        default_factory=lambda: {c: [] for c in CHILD_INPUTS}
    )
    elements: VersionElements | None = None

    @property
    def key(self) -> tuple[str, int]:
        return (self.task_code, self.version)

    @property
    def complete(self) -> bool:
        """Every element cell of the row, and every child row, is usable: only then are
        the element rules run (a guess for a bad cell would report misleading errors)."""
        return not (self.row.bad & ELEMENT_FIELD_SET) and not any(
            r.bad for rows in self.children.values() for r in rows
        )

    def baseline_values(self) -> dict[str, Any]:
        return {f: self.row.values[f] for f in BASELINE_FIELDS if f in self.row.values}


@dataclass
class Plan:
    items: list[ItemPlan] = field(default_factory=list)
    errors: list[ImportErrorRow] = field(default_factory=list)

    def error(self, exc: TongbanError, *, sheet: str, row: int | None, column: str | None) -> None:
        self.errors.append(ImportErrorRow.of(exc, sheet=sheet, row=row, column=column))

    def coded(self, code: str, message: str, *, sheet: str, row: int, column: str) -> None:
        self.errors.append(ImportErrorRow.coded(code, message, sheet=sheet, row=row, column=column))

    def at_item(self, item: ItemPlan, fld: str | None) -> tuple[str, int, str | None]:
        """The sheet, row and column of a rule's ``field`` (e.g. ``materials[2].name``)."""
        if fld:
            m = _INDEXED_FIELD.match(fld)
            if m:
                coll, idx, sub = m.group(1), int(m.group(2)), m.group(3)
                sheet = SHEET_BY_COLLECTION.get(coll)
                rows = item.children.get(coll, [])
                if sheet is not None and 0 < idx <= len(rows):
                    col = sheet.column(sub)
                    return sheet.name, rows[idx - 1].row, col.header if col else sub
            col = ITEMS.column(FIELD_ALIASES.get(fld, fld))
            return ITEMS.name, item.row.row, col.header if col else None
        return ITEMS.name, item.row.row, None

    def item_error(self, item: ItemPlan, exc: TongbanError) -> None:
        sheet, row, column = self.at_item(item, exc.field)
        self.error(exc, sheet=sheet, row=row, column=column)


def _header(sheet: Sheet, fld: str) -> str:
    col = sheet.column(fld)
    return col.header if col else fld


def _checked(
    plan: Plan, row: ParsedRow, sheet: Sheet, fld: str, check: Callable[..., str]
) -> str | None:
    value = row.values.get(fld)
    if not value:
        return None
    try:
        return check(value, field=fld)
    except TongbanError as exc:
        plan.error(exc, sheet=sheet.name, row=row.row, column=_header(sheet, fld))
        row.ok = False
        return None


def plan_items(parsed: ParsedWorkbook) -> Plan:
    """Identify every 事项 row (its 实施编码 + 版本号) and attach the child rows."""
    plan = Plan()
    by_key: dict[tuple[str, int], ItemPlan] = {}
    # Child rows of an item row that is itself in error are not reported again.
    failed: set[str] = set()
    for row in parsed.rows.get(ITEMS.name, []):
        item = _identify(plan, row)
        given = str(row.values.get("task_code") or "")
        if item is None or given not in ("", item.task_code):
            failed.add(given)
        if item is None:
            continue
        first = by_key.get(item.key)
        if first is not None:
            column = "实施编码" if row.values.get("task_code") else "基本编码"
            plan.coded(
                "import_duplicate_row",
                f"与第 {first.row.row} 行重复（实施编码 {item.task_code}，版本号 {item.version}）",
                sheet=ITEMS.name,
                row=row.row,
                column=column,
            )
            continue
        by_key[item.key] = item
        plan.items.append(item)
    if ITEMS.name not in parsed.broken:
        for sheet in CHILD_SHEETS:
            rows = parsed.rows.get(sheet.name, [])
            _attach_children(plan, sheet, rows, by_key, failed)
    plan.items.sort(key=lambda i: i.key)
    return plan


def _identify(plan: Plan, row: ParsedRow) -> ItemPlan | None:
    v = row.values
    code = _checked(plan, row, ITEMS, "catalog_code", validate_catalog_code)
    uscc = _checked(plan, row, ITEMS, "dept_uscc", validate_uscc)
    region = _checked(plan, row, ITEMS, "region_code", validate_region_code)
    level = v.get("use_level")
    if not (code and uscc and region and level):
        return None
    built = build_task_code(uscc=uscc, level=level, catalog_code=code)
    given = _checked(plan, row, ITEMS, "task_code", validate_task_code)
    if given and given != built:
        plan.coded(
            "task_code_mismatch",
            f"实施编码与实施机关、行使层级、基本编码不一致（应为 {built}）",
            sheet=ITEMS.name,
            row=row.row,
            column="实施编码",
        )
        row.ok = False
    return ItemPlan(
        row=row,
        catalog_code=code,
        uscc=uscc,
        region_code=region,
        use_level=level,
        task_code=built,
        version=v.get("version") or 1,
        publish=v.get("status") != VersionStatus.DRAFT,
    )


def _attach_children(
    plan: Plan,
    sheet: Sheet,
    rows: list[ParsedRow],
    by_key: dict[tuple[str, int], ItemPlan],
    failed: set[str],
) -> None:
    # Uniqueness within one version: position, and also name (materials) or code (variants).
    unique = ["position"] if sheet.column("position") else []
    unique += {"materials": ["name"], "variants": ["code"]}.get(sheet.collection, [])
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        task_code = _checked(plan, row, sheet, "task_code", validate_task_code)
        if not task_code:
            continue
        key = (task_code, row.values.get("version") or 1)
        item = by_key.get(key)
        if item is None and task_code in failed:
            continue
        if item is None:
            plan.coded(
                "import_unknown_reference",
                f"“{ITEMS.name}”工作表中没有实施编码为 {key[0]}、版本号为 {key[1]} 的行",
                sheet=sheet.name,
                row=row.row,
                column="实施编码",
            )
            continue
        duplicate = False
        for fld in unique:
            value = row.values.get(fld)
            if value is None:
                continue
            first = seen.setdefault((*key, fld, value), row.row)
            if first != row.row:
                duplicate = True
                plan.coded(
                    "import_duplicate_row",
                    f"与第 {first} 行重复（{_header(sheet, fld)}：{value}）",
                    sheet=sheet.name,
                    row=row.row,
                    column=_header(sheet, fld),
                )
        if duplicate:
            row.ok = False
        item.children[sheet.collection].append(row)
    for item in by_key.values():
        if sheet.column("position"):
            item.children[sheet.collection].sort(key=lambda r: r.values.get("position") or 0)


def build_elements(item: ItemPlan) -> VersionElements:
    """The typed element set of a complete item row and its child rows."""
    v = item.row.values
    data: dict[str, Any] = {f: v[f] for f in ELEMENT_FIELDS if v.get(f) is not None}
    for fld in ("valid_from", "valid_to"):
        if fld in data:
            data[fld] = data[fld].isoformat()
    for coll, cls in CHILD_INPUTS.items():
        names = [f.name for f in dataclasses.fields(cls) if f.name not in CHILD_KEY_FIELDS]
        data[coll] = [
            cls(**{f: r.values[f] for f in names if r.values.get(f) is not None})
            for r in item.children[coll]
        ]
    return VersionElements(**data)
