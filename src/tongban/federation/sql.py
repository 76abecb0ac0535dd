"""Multi-row inserts and updates without the ORM's per-value compilation.

Profiling a 200-envelope batch showed Django's ``bulk_create`` compiling each value of
each row (about 10 µs a value): for the message log's 16 columns that cost more than the
SQL itself. These helpers build the statement once and hand all rows to the driver's
``executemany``; values that need the field's conversion (UUID, datetime, ...) still go
through ``get_db_prep_save``.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import connection, models

_PLAIN = {
    "CharField",
    "TextField",
    "IntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "BigAutoField",
    "AutoField",
}


def _qn(name: Any) -> str:
    return str(connection.ops.quote_name(str(name)))


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return field


@lru_cache(maxsize=64)
def _insert_plan(
    model: type[models.Model], columns: tuple[str, ...], vendor: str
) -> tuple[str, list[models.Field[Any, Any]], list[int]]:
    fields = [_field(model, c) for c in columns]
    convert = [i for i, f in enumerate(fields) if f.get_internal_type() not in _PLAIN]
    names = ", ".join(_qn(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {_qn(model._meta.db_table)} ({names}) VALUES ({marks})", fields, convert


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """INSERT ``rows`` (tuples in ``columns`` order, field names) into ``model``'s table."""
    if not rows:
        return
    sql, fields, convert = _insert_plan(model, tuple(columns), connection.vendor)
    params = []
    for row in rows:
        values = list(row)
        for i in convert:
            values[i] = fields[i].get_db_prep_save(values[i], connection)
        params.append(values)
    with connection.cursor() as cursor:
        if len(params) == 1:
            cursor.execute(sql, params[0])
        else:
            cursor.executemany(sql, params)


def execute(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one statement; the rows it returns (if any)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall()) if cursor.description else []


def table(model: type[models.Model]) -> str:
    return _qn(model._meta.db_table)


def update_by_pk(model: type[models.Model], column: str, pairs: Sequence[tuple[Any, Any]]) -> None:
    """``UPDATE table SET column = value WHERE pk = pk`` for each (pk, value)."""
    if not pairs:
        return
    table, col = _qn(model._meta.db_table), _qn(_field(model, column).column)
    pk_col = _qn(model._meta.pk.column if model._meta.pk else "id")
    sql = f"UPDATE {table} SET {col} = %s WHERE {pk_col} = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(value, pk) for pk, value in pairs])


def max_pk(model: type[models.Model]) -> int | None:
    pk_col = _qn(model._meta.pk.column if model._meta.pk else "id")
    sql = f"SELECT MAX({pk_col}) FROM {_qn(model._meta.db_table)}"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] is not None else None
