"""tongban demo: migrate, load reference data and the demo data set, print the address
and the demo accounts, then serve.

Serving replaces this process (``os.execvpe``) with a fresh ``tongban serve`` whose
environment has ``TONGBAN_DEMO=1``: tongban.config reads it at import, so only a new
process shows the demo banner.
"""

from __future__ import annotations

import io
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from tongban.config import CONFIG

# Reference-data commands other apps provide; run when present.
REFERENCE_COMMANDS = (("load_calendar", "工作日历 calendar"), ("load_synonyms", "同义词 synonyms"))


def reset_sqlite(*, database_url: str | None, sqlite_path: Path) -> list[Path]:
    """Delete the embedded SQLite database (and its WAL files); refuse for any other."""
    if database_url:
        raise CommandError(
            "--reset 只能删除内置 SQLite 数据库；已设置 DATABASE_URL，拒绝执行。"
            " / --reset only deletes the built-in SQLite database; DATABASE_URL is set."
        )
    connections.close_all()
    removed = []
    for path in (sqlite_path, Path(f"{sqlite_path}-wal"), Path(f"{sqlite_path}-shm")):
        if path.exists():
            path.unlink()
            removed.append(path)
    return removed


def serve_argv(host: str, port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tongban.cli",
        "serve",
        "--host",
        host,
        "--port",
        str(port),
        "--with-worker",
    ]


def calendar_assumption_lines(today: date | None = None) -> list[str]:
    """Deadlines of cases opened in the demo must be computable: when they reach into a
    year the calendar package does not know yet (from about November), the demo node
    assumes that year's Monday–Friday weeks and says so (ADR 0004)."""
    from django.utils import timezone

    from tongban.core.calendar_store import calendar_assume_weekdays

    day = today or timezone.localdate()
    years = calendar_assume_weekdays(through=day + timedelta(days=183))
    return [
        f"工作日历 {y} 年：数据包尚无国务院放假安排，演示按周一至周五计算（未含节假日）"
        for y in years
    ]


class Command(BaseCommand):
    help = "迁移数据库、载入演示数据并启动服务，打印访问地址和演示账号"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="载入数据后不启动服务")
        parser.add_argument(
            "--reset", action="store_true", help="先删除 SQLite 数据库（仅限未设置 DATABASE_URL）"
        )
        parser.add_argument(
            "--nodes",
            type=int,
            default=0,
            help="启动多个联邦节点（长治、攀枝花、沈阳），各自独立数据库，共用一个签名注册表",
        )
        parser.add_argument(
            "--base-port",
            type=int,
            default=None,
            help="--nodes: 第一个节点的端口（默认随机空闲端口）",
        )
        parser.add_argument(
            "--node-extras", action="store_true", help="（内部）联邦节点的附加演示数据"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        from tongban.demo.printout import base_url, render
        from tongban.demo.seed import demo_seed, regions_ensure

        if opts["nodes"]:
            from tongban.demo.nodes import run_nodes

            root = CONFIG.data_dir / "demo-nodes"
            run_nodes(count=opts["nodes"], root=root, base_port=opts["base_port"])
            return

        if opts["reset"]:
            removed = reset_sqlite(database_url=CONFIG.database_url, sqlite_path=CONFIG.sqlite_path)
            self.stdout.write(f"已删除 / removed: {', '.join(map(str, removed)) or '—'}")
        call_command("migrate", interactive=False, verbosity=0)
        rows, loaded = regions_ensure()
        reference = [f"行政区划 regions {rows:,}" + (" ✓" if loaded else "")]
        available = get_commands()
        for name, label in REFERENCE_COMMANDS:
            if name in available:
                call_command(name, stdout=io.StringIO(), stderr=io.StringIO())
                reference.append(f"{label} ✓")
            else:
                reference.append(f"{label} —")
        reference += calendar_assumption_lines()
        summary = demo_seed()
        if opts["node_extras"]:
            from tongban.demo.nodes import seed_node_extras
            from tongban.federation.identity import require_node_id
            from tongban.federation.registry import node_entry

            regions = list(node_entry(require_node_id()).regions)
            self.stdout.write(f"node extras: {seed_node_extras(node_regions=regions)}")
        serving = not opts["no_serve"]
        url = base_url(opts["host"], opts["port"])
        database = (
            "PostgreSQL (DATABASE_URL)" if CONFIG.database_url else f"SQLite {CONFIG.sqlite_path}"
        )
        text = render(summary, url=url, database=database, reference=reference, serving=serving)
        self.stdout.write(text, ending="")
        if serving:
            self.stdout.flush()
            sys.stderr.flush()
            connections.close_all()
            env = {**os.environ, "TONGBAN_DEMO": "1"}
            os.execvpe(sys.executable, serve_argv(opts["host"], opts["port"]), env)
