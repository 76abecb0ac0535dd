"""Bulk import of existing licences (存量证照) from CSV: all rows or none.

Columns (UTF-8, header row required): type_code, holder_name, holder_code_type (111/001),
holder_code, issuer_code, issuer_name, issue_date, valid_from, valid_to, region_code,
number, fields (a JSON object of the licence's own fields; may be empty). Dates are
YYYY-MM-DD; an empty valid_to follows the type's validity rule. Each imported licence is
signed by this node (operation ``import``) and gets its PDF from the worker.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction

from tongban.core.actors import Actor
from tongban.core.errors import TongbanError, ValidationFailed
from tongban.licences.services import LicenceInput, licence_issue
from tongban.licences.transitions import LicenceOperation

COLUMNS = (
    "type_code",
    "holder_name",
    "holder_code_type",
    "holder_code",
    "issuer_code",
    "issuer_name",
    "issue_date",
    "valid_from",
    "valid_to",
    "region_code",
    "number",
    "fields",
)


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based data row (the header is row 0)
    field: str
    code: str
    message: str


def _day(value: str, field: str, *, required: bool) -> date | None:
    value = value.strip()
    if not value:
        if required:
            raise ValidationFailed("import_required", field=field)
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed("import_bad_value", "日期应为 YYYY-MM-DD", field=field) from exc


def _row_input(row: dict[str, str]) -> LicenceInput:
    raw_fields = (row.get("fields") or "").strip()
    try:
        fields: Any = json.loads(raw_fields) if raw_fields else {}
    except ValueError as exc:
        raise ValidationFailed("import_bad_value", "fields 应为 JSON 对象", field="fields") from exc
    if not isinstance(fields, dict):
        raise ValidationFailed("import_bad_value", "fields 应为 JSON 对象", field="fields")
    issue_date = _day(row.get("issue_date", ""), "issue_date", required=True)
    assert issue_date is not None
    return LicenceInput(
        type_code=row.get("type_code", ""),
        holder_name=row.get("holder_name", ""),
        holder_code=row.get("holder_code", ""),
        holder_code_type=row.get("holder_code_type", "").strip() or "111",
        issuer_code=row.get("issuer_code", ""),
        issuer_name=row.get("issuer_name", "").strip(),
        issue_date=issue_date,
        valid_from=_day(row.get("valid_from", ""), "valid_from", required=False),
        valid_to=_day(row.get("valid_to", ""), "valid_to", required=False),
        region_code=row.get("region_code", "").strip(),
        number=row.get("number", "").strip()[:64],
        fields=fields,
    )


def licences_import_csv(*, actor: Actor, text: str, render_pdf: bool = True) -> int:
    """Import every row or none; raises ValidationFailed("import_bad_value", details=[…])
    listing each bad row."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if tuple(reader.fieldnames or ()) != COLUMNS:
        raise ValidationFailed("licence_import_bad_header", details={"expected": list(COLUMNS)})
    errors: list[RowError] = []
    n = 0
    with transaction.atomic():
        for i, row in enumerate(reader, start=1):
            try:
                with transaction.atomic():
                    licence_issue(
                        actor=actor,
                        data=_row_input(row),
                        operation=LicenceOperation.IMPORT,
                        render_pdf=render_pdf,
                    )
                n += 1
            except TongbanError as exc:
                errors.append(RowError(i, exc.field or "", exc.code, exc.message))
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise ValidationFailed(
            "import_bad_value",
            f"{len(errors)} 行数据有误，未导入任何证照",
            details=[e.__dict__ for e in errors],
        )
    return n
