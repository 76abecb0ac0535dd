"""Export the catalogue to the import template (xlsx) and to JSON.

Both formats come from the same records, built with the same sheet definitions the
importer reads, so an export imports back to an identical catalogue.
"""

from __future__ import annotations

import io
from typing import Any, Literal

from django.db.models import F, QuerySet

from tongban.accounts.models import Role
from tongban.accounts.services import require_role
from tongban.catalog.io.checks import actor_regions
from tongban.catalog.io.plan import ELEMENT_FIELDS
from tongban.catalog.io.template import CHILD_SHEETS, ITEMS, SHEETS, Sheet
from tongban.catalog.models import ItemVersion
from tongban.core.actors import Actor
from tongban.core.errors import PermissionDenied, ValidationFailed
from tongban.core.ids import validate_region_code
from tongban.regions.codes import prefix

Status = Literal["current", "all"]
STATUSES = ("current", "all")
JSON_FORMAT = "tongban-catalog"
JSON_FORMAT_VERSION = 1
_PARENT_KEYS = frozenset({"task_code", "version"})


def export_check(actor: Actor, *, region_code: str | None, status: str) -> None:
    """Anyone holding 事项管理员 may export what is in force; drafts and superseded
    versions (``all``) only of regions the actor administers."""
    if status not in STATUSES:
        raise ValidationFailed("invalid_input", "status 应为 current 或 all", field="status")
    if region_code is not None:
        validate_region_code(region_code, field="region")
    require_role(actor, Role.CATALOG_ADMIN, region_code=region_code if status == "all" else None)
    if status == "all" and region_code is None and actor_regions(actor) is not None:
        raise PermissionDenied(
            "region_scope", "导出全部版本时请指定您管辖的行政区划", field="region"
        )


def _versions(region_code: str | None, status: str) -> QuerySet[ItemVersion]:
    qs = ItemVersion.objects.select_related(
        "implementation__baseline__parent", "implementation__department"
    ).prefetch_related("partner_regions", *(s.collection for s in CHILD_SHEETS))
    if status == "current":
        qs = qs.filter(implementation__current_version=F("pk"))
    if region_code:
        qs = qs.filter(implementation__region__code__startswith=prefix(region_code))
    return qs.order_by("implementation__task_code", "version")


def _record(v: ItemVersion) -> dict[str, Any]:
    impl = v.implementation
    b = impl.baseline
    rec: dict[str, Any] = {
        "catalog_code": b.catalog_code,
        "baseline_name": b.name,
        "item_type": b.item_type,
        "competent_department": b.competent_department,
        "high_risk": b.high_risk,
        "parent_code": b.parent.catalog_code if b.parent else "",
        "use_levels": b.use_levels,
        "baseline_legal_basis": b.legal_basis,
        "task_code": impl.task_code,
        "dept_name": impl.department.name,
        "dept_uscc": impl.department.uscc,
        "region_code": impl.region_id,
        "use_level": impl.use_level,
        "version": v.version,
        "status": v.status,
    }
    for f in ELEMENT_FIELDS:
        if f == "partner_region_codes":
            rec[f] = sorted(r.code for r in v.partner_regions.all())
        else:
            rec[f] = getattr(v, f)
    for sheet in CHILD_SHEETS:
        fields = [c.field for c in sheet.columns if c.field not in _PARENT_KEYS]
        rec[sheet.collection] = [
            {f: getattr(child, f) for f in fields} for child in getattr(v, sheet.collection).all()
        ]
    return rec


def catalog_records(*, region_code: str | None = None, status: str = "current") -> list[dict]:
    """One record per version: the 事项 fields plus a list per child sheet."""
    return [_record(v) for v in _versions(region_code, status)]


def _json_value(sheet: Sheet, rec: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for c in sheet.columns:
        if c.field in rec:
            out[c.field] = c.type.to_json(rec[c.field])
    return out


def catalog_export_json(
    *, actor: Actor, region_code: str | None = None, status: str = "current"
) -> dict[str, Any]:
    """A stable, sorted, id-free document of the catalogue (codes, not labels)."""
    export_check(actor, region_code=region_code, status=status)
    items = []
    for rec in catalog_records(region_code=region_code, status=status):
        item = _json_value(ITEMS, rec)
        for sheet in CHILD_SHEETS:
            item[sheet.collection] = [_json_value(sheet, c) for c in rec[sheet.collection]]
        items.append(item)
    return {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "region_code": region_code,
        "status": status,
        "items": items,
    }


def catalog_export_xlsx(
    *, actor: Actor, region_code: str | None = None, status: str = "current"
) -> bytes:
    export_check(actor, region_code=region_code, status=status)
    return write_workbook(catalog_records(region_code=region_code, status=status))


def catalog_template_xlsx() -> bytes:
    """The empty template: headers, drop-down lists and the 说明 sheet."""
    return write_workbook([])


def sheet_rows(records: list[dict[str, Any]]) -> dict[str, list[list[object]]]:
    """Cell values per sheet for ``records`` (formatted as the template says)."""
    out: dict[str, list[list[object]]] = {s.name: [] for s in SHEETS}
    for rec in records:
        out[ITEMS.name].append([c.type.format(rec[c.field]) for c in ITEMS.columns])
        for sheet in CHILD_SHEETS:
            for child in rec[sheet.collection]:
                row = {**child, "task_code": rec["task_code"], "version": rec["version"]}
                out[sheet.name].append([c.type.format(row[c.field]) for c in sheet.columns])
    return out


def write_workbook(records: list[dict[str, Any]]) -> bytes:
    from tongban.catalog.io.xlsx import build_workbook

    buf = io.BytesIO()
    build_workbook(sheet_rows(records)).save(buf)
    return buf.getvalue()
