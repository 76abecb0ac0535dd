"""tongban worker [--once] [--poll 2]: run background jobs until told to stop."""

from __future__ import annotations

import os
import signal
import socket
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from tongban.core.jobs import run_worker


class Command(BaseCommand):
    help = "启动后台任务进程（定时任务、队列）；收到 SIGTERM/SIGINT 时做完当前任务后退出"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="执行完当前所有到期任务后退出")
        parser.add_argument(
            "--poll", type=float, default=2.0, help="队列为空时的轮询间隔（秒），默认 2"
        )
        parser.add_argument("--id", default="", help="进程标识，默认 主机名:进程号")

    def handle(self, *args: Any, **opts: Any) -> None:
        worker_id = opts["id"] or f"{socket.gethostname()}:{os.getpid()}"
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            self.stderr.write(f"收到信号 {signal.Signals(signum).name}，完成当前任务后退出")
            stop.set()

        previous = {
            sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)
        }
        try:
            if not opts["once"]:
                self.stdout.write(f"后台任务进程 {worker_id} 已启动（轮询间隔 {opts['poll']} 秒）")
            ran = run_worker(
                once=opts["once"], worker_id=worker_id, poll_seconds=opts["poll"], stop=stop
            )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"后台任务进程 {worker_id} 已退出，共执行 {ran} 个任务")
