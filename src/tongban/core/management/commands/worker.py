"""tongban worker [--once] [--poll 2] [--lane all|default|federation]: run background
jobs until told to stop — by default one thread per lane (ADR 0003), so pushing to a slow
peer never holds up this node's own jobs."""

from __future__ import annotations

import os
import signal
import socket
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand

from tongban.core.jobs import run_lanes, run_worker
from tongban.core.jobs.registry import LANES


class Command(BaseCommand):
    help = "启动后台任务进程（定时任务、队列）；收到 SIGTERM/SIGINT 时做完当前任务后退出"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="执行完当前所有到期任务后退出")
        parser.add_argument(
            "--poll", type=float, default=2.0, help="队列为空时的轮询间隔（秒），默认 2"
        )
        parser.add_argument("--id", default="", help="进程标识，默认 主机名:进程号")
        parser.add_argument(
            "--lane",
            choices=["all", *LANES],
            default=None,
            help="只执行某一通道的任务（all：单线程执行全部）；默认每个通道一个线程",
        )

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
            lane = opts["lane"]
            if lane is None and not opts["once"]:
                ran = run_lanes(worker_id=worker_id, poll_seconds=opts["poll"], stop=stop)
            else:
                ran = run_worker(
                    once=opts["once"],
                    worker_id=worker_id,
                    poll_seconds=opts["poll"],
                    stop=stop,
                    lane=None if lane in (None, "all") else lane,
                )
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"后台任务进程 {worker_id} 已退出，共执行 {ran} 个任务")
