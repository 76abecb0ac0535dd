"""Checks of an import plan that need the database, and the element rules.

All lookups are made in bulk (one query per kind), so checking 1,000 rows costs a
handful of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tongban.accounts.models import Department, Role
from tongban.accounts.services import user_region_codes
from tongban.catalog.io.plan import ItemPlan, Plan, build_elements
from tongban.catalog.io.template import BASELINE_FIELDS, ITEMS
from tongban.catalog.models import BaselineItem, ItemImplementation
from tongban.catalog.rules import check_elements, validate_catalog_code
from tongban.core.actors import Actor, SystemActor
from tongban.core.errors import TongbanError
from tongban.core.ids import validate_region_code
from tongban.regions.codes import covers
from tongban.regions.models import Region

_BASELINE_DEFAULTS: dict[str, Any] = {
    "baseline_name": "",
    "item_type": "",
    "competent_department": "",
    "high_risk": False,
    "parent_code": "",
    "use_levels": "",
    "baseline_legal_basis": "",
}


@dataclass
class BaselinePlan:
    catalog_code: str
    values: dict[str, Any]  # BASELINE_FIELDS -> value
    existing: BaselineItem | None

    def unchanged(self) -> bool:
        return self.existing is not None and _baseline_values(self.existing) == self.values


@dataclass
class DepartmentPlan:
    uscc: str
    name: str
    region_code: str
    level: str
    existing: bool


@dataclass
class Checked:
    baselines: list[BaselinePlan] = field(default_factory=list)  # parents first
    departments: list[DepartmentPlan] = field(default_factory=list)


def _baseline_values(b: BaselineItem) -> dict[str, Any]:
    return {
        "baseline_name": b.name,
        "item_type": b.item_type,
        "competent_department": b.competent_department,
        "high_risk": b.high_risk,
        "parent_code": b.parent.catalog_code if b.parent else "",
        "use_levels": b.use_levels,
        "baseline_legal_basis": b.legal_basis,
    }


def actor_regions(actor: Actor) -> list[str] | None:
    """The regions the actor may import into; None means everywhere."""
    if isinstance(actor, SystemActor) or getattr(actor, "is_superuser", False):
        return None
    return user_region_codes(actor, Role.CATALOG_ADMIN)


def check_plan(
    plan: Plan, *, actor: Actor, progress: Callable[[int], None] | None = None
) -> Checked:
    items = plan.items
    regions = actor_regions(actor)
    known_regions = set(
        Region.objects.filter(
            code__in={i.region_code for i in items}
            | {c for i in items for c in (i.row.values.get("partner_region_codes") or [])}
        ).values_list("code", flat=True)
    )
    for item in items:
        if item.region_code not in known_regions:
            plan.coded(
                "region_unknown",
                f"行政区划 {item.region_code} 不存在",
                sheet=ITEMS.name,
                row=item.row.row,
                column="实施机关区划代码",
            )
        elif regions is not None and not any(covers(r, item.region_code) for r in regions):
            plan.coded(
                "region_scope",
                f"您无权导入行政区划 {item.region_code} 的事项（管辖范围：{'、'.join(regions)}）",
                sheet=ITEMS.name,
                row=item.row.row,
                column="实施机关区划代码",
            )
        for code in item.row.values.get("partner_region_codes") or []:
            try:
                validate_region_code(code)
            except TongbanError as exc:
                plan.error(exc, sheet=ITEMS.name, row=item.row.row, column="通办合作地区")
                continue
            if code not in known_regions:
                plan.coded(
                    "region_unknown",
                    f"行政区划 {code} 不存在",
                    sheet=ITEMS.name,
                    row=item.row.row,
                    column="通办合作地区",
                )
    checked = Checked(baselines=_check_baselines(plan), departments=_check_departments(plan))
    _check_existing_implementations(plan)
    high_risk = {b.catalog_code: bool(b.values["high_risk"]) for b in checked.baselines}
    for n, item in enumerate(items, start=1):
        if item.complete:
            _check_elements(plan, item, high_risk.get(item.catalog_code, False))
        if progress:
            progress(n)
    return checked


def _first_difference(a: dict[str, Any], b: dict[str, Any], fields: tuple[str, ...]) -> str | None:
    for f in fields:
        if a.get(f) != b.get(f):
            return f
    return None


def _check_baselines(plan: Plan) -> list[BaselinePlan]:
    codes = {i.catalog_code for i in plan.items}
    parents = {c for i in plan.items if (c := i.row.values.get("parent_code"))}
    existing = {
        b.catalog_code: b
        for b in BaselineItem.objects.select_related("parent").filter(
            catalog_code__in=codes | parents
        )
    }
    by_code: dict[str, tuple[ItemPlan, BaselinePlan]] = {}
    for item in plan.items:
        found = existing.get(item.catalog_code)
        base = _baseline_values(found) if found else dict(_BASELINE_DEFAULTS)
        given = {
            f: (_BASELINE_DEFAULTS[f] if v is None else v)
            for f, v in item.baseline_values().items()
        }
        values = {**base, **given}
        first = by_code.get(item.catalog_code)
        if first is None:
            by_code[item.catalog_code] = (item, BaselinePlan(item.catalog_code, values, found))
            continue
        diff = _first_difference(first[1].values, values, BASELINE_FIELDS)
        if diff is not None:
            col = ITEMS.column(diff)
            plan.coded(
                "import_conflicting_rows",
                f"同一基本编码 {item.catalog_code} 的“{col.header if col else diff}”"
                f"与第 {first[0].row.row} 行不一致",
                sheet=ITEMS.name,
                row=item.row.row,
                column=col.header if col else diff,
            )
    ordered: list[BaselinePlan] = []
    state: dict[str, str] = {}

    def visit(code: str, item: ItemPlan) -> None:
        """Depth-first, so that parents are upserted before their children."""
        if state.get(code) == "done":
            return
        state[code] = "open"
        bp = by_code[code][1]
        parent = bp.values["parent_code"]
        if parent and (parent == code or state.get(parent) == "open"):
            plan.coded(
                "import_bad_value",
                f"上级基本编码 {parent} 形成循环引用",
                sheet=ITEMS.name,
                row=item.row.row,
                column="上级基本编码",
            )
        elif parent in by_code:
            visit(parent, by_code[parent][0])
        elif parent and parent not in existing:
            _parent_error(plan, item, parent)
        state[code] = "done"
        ordered.append(bp)

    for code, (item, _) in by_code.items():
        visit(code, item)
    return ordered


def _parent_error(plan: Plan, item: ItemPlan, parent: str) -> None:
    try:
        validate_catalog_code(parent)
    except TongbanError as exc:
        plan.error(exc, sheet=ITEMS.name, row=item.row.row, column="上级基本编码")
        return
    plan.coded(
        "import_unknown_reference",
        f"上级基本编码 {parent} 既不在文件中，也不在事项目录中",
        sheet=ITEMS.name,
        row=item.row.row,
        column="上级基本编码",
    )


def _check_departments(plan: Plan) -> list[DepartmentPlan]:
    known = {
        d.uscc: d
        for d in Department.objects.select_related("region").filter(
            uscc__in={i.uscc for i in plan.items}
        )
    }
    out: dict[str, tuple[ItemPlan, DepartmentPlan]] = {}
    for item in plan.items:
        name = item.row.values.get("dept_name") or ""
        dept = known.get(item.uscc)
        if dept is not None:
            problem = None
            if dept.region_id != item.region_code:
                problem = (
                    "实施机关区划代码",
                    f"该统一社会信用代码已登记在 {dept.region}（{dept.region_id}）",
                )
            elif dept.name != name.strip():
                problem = ("实施机关", f"该统一社会信用代码已登记为“{dept.name}”")
            if problem:
                plan.coded(
                    "import_department_mismatch",
                    problem[1],
                    sheet=ITEMS.name,
                    row=item.row.row,
                    column=problem[0],
                )
        first = out.get(item.uscc)
        if first is None:
            out[item.uscc] = (
                item,
                DepartmentPlan(
                    item.uscc, name.strip(), item.region_code, item.use_level, dept is not None
                ),
            )
        elif dept is None and (first[1].name, first[1].region_code) != (
            name.strip(),
            item.region_code,
        ):
            plan.coded(
                "import_conflicting_rows",
                f"同一统一社会信用代码的实施机关名称或区划代码与第 {first[0].row.row} 行不一致",
                sheet=ITEMS.name,
                row=item.row.row,
                column="实施机关",
            )
    return [d for _, d in out.values()]


def _check_existing_implementations(plan: Plan) -> None:
    """One implementation per (baseline, department): the 行使层级 cannot change."""
    pairs: dict[tuple[str, str], ItemPlan] = {}
    for item in plan.items:
        first = pairs.setdefault((item.catalog_code, item.uscc), item)
        if first.task_code != item.task_code:
            plan.coded(
                "import_conflicting_rows",
                f"同一实施机关的同一基本编码只能有一个行使层级（与第 {first.row.row} 行不一致）",
                sheet=ITEMS.name,
                row=item.row.row,
                column="行使层级",
            )
    existing = ItemImplementation.objects.filter(
        baseline__catalog_code__in={c for c, _ in pairs},
        department__uscc__in={u for _, u in pairs},
    ).values_list("baseline__catalog_code", "department__uscc", "task_code")
    for code, uscc, task_code in existing:
        found = pairs.get((code, uscc))
        if found is not None and found.task_code != task_code:
            plan.coded(
                "task_code_mismatch",
                f"该实施机关已实施此事项，实施编码为 {task_code}（行使层级不可更改）",
                sheet=ITEMS.name,
                row=found.row.row,
                column="行使层级",
            )


def _check_elements(plan: Plan, item: ItemPlan, high_risk: bool) -> None:
    item.elements = build_elements(item)
    for exc in check_elements(item.elements, task_code=item.task_code, high_risk=high_risk):
        plan.item_error(item, exc)
