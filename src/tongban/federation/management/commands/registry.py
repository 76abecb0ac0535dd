"""tongban registry hub-keygen|build|verify|show: the hub's side of the node registry."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongban.core import signing
from tongban.core.errors import TongbanError
from tongban.federation.registry import iso, registry_current, registry_sign, registry_verify


def write_private(path: Path, pem: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(pem)


class Command(BaseCommand):
    help = "节点注册表：生成枢纽密钥、签发注册表、验证注册表"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        kg = sub.add_parser("hub-keygen", help="生成枢纽密钥对 hub.pem (0600) / hub.pub")
        kg.add_argument("--out", required=True, help="目录")
        kg.add_argument("--alg", default=signing.SM2, choices=signing.ALGORITHMS)
        build = sub.add_parser("build", help="用枢纽私钥签发注册表")
        build.add_argument("--hub-key", required=True)
        build.add_argument("--alg", default=signing.SM2, choices=signing.ALGORITHMS)
        build.add_argument("--entry", action="append", required=True, help="节点 entry.json")
        build.add_argument("--serial", type=int, required=True)
        build.add_argument("--days", type=float, default=30.0)
        build.add_argument("--out", required=True)
        verify = sub.add_parser("verify", help="验证注册表文件的签名与有效期")
        verify.add_argument("file")
        verify.add_argument("--hub-public", required=True)
        sub.add_parser("show", help="本节点当前使用的注册表")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, "do_" + opts["action"].replace("-", "_"))(opts)
        except TongbanError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc

    def do_hub_keygen(self, opts: dict[str, Any]) -> None:
        pair = signing.generate_keypair(opts["alg"])
        out = Path(opts["out"])
        write_private(out / "hub.pem", pair.private_pem)
        (out / "hub.pub").write_text(pair.public_pem, encoding="ascii")
        self.stdout.write(f"枢纽密钥 {pair.algorithm} {pair.fingerprint} → {out}")

    def do_build(self, opts: dict[str, Any]) -> None:
        entries = [json.loads(Path(p).read_text(encoding="utf-8")) for p in opts["entry"]]
        try:
            doc = registry_sign(
                nodes=entries,
                hub_alg=opts["alg"],
                hub_private_pem=Path(opts["hub_key"]).read_text(encoding="ascii"),
                serial=opts["serial"],
                valid_for=timedelta(days=opts["days"]),
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        out = Path(opts["out"])
        tmp = out.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(out)  # nodes re-read the file when it changes: never a half-written one
        self.stdout.write(f"注册表 #{opts['serial']}（{len(entries)} 个节点）→ {out}")

    def do_verify(self, opts: dict[str, Any]) -> None:
        doc = json.loads(Path(opts["file"]).read_text(encoding="utf-8"))
        reg = registry_verify(doc, Path(opts["hub_public"]).read_text(encoding="ascii"))
        self._print(reg)

    def do_show(self, opts: dict[str, Any]) -> None:
        self._print(registry_current())

    def _print(self, reg: Any) -> None:
        self.stdout.write(f"注册表 #{reg.serial} 有效至 {iso(reg.not_after)}")
        for e in reg.nodes.values():
            keys = ", ".join(k.fingerprint for k in e.keys)
            self.stdout.write(f"  {e.node_id}\t{','.join(e.regions)}\t{e.base_url}\t{keys}")
