"""tongban load-calendar [YEAR ...]: seed the working-day calendar from chinese_calendar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongban.core.calendar_store import calendar_coverage, calendar_load_from_package


class Command(BaseCommand):
    help = "从 chinese_calendar 数据包载入工作日历（管理员修改过的日期保持不变）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "years", nargs="*", type=int, help="要载入的年份；默认为数据包已知的全部年份"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        result = calendar_load_from_package(opts["years"] or None)
        if result.loaded_years:
            first, last = result.loaded_years[0], result.loaded_years[-1]
            self.stdout.write(
                f"已载入 {len(result.loaded_years)} 个年份（{first}–{last}）："
                f"新增 {result.created} 天，更新 {result.updated} 天，"
                f"保留管理员修改 {result.kept_admin} 天"
            )
        for year in result.unknown_years:
            self.stderr.write(
                self.style.WARNING(
                    f"{year} 年：数据包没有该年的节假日安排，未载入（不做推测）；"
                    "请在管理后台录入后标记为完整"
                )
            )
        cov = calendar_coverage()
        if cov.last_year is None:
            self.stderr.write(self.style.ERROR("工作日历为空：无法计算任何法定期限"))
        else:
            self.stdout.write(f"可计算法定期限的年份：{cov.first_year}–{cov.last_year}")
            if cov.missing_between:
                gaps = "、".join(str(y) for y in cov.missing_between)
                self.stderr.write(self.style.WARNING(f"缺少年份：{gaps}"))
