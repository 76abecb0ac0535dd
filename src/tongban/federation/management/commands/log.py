"""tongban log verify|export|prune|head: the hash-chained message log."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.federation.log import log_export, log_prune, log_verify
from tongban.federation.models import LogHead


class Command(BaseCommand):
    help = "节点消息日志：校验哈希链、导出审计、按保留期清理"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验哈希链（发现被修改、删除、调换顺序的记录）")
        exp = sub.add_parser("export", help="导出为 JSON Lines")
        exp.add_argument("--since", type=datetime.fromisoformat)
        exp.add_argument("--until", type=datetime.fromisoformat)
        exp.add_argument("--out", default="-")
        sub.add_parser("prune", help="删除超过保留期的记录（保留检查点）")
        sub.add_parser("head", help="打印链头（可另行存证）")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "verify":
            report = log_verify()
            if report.ok:
                self.stdout.write(f"日志完整：{report.entries} 条记录，哈希链校验通过")
                return
            for entry_id, reason in report.problems[:50]:
                self.stdout.write(f"记录 {entry_id}: {reason}")
            raise CommandError(f"日志校验失败：{len(report.problems)} 处问题")
        if action == "export":
            if opts["out"] == "-":
                n = log_export(sys.stdout, since=opts["since"], until=opts["until"])
            else:
                with open(opts["out"], "w", encoding="utf-8") as fh:
                    n = log_export(fh, since=opts["since"], until=opts["until"])
            self.stderr.write(f"已导出 {n} 条记录")
        elif action == "prune":
            self.stdout.write(f"已清理 {log_prune()} 条记录")
        elif action == "head":
            head = LogHead.objects.filter(pk=1).first()
            self.stdout.write(
                f"{head.last_id} {head.last_hash} {head.count}" if head else "（日志为空）"
            )
