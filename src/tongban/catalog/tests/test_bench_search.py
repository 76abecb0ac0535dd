"""`tongban bench search` end to end on a small SQLite catalogue (in a subprocess)."""

from __future__ import annotations

from tongban.bench import search


def test_search_benchmark_runs_on_sqlite() -> None:
    result = search.run(["--items", "200", "--rounds", "1", "--sqlite-only"])
    assert result["items"] == 200
    assert result["queries"] == len(search.QUERIES)
    assert result["samples"] == len(search.QUERIES)
    assert 0 < result["sqlite_p50_ms"] <= result["sqlite_p95_ms"] <= result["sqlite_p99_ms"]
    assert not any(k.startswith("postgres") for k in result)
