"""Sample workbooks: valid rows to start from (tests, benchmarks, the demo).

``sample_rows`` gives header → value dicts per sheet; ``rows_to_xlsx`` writes any such
dicts (also deliberately broken ones) to an xlsx file.
"""

from __future__ import annotations

import io
from typing import Any

from tongban.catalog.io.template import SHEETS
from tongban.catalog.rules import build_task_code
from tongban.core.ids import make_uscc

Rows = dict[str, list[dict[str, Any]]]


def sample_uscc(region_code: str, n: int = 1) -> str:
    """A valid 统一社会信用代码 of a government organ in ``region_code``."""
    return make_uscc(f"11{region_code[:6]}{n:09d}"[:17])


def sample_rows(
    *,
    count: int = 1,
    region_code: str = "140400",
    dept_name: str = "长治市行政审批服务管理局",
    dept_n: int = 900,
    level: str = "市级",
    first_code: int = 1,
) -> Rows:
    """``count`` items of one department, each with two materials and three steps."""
    uscc = sample_uscc(region_code, dept_n)
    items: list[dict[str, Any]] = []
    materials: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    level_code = {"国家级": "national", "省级": "province", "市级": "city", "县级": "county"}
    for n in range(first_code, first_code + count):
        code = f"0001{n:08d}"
        task_code = build_task_code(uscc=uscc, level=level_code[level], catalog_code=code)
        items.append(
            {
                "基本编码": code,
                "基本目录名称": f"示例事项{n}",
                "事项类型": "公共服务",
                "主管部门": "人力资源社会保障部",
                "高风险": "否",
                "实施编码": task_code,
                "实施机关": dept_name,
                "实施机关统一社会信用代码": uscc,
                "实施机关区划代码": region_code,
                "行使层级": level,
                "事项名称": f"示例事项{n}",
                "别名": "示例,样例",
                "办件类型": "承诺件",
                "法定时限（工作日）": 20,
                "承诺时限（工作日）": 5,
                "申请条件": "符合条件的申请人，\n持有效证件",
                "通办范围": "跨省通办",
                "全程网办": "是",
                "异地代收代办": "是",
            }
        )
        materials += [
            {
                "实施编码": task_code,
                "序号": 1,
                "材料名称": "居民身份证",
                "材料来源": "电子证照",
                "电子证照类型代码": "11100000000013338W001",
                "需核验原件": "是",
            },
            {"实施编码": task_code, "序号": 2, "材料名称": "申请表", "份数": 1},
        ]
        steps += [
            {"实施编码": task_code, "序号": 1, "环节名称": "受理", "办理角色": "窗口人员"},
            {"实施编码": task_code, "序号": 2, "环节名称": "审核", "办理角色": "审查人员"},
            {"实施编码": task_code, "序号": 3, "环节名称": "决定", "办理角色": "审批人员"},
        ]
    return {"事项": items, "材料": materials, "环节": steps}


def rows_to_xlsx(rows: Rows, *, headers: dict[str, list[str]] | None = None) -> bytes:
    """Write sheets of header → value dicts. Each sheet's header row is the template's
    (or ``headers[sheet]``); sheets missing from ``rows`` are left out."""
    from openpyxl import Workbook

    templates = {s.name: s.headers for s in SHEETS}
    wb = Workbook()
    default = wb.active
    for name, records in rows.items():
        ws = wb.create_sheet(name)
        cols = (
            (headers or {}).get(name)
            or templates.get(name)
            or sorted({k for r in records for k in r})
        )
        ws.append(cols)
        for rec in records:
            ws.append([rec.get(h) for h in cols])
    if default is not None:
        wb.remove(default)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
