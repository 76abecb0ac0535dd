"""tongban load-synonyms: load the shipped search synonyms (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.catalog.synonyms import default_synonyms, synonyms_load_defaults


class Command(BaseCommand):
    help = "载入内置的检索同义词（社保卡↔社会保障卡、驾照↔驾驶证 等），可重复执行"

    def handle(self, *args: Any, **opts: Any) -> None:
        changed = synonyms_load_defaults()
        self.stdout.write(f"内置同义词 {len(default_synonyms())} 条，本次新增或更新 {changed} 条")
