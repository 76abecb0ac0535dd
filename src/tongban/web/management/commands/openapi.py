"""tongban openapi: write openapi.json, or with --check fail when it has drifted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongban.config import REPO_ROOT


def render() -> str:
    from tongban.api import api

    schema = api.get_openapi_schema(path_prefix="/api/v1")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "生成 openapi.json（--check：与已提交版本不一致时报错）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true")
        parser.add_argument("--output", default=str(REPO_ROOT / "openapi.json"))

    def handle(self, *args: Any, **opts: Any) -> None:
        path = Path(opts["output"])
        text = render()
        if opts["check"]:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                raise CommandError(
                    "openapi.json is out of date: run `tongban openapi` and commit the result"
                )
            self.stdout.write("openapi.json is up to date")
            return
        path.write_text(text, encoding="utf-8")
        self.stdout.write(f"wrote {path}")
