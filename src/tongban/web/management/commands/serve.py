"""tongban serve: gunicorn (WSGI; see docs/adr/0001-stack.md for why not ASGI)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 Web 服务 (gunicorn)"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args: Any, **opts: Any) -> None:
        serve(host=opts["host"], port=opts["port"], workers=opts["workers"])


def serve(*, host: str, port: int, workers: int) -> None:
    from gunicorn.app.wsgiapp import WSGIApplication

    argv = [
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
    import sys

    sys.argv = argv
    WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
