"""tongban node init|entry|rotate-key|status|probe|stats|dead-letters|replay"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban import config
from tongban.core import signing
from tongban.core.actors import SYSTEM
from tongban.core.errors import TongbanError
from tongban.federation import identity


class Command(BaseCommand):
    help = "节点：初始化密钥与注册信息、轮换密钥、查看投递状态、探测、重新投递死信"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        init = sub.add_parser("init", help="生成节点密钥并写出注册信息 node/entry.json")
        init.add_argument("--node-id", default=config.CONFIG.node_id or "")
        init.add_argument("--name", default="")
        init.add_argument("--regions", required=True, help="服务的行政区划代码，逗号分隔")
        init.add_argument("--base-url", required=True)
        init.add_argument("--alg", default=signing.SM2, choices=signing.ALGORITHMS)
        sub.add_parser("entry", help="打印本节点的注册信息（含全部未过期公钥）")
        rot = sub.add_parser("rotate-key", help="生成下一把密钥（先发布，后启用）")
        rot.add_argument("--activate-in-hours", type=float, default=24.0)
        rot.add_argument("--overlap-hours", type=float, default=168.0)
        sub.add_parser("status", help="节点、注册表、密钥与发件箱状态 (JSON)")
        probe = sub.add_parser("probe", help="向另一节点发送探测消息")
        probe.add_argument("--to", required=True)
        probe.add_argument("--count", type=int, default=1)
        probe.add_argument("--streams", type=int, default=1)
        probe.add_argument("--start", type=int, default=0)
        probe.add_argument("--per-transaction", type=int, default=1)
        sub.add_parser("stats", help="探测消息收发统计 (JSON)")
        echo = sub.add_parser("echo", help="向另一节点发一次同步请求 (rpc)")
        echo.add_argument("--to", required=True)
        sub.add_parser("dead-letters", help="列出死信")
        replay = sub.add_parser("replay", help="重新投递死信")
        replay.add_argument("ids", nargs="*", type=int)

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "do_" + opts["action"].replace("-", "_"))(opts)
        except TongbanError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc

    def _json(self, value: Any) -> None:
        self.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str))

    def do_init(self, opts: dict[str, Any]) -> None:
        node_id = opts["node_id"]
        if not node_id:
            raise CommandError("--node-id (或 TONGBAN_NODE_ID) 必填")
        regions = [r.strip() for r in opts["regions"].split(",") if r.strip()]
        if identity.node_key_meta() is None:
            meta = identity.key_add(alg=opts["alg"])
            self.stdout.write(f"已生成密钥 {meta['alg']} {meta['fingerprint']}")
        entry = identity.node_entry_document(
            node_id=node_id,
            name=opts["name"] or node_id,
            regions=regions,
            base_url=opts["base_url"],
        )
        path = identity.entry_write(entry)
        self.stdout.write(f"注册信息已写入 {path}（交给枢纽签入注册表）")

    def do_entry(self, opts: dict[str, Any]) -> None:
        old = identity.entry_read()
        self._json(
            identity.node_entry_document(
                node_id=old["node_id"],
                name=old["name"],
                regions=old["regions"],
                base_url=old["base_url"],
            )
        )

    def do_rotate_key(self, opts: dict[str, Any]) -> None:
        meta = identity.key_rotate(
            activate_in=timedelta(hours=opts["activate_in_hours"]),
            overlap=timedelta(hours=opts["overlap_hours"]),
        )
        old = identity.entry_read()
        entry = identity.node_entry_document(
            node_id=old["node_id"],
            name=old["name"],
            regions=old["regions"],
            base_url=old["base_url"],
        )
        identity.entry_write(entry)
        self.stdout.write(
            f"新密钥 {meta['fingerprint']} 自 {meta['not_before']} 起启用；"
            "请把更新后的 node/entry.json 交给枢纽重新签发注册表"
        )

    def do_status(self, opts: dict[str, Any]) -> None:
        from tongban.federation.selectors import node_status

        self._json(node_status())

    def do_probe(self, opts: dict[str, Any]) -> None:
        from tongban.federation.probe import probe_send

        n = probe_send(
            to=opts["to"],
            count=opts["count"],
            streams=opts["streams"],
            start=opts["start"],
            per_tx=opts["per_transaction"],
        )
        self.stdout.write(f"已写入 {n} 条探测消息")

    def do_stats(self, opts: dict[str, Any]) -> None:
        from tongban.federation.probe import probe_stats

        self.stdout.write(json.dumps(probe_stats()))

    def do_echo(self, opts: dict[str, Any]) -> None:
        from tongban.federation.probe import ECHO
        from tongban.federation.rpc import call

        self._json(call(opts["to"], ECHO, {"text": "ping"}))

    def do_dead_letters(self, opts: dict[str, Any]) -> None:
        from tongban.federation.outbox import outbox_dead_letters

        for m in outbox_dead_letters():
            self.stdout.write(
                f"{m.pk}\t{m.recipient_node}\t{m.type}\t{m.stream}#{m.seq}\t"
                f"{m.attempts}\t{m.last_error[:80]}"
            )

    def do_replay(self, opts: dict[str, Any]) -> None:
        from tongban.federation.outbox import outbox_replay

        n = outbox_replay(actor=SYSTEM, message_ids=opts["ids"] or None)
        self.stdout.write(f"已重新排队 {n} 条消息")
