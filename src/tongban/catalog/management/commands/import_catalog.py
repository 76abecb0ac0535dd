"""tongban import-catalog FILE [--publish] [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.catalog.io.importer import catalog_import_xlsx
from tongban.catalog.io.progress import ProgressBar, table
from tongban.core.actors import SYSTEM


class Command(BaseCommand):
    help = "从 Excel (.xlsx) 导入事项目录：先校验全部数据，全部成功或全部不导入"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="事项目录 Excel 文件（模板格式）")
        parser.add_argument("--publish", action="store_true", help="导入后直接发布各版本")
        parser.add_argument(
            "--dry-run", action="store_true", help="只校验（含写入检查），不保存任何数据"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc
        report = catalog_import_xlsx(
            actor=SYSTEM,
            data=data,
            publish=opts["publish"],
            dry_run=opts["dry_run"],
            # OutputWrapper ends every write with a newline unless told otherwise.
            progress=ProgressBar(lambda s: self.stderr.write(s, ending=""), label="导入 "),
        )
        if not report.ok:
            rows = [
                [e.sheet or "", str(e.row or ""), e.column or "", e.code, e.message]
                for e in report.errors
            ]
            self.stdout.write(table(["工作表", "行", "列", "错误代码", "说明"], rows))
            raise CommandError(f"发现 {len(report.errors)} 处错误，未导入任何数据", returncode=1)
        verb = "校验通过（试运行，未保存）" if report.dry_run else "导入成功"
        self.stdout.write(f"{verb}：事项表 {report.rows} 行")
        for label, n in report.count_lines():
            self.stdout.write(f"  {label}：{n}")
