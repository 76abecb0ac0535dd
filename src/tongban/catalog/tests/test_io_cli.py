"""tongban import-catalog / export-catalog."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.catalog.io.samples import rows_to_xlsx, sample_rows
from tongban.catalog.models import ItemVersion

pytestmark = pytest.mark.django_db


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_counts_and_a_progress_bar(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(rows_to_xlsx(sample_rows(count=60)))
    out, err = _run("import_catalog", str(path), "--publish")
    assert "导入成功：事项表 60 行" in out and "发布版本：60" in out
    assert "100% 120/120" in err and "\r导入 [" in err
    assert ItemVersion.objects.filter(status="published").count() == 60


def test_dry_run_saves_nothing(tmp_path: Path) -> None:
    path = tmp_path / "ok.xlsx"
    path.write_bytes(rows_to_xlsx(sample_rows(count=2)))
    out, _ = _run("import_catalog", str(path), "--dry-run")
    assert "试运行" in out and ItemVersion.objects.count() == 0


def test_errors_are_printed_as_a_table_and_exit_1(tmp_path: Path) -> None:
    rows = sample_rows(count=2)
    rows["事项"][1]["基本编码"] = "0001"
    path = tmp_path / "bad.xlsx"
    path.write_bytes(rows_to_xlsx(rows))
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_catalog", str(path), stdout=out, stderr=io.StringIO())
    assert exc.value.returncode == 1
    assert "未导入任何数据" in str(exc.value)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["工作表", "行", "列", "错误代码", "说明"]
    assert lines[2].split()[:4] == ["事项", "3", "基本编码", "catalog_code_format"]
    assert ItemVersion.objects.count() == 0


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="无法读取文件"):
        _run("import_catalog", str(tmp_path / "none.xlsx"))


def test_export_json_and_xlsx(tmp_path: Path) -> None:
    src = tmp_path / "in.xlsx"
    src.write_bytes(rows_to_xlsx(sample_rows(count=2)))
    _run("import_catalog", str(src))  # drafts: not "current"
    _run("export_catalog", str(tmp_path / "cur.json"), "--region", "140400")
    assert json.loads((tmp_path / "cur.json").read_text("utf-8"))["items"] == []
    out, _ = _run("export_catalog", str(tmp_path / "all.json"), "--all-versions")
    doc = json.loads((tmp_path / "all.json").read_text("utf-8"))
    assert len(doc["items"]) == 2 and doc["status"] == "all"
    assert "已导出到" in out
    _run("export_catalog", str(tmp_path / "all.xlsx"), "--all-versions", "--region", "140400")
    assert (tmp_path / "all.xlsx").read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match=r"\.xlsx 或 \.json"):
        _run("export_catalog", str(tmp_path / "out.csv"))
    with pytest.raises(CommandError, match="region_code_format"):
        _run("export_catalog", str(tmp_path / "x.json"), "--region", "14")
