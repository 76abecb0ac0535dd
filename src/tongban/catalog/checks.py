"""System check: a PostgreSQL database must be UTF-8, with a UTF-8 character type.

Chinese text needs the UTF8 encoding; pg_trgm and every character-class function
(``lower``, regular expressions) also need a UTF-8 LC_CTYPE, otherwise they treat Chinese
as non-letters (under LC_CTYPE=C pg_trgm makes no trigrams of it). Catalogue search
itself compares bytes and works either way, but other text features would not. Runs
with ``migrate`` and ``tongban check --database default``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import connections


def is_utf8(name: str) -> bool:
    """C.UTF-8, zh_CN.UTF-8, en_US.utf8 … → True; C, POSIX, zh_CN.GBK → False."""
    return name.lower().replace("-", "").endswith("utf8")


def database_messages(alias: str, encoding: str, ctype: str) -> list[CheckMessage]:
    out: list[CheckMessage] = []
    if encoding.upper() != "UTF8":
        out.append(
            Error(
                f"PostgreSQL database '{alias}' uses encoding {encoding}; tongban needs UTF8.",
                hint="Create it with: CREATE DATABASE … TEMPLATE template0 ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'",
                id="tongban.E001",
            )
        )
    if not is_utf8(ctype):
        out.append(
            Warning(
                f"PostgreSQL database '{alias}' has LC_CTYPE={ctype}: pg_trgm and character "
                "classes will not treat Chinese as letters.",
                hint="Recreate the database with LC_CTYPE 'C.UTF-8' (or another UTF-8 locale).",
                id="tongban.W001",
            )
        )
    return out


@register(Tags.database)
def check_postgres_utf8(
    app_configs: Any = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for alias in databases or []:
        conn = connections[alias]
        if conn.vendor != "postgresql":
            continue
        with conn.cursor() as cur:
            cur.execute(
                "SELECT pg_encoding_to_char(encoding), datctype FROM pg_database "
                "WHERE datname = current_database()"
            )
            encoding, ctype = cur.fetchone()
        messages += database_messages(alias, encoding, ctype)
    return messages
