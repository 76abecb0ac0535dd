"""Benchmarks: ``tongban bench NAME`` imports ``tongban.bench.NAME`` and calls its
``run(argv) -> dict``. A benchmark prints its figures as it goes; the command then prints
the returned dict as one JSON line (always the last line of output).

Benchmarks on PostgreSQL use TONGBAN_BENCH_PG_URL, else postgres@127.0.0.1:5432, and
create and drop their own database (see ``pg_bench_database``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile of ``samples`` (p in 0..100)."""
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def pg_server_url() -> str:
    return os.environ.get("TONGBAN_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


@contextmanager
def pg_bench_database(prefix: str) -> Iterator[str]:
    """Create a fresh UTF-8 database on the benchmark server; yield its URL; drop it."""
    import psycopg

    base = pg_server_url()
    name = f"tongban_bench_{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    url = base.rsplit("/", 1)[0] + "/" + name
    try:
        yield url
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
