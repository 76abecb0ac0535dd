"""tongban bench NAME [options]: run a benchmark and end with one JSON line."""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import Any

from django.core.management.base import BaseCommand, CommandError

import tongban.bench


class Command(BaseCommand):
    help = "运行性能基准：tongban bench NAME（最后一行为 JSON）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name", nargs="?")
        parser.add_argument("rest", nargs="*", help="options passed to the benchmark")

    def run_from_argv(self, argv: list[str]) -> None:
        # Pass everything after NAME to the benchmark untouched (it parses its own flags).
        self._raw = argv[3:]
        super().run_from_argv(argv[:3])

    def handle(self, *args: Any, **opts: Any) -> None:
        # A benchmark is a module of tongban.bench with a run(argv); the others are helpers.
        available = sorted(
            m.name
            for m in pkgutil.iter_modules(tongban.bench.__path__)
            if hasattr(importlib.import_module(f"tongban.bench.{m.name}"), "run")
        )
        name = opts["name"]
        if not name:
            self.stdout.write("benchmarks: " + ", ".join(available))
            return
        if name not in available:
            raise CommandError(f"unknown benchmark {name!r}; available: {', '.join(available)}")
        module = importlib.import_module(f"tongban.bench.{name}")
        result = module.run(list(getattr(self, "_raw", [])))
        self.stdout.write(json.dumps({"bench": name, **result}, ensure_ascii=False))
