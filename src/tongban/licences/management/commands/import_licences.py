"""``tongban import-licences FILE.csv``: bulk import of existing licences (all or none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.licences.importer import COLUMNS, licences_import_csv


class Command(BaseCommand):
    help = "导入存量电子证照（CSV，全部成功或全部不导入）；列：" + ",".join(COLUMNS)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("csv_file")
        parser.add_argument("--no-pdf", action="store_true", help="不生成证照 PDF")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["csv_file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            n = licences_import_csv(
                actor=SYSTEM, text=path.read_text("utf-8"), render_pdf=not options["no_pdf"]
            )
        except TongbanError as exc:
            lines = [f"{exc.code}: {exc.message}"]
            for d in exc.details if isinstance(exc.details, list) else []:
                lines.append(f"  第 {d['row']} 行 {d['field']}: {d['code']} {d['message']}")
            raise CommandError("\n".join(lines)) from exc
        self.stdout.write(f"已导入 {n} 本电子证照")
