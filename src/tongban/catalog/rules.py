"""Catalogue business rules: one small validator per rule, each with a stable error code.

``check_elements`` returns every violation (the Excel importer reports them all, row by
row); ``ensure_elements`` raises the first one (the API and screens stop at the first).
"""

from __future__ import annotations

import re
from datetime import date

from tongban.accounts.models import Role
from tongban.catalog.elements import VersionElements
from tongban.catalog.models import (
    ItemKind,
    MaterialFormat,
    MaterialSource,
    OnlineDepth,
    ResultType,
    Scope,
    VariantKind,
)
from tongban.core.errors import TongbanError, ValidationFailed
from tongban.core.ids import validate_uscc
from tongban.regions.models import LEVEL_DIGITS

CATALOG_CODE_RE = re.compile(r"^[0-9A-Z]{12}$")
STEP_ROLES = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER})


def validate_catalog_code(code: str, *, field: str = "catalog_code") -> str:
    v = (code or "").strip().upper()
    if not CATALOG_CODE_RE.match(v):
        raise ValidationFailed("catalog_code_format", field=field)
    return v


def build_task_code(*, uscc: str, level: str, catalog_code: str) -> str:
    """实施编码 = department 统一社会信用代码 (18) + 行使层级 digit (1) + 基本编码 (12)."""
    return validate_uscc(uscc) + LEVEL_DIGITS[level] + validate_catalog_code(catalog_code)


def validate_task_code(task_code: str, *, field: str = "task_code") -> str:
    v = (task_code or "").strip().upper()
    if len(v) != 31 or v[18] not in LEVEL_DIGITS.values():
        raise ValidationFailed("task_code_format", field=field)
    try:
        validate_uscc(v[:18])
        validate_catalog_code(v[19:])
    except ValidationFailed as exc:
        raise ValidationFailed("task_code_format", field=field) from exc
    return v


def validate_variant_code(code: str, *, task_code: str, field: str = "variant_code") -> str:
    v = (code or "").strip().upper()
    if not (len(v) == 33 and v.startswith(task_code) and v[31:].isdigit()):
        raise ValidationFailed("variant_code_format", field=field)
    return v


def parse_date(value: str | date | None, *, field: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationFailed("invalid_input", "日期格式应为 YYYY-MM-DD", field=field) from exc


def _choice(value: str, allowed: list[str], field: str) -> TongbanError | None:
    if value not in allowed:
        return ValidationFailed("import_bad_value", f"取值 {value!r} 不在允许范围内", field=field)
    return None


def check_elements(
    el: VersionElements, *, task_code: str, high_risk: bool = False
) -> list[TongbanError]:
    errs: list[TongbanError | None] = []
    add = errs.append
    if not el.name.strip():
        add(ValidationFailed("import_required", "事项名称不能为空", field="name"))
    add(_choice(el.kind, ItemKind.values, "kind"))
    add(_choice(el.scope, Scope.values, "scope"))
    add(_choice(el.result_type, ResultType.values, "result_type"))
    if el.online_depth not in OnlineDepth.values:
        add(ValidationFailed("import_bad_value", "网办深度应为1-4", field="online_depth"))
    if el.statutory_days < 0 or el.promised_days < 0 or el.promised_days > el.statutory_days:
        add(ValidationFailed("time_limit_invalid", field="promised_days"))
    if el.kind == ItemKind.IMMEDIATE and el.promised_days != 0:
        add(ValidationFailed("immediate_item_limit", field="promised_days"))
    if el.max_visits < 0:
        add(ValidationFailed("import_bad_value", "到现场次数不能为负数", field="max_visits"))
    if el.scope == Scope.REGIONAL and not el.partner_region_codes:
        add(ValidationFailed("scope_needs_partner", field="partner_region_codes"))
    if el.scope == Scope.LOCAL and (el.mode_proxy_intake or el.mode_joint):
        add(ValidationFailed("mode_needs_scope", field="scope"))
    if el.allows_commitment and high_risk:
        add(ValidationFailed("commitment_excluded", field="allows_commitment"))
    try:
        start = parse_date(el.valid_from, field="valid_from")
        end = parse_date(el.valid_to, field="valid_to")
        if start and end and end <= start:
            add(ValidationFailed("version_invalid_period", field="valid_to"))
    except ValidationFailed as exc:
        add(exc)

    seen: set[str] = set()
    for i, m in enumerate(el.materials, start=1):
        f = f"materials[{i}]"
        if not m.name.strip():
            add(ValidationFailed("import_required", "材料名称不能为空", field=f"{f}.name"))
        if m.name in seen:
            add(ValidationFailed("import_duplicate_row", f"材料重复：{m.name}", field=f"{f}.name"))
        seen.add(m.name)
        add(_choice(m.source, MaterialSource.values, f"{f}.source"))
        add(_choice(m.material_format, MaterialFormat.values, f"{f}.material_format"))
        if m.source == MaterialSource.LICENCE and not m.licence_type_code.strip():
            add(ValidationFailed("material_source_licence_type", field=f"{f}.licence_type_code"))
        if m.deferrable and not el.allows_deferral:
            add(ValidationFailed("deferral_needs_flag", field=f"{f}.deferrable"))
        if m.copies < 0:
            add(ValidationFailed("import_bad_value", "份数不能为负数", field=f"{f}.copies"))
    for i, s in enumerate(el.steps, start=1):
        if not s.name.strip():
            add(ValidationFailed("import_required", "环节名称不能为空", field=f"steps[{i}].name"))
        add(_choice(s.role, sorted(STEP_ROLES), f"steps[{i}].role"))
        if s.days < 0:
            add(
                ValidationFailed("import_bad_value", "环节时限不能为负数", field=f"steps[{i}].days")
            )
    for i, v in enumerate(el.variants, start=1):
        add(_choice(v.kind, VariantKind.values, f"variants[{i}].kind"))
        try:
            validate_variant_code(v.code, task_code=task_code, field=f"variants[{i}].code")
        except ValidationFailed as exc:
            add(exc)
    return [e for e in errs if e is not None]


def ensure_elements(el: VersionElements, *, task_code: str, high_risk: bool = False) -> None:
    errors = check_elements(el, task_code=task_code, high_risk=high_risk)
    if errors:
        first = errors[0]
        if len(errors) > 1:
            first.details = [e.as_dict() for e in errors]
        raise first


def periods_overlap(a_from: date, a_to: date | None, b_from: date, b_to: date | None) -> bool:
    """Half-open [from, to) periods; ``None`` as ``to`` means open-ended."""
    return (b_to is None or a_from < b_to) and (a_to is None or b_from < a_to)
