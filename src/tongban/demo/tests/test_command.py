import io
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tongban.demo.data import BY_CODE, DIFFERENCES, DRAFTS, ITEMS, SECOND_VERSIONS
from tongban.demo.orgs import BY_KEY, REGIONS
from tongban.demo.printout import base_url, display_width, pad
from tongban.demo.spec import org_code
from tongban.web.management.commands import demo as demo_command

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def keep_connection(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The command closes DB connections before exec/reset; the package's seeded
    transaction must stay open."""
    monkeypatch.setattr(demo_command, "connections", SimpleNamespace(close_all=lambda: None))


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_no_serve_prints_url_and_every_account(demo) -> None:  # type: ignore[no-untyped-def]
    text = _run("--no-serve", "--port", "8123")
    lines = text.splitlines()
    assert len(lines) < 60
    assert "http://127.0.0.1:8123/" in text and "http://127.0.0.1:8123/admin/" in text
    assert "demo1234" in text and "--no-serve" in text
    for account in demo.accounts:
        assert account.username in text
    assert "changzhi.catalog_admin" in text and "事项管理员" in text


def test_serve_execs_a_fresh_process_with_demo_flag(demo, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[tuple[str, list[str], dict[str, str]]] = []

    def fake_exec(file: str, argv: list[str], env: dict[str, str]) -> None:
        calls.append((file, argv, env))

    monkeypatch.setattr(demo_command.os, "execvpe", fake_exec)
    text = _run("--host", "0.0.0.0", "--port", "8124")
    assert "http://127.0.0.1:8124/" in text and "Ctrl+C" in text
    [(file, argv, env)] = calls
    assert file == sys.executable
    assert argv[1:] == [
        "-m",
        "tongban.cli",
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        "8124",
        "--with-worker",
    ]
    assert env["TONGBAN_DEMO"] == "1"


def test_reset_refuses_with_database_url_and_removes_sqlite_files(tmp_path: Path) -> None:
    db = tmp_path / "tongban.sqlite3"
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        p.write_text("x")
    with pytest.raises(CommandError):
        demo_command.reset_sqlite(database_url="postgres://x@h/db", sqlite_path=db)
    assert db.exists()
    removed = demo_command.reset_sqlite(database_url=None, sqlite_path=db)
    assert len(removed) == 3 and not any(tmp_path.iterdir())
    assert demo_command.reset_sqlite(database_url=None, sqlite_path=db) == []


def test_printout_helpers() -> None:
    assert display_width("长治市ab") == 8
    assert pad("长治", 6) == "长治  "
    assert base_url("0.0.0.0", 8000) == "http://127.0.0.1:8000/"
    assert base_url("::1", 80) == "http://[::1]:80/"


def test_data_is_consistent() -> None:
    assert org_code("12345678") == "123456788"  # GB 11714 worked example
    codes = [i.code for i in ITEMS]
    assert len(codes) == len(set(codes)) >= 30
    assert all(len(c) == 12 and c.isdigit() for c in codes)
    for item in ITEMS:
        assert len(item.regions) >= 2, item.name
        for key in item.regions:
            region = BY_KEY[key]
            keys = {d.key for d in region.departments}
            assert region.dept_key(item.dept) in keys, (item.name, key)
        assert not (item.high_risk and item.elements.get("allows_commitment"))
    for code, key, _ in DIFFERENCES:
        assert key in BY_CODE[code].overrides
    for code, key in [*SECOND_VERSIONS, *DRAFTS]:
        assert key in BY_CODE[code].regions
    serials = [(r.code, d.serial) for r in REGIONS for d in r.departments]
    assert len(serials) == len(set(serials))


def test_command_is_registered() -> None:
    from django.core.management import get_commands

    assert get_commands()["demo"] == "tongban.web"


def test_demo_assumes_next_years_weekdays_only_when_deadlines_reach_it() -> None:
    from datetime import date

    from tongban.core.calendar_store import calendar_coverage, package_year_range

    last = package_year_range()[1]
    assert demo_command.calendar_assumption_lines(today=date(last, 3, 2)) == []
    assert calendar_coverage().last_year == last
    lines = demo_command.calendar_assumption_lines(today=date(last, 12, 7))
    assert lines == [
        f"工作日历 {last + 1} 年：数据包尚无国务院放假安排，演示按周一至周五计算（未含节假日）"
    ]
    assert calendar_coverage().last_year == last + 1
