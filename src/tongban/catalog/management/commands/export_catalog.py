"""tongban export-catalog OUT.xlsx|OUT.json [--region CODE] [--all-versions]"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.catalog.io.exporter import catalog_export_json, catalog_export_xlsx
from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError


class Command(BaseCommand):
    help = "导出事项目录为 Excel（导入模板格式）或 JSON"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="输出文件，扩展名 .xlsx 或 .json")
        parser.add_argument("--region", help="只导出该行政区划（含下级）的事项，如 140400")
        parser.add_argument(
            "--all-versions",
            action="store_true",
            help="导出全部版本（含草稿和已失效版本）；默认只导出现行版本",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        out = Path(opts["out"])
        suffix = out.suffix.lower()
        if suffix not in (".xlsx", ".json"):
            raise CommandError("输出文件的扩展名应为 .xlsx 或 .json")
        status = "all" if opts["all_versions"] else "current"
        try:
            if suffix == ".xlsx":
                data = catalog_export_xlsx(actor=SYSTEM, region_code=opts["region"], status=status)
            else:
                doc = catalog_export_json(actor=SYSTEM, region_code=opts["region"], status=status)
                text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
                data = text.encode("utf-8")
        except TongbanError as exc:
            raise CommandError(f"{exc.message}（{exc.code}）") from exc
        out.write_bytes(data)
        self.stdout.write(f"已导出到 {out}（{len(data)} 字节）")
