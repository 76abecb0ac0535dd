"""tongban serve: gunicorn (WSGI; see docs/adr/0001-stack.md for why not ASGI).

``--with-worker`` also runs ``tongban worker`` as a child process for as long as the web
server runs (the demo uses it); production runs the worker as its own service.
"""

from __future__ import annotations

import atexit
import subprocess
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 Web 服务 (gunicorn)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument(
            "--with-worker", action="store_true", help="同时启动后台任务进程 (tongban worker)"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["with_worker"]:
            start_worker()
        serve(host=opts["host"], port=opts["port"], workers=opts["workers"])


def start_worker() -> subprocess.Popen[bytes]:
    child = subprocess.Popen([sys.executable, "-m", "tongban.cli", "worker"])

    def stop() -> None:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()

    atexit.register(stop)
    return child


def serve(*, host: str, port: int, workers: int) -> None:
    from gunicorn.app.wsgiapp import WSGIApplication

    sys.argv = [
        "gunicorn",
        "tongban.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--timeout",
        "120",
    ]
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
