"""Inserting many new rows at once for the batched intake.

On PostgreSQL, from ``COPY_MIN_ROWS`` rows up, rows go in with ``COPY`` (no SQL text
or parameter arrays built per value, which is most of ``bulk_create``'s cost at a few
thousand rows); their ids are drawn from the table's identity sequence first, in one
statement. Fewer rows, and SQLite, use ``bulk_create``, which returns the ids itself.

Values go through each field's ``pre_save`` (``auto_now_add``) and ``get_db_prep_save``
exactly as Django's own insert does, so the stored rows are the same either way.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models

# Below this many rows one INSERT … RETURNING is fewer round trips than nextval + COPY.
COPY_MIN_ROWS = 20
# COPY statements issued (they bypass Django's execute wrappers; the benchmark adds them
# to its statement count).
COPY_STATEMENTS = [0]


# Fields whose attribute value is what the database stores (no pre_save, no adaptation).
_PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,
    models.ForeignKey,
    models.UUIDField,
)


def _plain(f: Any) -> bool:
    if isinstance(f, models.FileField | models.JSONField):
        return False
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return False
    return isinstance(f, _PLAIN)


def insert_rows(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert unsaved ``objs`` of ``model``; afterwards each has its ``pk``."""
    if not objs:
        return
    if connection.vendor != "postgresql" or len(objs) < COPY_MIN_ROWS:
        model._default_manager.bulk_create(objs)
        return
    meta = model._meta
    table = meta.db_table
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cur.fetchall()]
    conn = connections[DEFAULT_DB_ALIAS]
    plain = [_plain(f) for f in fields]
    rows: list[list[Any]] = []
    for obj, new_id in zip(objs, ids, strict=True):
        obj.pk = new_id
        row: list[Any] = [new_id]
        for f, simple in zip(fields, plain, strict=True):
            if simple:
                row.append(getattr(obj, f.attname))
            else:
                row.append(f.get_db_prep_save(f.pre_save(obj, True), connection=conn))
        rows.append(row)
        obj._state.adding = False
        obj._state.db = conn.alias
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [pk, *fields])
    raw = connection.connection
    assert raw is not None
    # The raw cursor bypasses Django's error translation: a unique violation must still
    # surface as django.db.IntegrityError (the intake's idempotency race relies on it).
    with (
        connection.wrap_database_errors,
        raw.cursor() as cur,
        cur.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
    COPY_STATEMENTS[0] += 1
