"""The catalogue import service: validate everything, then import all or nothing.

``catalog_import_xlsx`` reads the workbook, collects every error as a row of the
report (sheet, Excel row, column, code, message) and writes nothing if there is one;
otherwise it writes all rows in one transaction through the catalogue services.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from tongban.accounts.models import Role
from tongban.accounts.services import require_role
from tongban.catalog.io.checks import check_plan
from tongban.catalog.io.plan import plan_items
from tongban.catalog.io.reader import read_workbook
from tongban.catalog.io.report import ImportErrorRow, ImportReport, unique_sorted
from tongban.catalog.io.template import ITEMS
from tongban.catalog.io.writer import write_plan
from tongban.config import CONFIG
from tongban.core.actors import Actor

Progress = Callable[[int, int], None]


def catalog_import_xlsx(
    *,
    actor: Actor,
    data: bytes,
    publish: bool = False,
    today: date | None = None,
    progress: Progress | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import a catalogue workbook.

    ``publish``: publish each imported version (rows whose 状态 is 草稿 stay drafts).
    ``dry_run``: do everything, including the writes, then roll back — so the report
    also covers rules only the services check. ``progress(done, total)`` is called as
    rows are checked and then written (total = 2 × the number of 事项 rows).
    Raises NotAuthenticated / PermissionDenied unless the actor is a 事项管理员;
    rows outside the actor's regions are reported as ``region_scope``.
    """
    require_role(actor, Role.CATALOG_ADMIN)
    parsed = read_workbook(data, max_bytes=CONFIG.upload_max_bytes)
    rows = len(parsed.rows.get(ITEMS.name, []))
    if parsed.fatal:
        return ImportReport(ok=False, errors=parsed.errors, dry_run=dry_run)
    plan = plan_items(parsed)
    plan.errors[:0] = parsed.errors
    if not rows and ITEMS.name not in parsed.broken:
        plan.errors.append(
            ImportErrorRow.coded("import_required", "“事项”工作表没有数据行", sheet=ITEMS.name)
        )
    total = 2 * len(plan.items)

    def step(offset: int) -> Callable[[int], None] | None:
        if progress is None:
            return None
        return lambda n: progress(offset + n, total)

    checked = check_plan(plan, actor=actor, progress=step(0))
    if plan.errors:
        return ImportReport(ok=False, errors=unique_sorted(plan.errors), rows=rows, dry_run=dry_run)
    counts = write_plan(
        plan,
        checked,
        actor=actor,
        publish=publish,
        today=today,
        dry_run=dry_run,
        progress=step(len(plan.items)),
    )
    if plan.errors:
        return ImportReport(ok=False, errors=unique_sorted(plan.errors), rows=rows, dry_run=dry_run)
    counts_made = {k: n for k, n in counts.items() if n}
    return ImportReport(ok=True, counts=counts_made, rows=rows, dry_run=dry_run)


def read_upload(upload: Any) -> bytes:
    """Read an uploaded file, at most one byte past the size limit: the import then
    reports ``file_too_large`` without holding all of an oversized upload in memory."""
    return bytes(upload.read(CONFIG.upload_max_bytes + 1))
