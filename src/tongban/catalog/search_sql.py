"""The SQL of catalogue search, for SQLite and PostgreSQL.

Only the index lookup differs between the databases: on SQLite an FTS5 phrase query over
one token per character (exact for a term of indexed characters; a small second table
holds only name, aliases and initials), on PostgreSQL GIN containment of 1- to
3-character substrings in generated columns (exact for short terms, otherwise confirmed
by ``strpos``). Both indexes also hold tokens for the region,
department, scope and mode filters (migration 0002 makes them). The rank expression,
the remaining filters and the order are the same SQL on both, so a query returns the
same rows in the same order.

A page is read in two steps: first among the entries whose name, aliases or initials
contain a term (ranks 0–4, usually few), and only when they do not fill the page among
all matches. The count is a separate query that needs no ranking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection

from tongban.catalog.models import BaselineItem, SearchEntry, Synonym, Theme
from tongban.catalog.search_text import (
    TermPlan,
    filter_tokens,
    fts_tokens,
    initials_apply,
    meta_tokens,
)

ENTRY = SearchEntry._meta.db_table
# SQLite only (migration 0002): every field; name, aliases and initials only.
FTS = f"{ENTRY}_fts"
FTS_SHORT = f"{ENTRY}_fts_short"
SYNONYM = Synonym._meta.db_table
BASELINE = BaselineItem._meta.db_table
BASELINE_THEMES = BaselineItem.themes.through._meta.db_table
THEME = Theme._meta.db_table
BODY_RANK = 5
Params = list[Any]  # SQL parameters
FTS_COLUMN = {"name_text": "name", "alias_text": "alias", "initials": "ini", "body_text": "body"}


@dataclass(frozen=True)
class Filters:
    region_prefix: str | None = None
    department_id: int | None = None
    scope: str | None = None
    mode: str | None = None
    theme: str | None = None
    item_type: str | None = None

    @property
    def tokens(self) -> list[str]:
        return filter_tokens(self.region_prefix, self.department_id, self.scope, self.mode)


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _position(column: str) -> str:
    """1-based position of the parameter in ``column``, compared code point for code
    point on both databases (0: absent)."""
    return f"strpos({column}, %s)" if _postgres() else f"instr({column}, %s)"


# ---- writes ------------------------------------------------------------------------


def index_write(entries: Sequence[SearchEntry]) -> None:
    """Put ``entries`` (already saved) into the SQLite FTS tables. On PostgreSQL the gram
    columns are generated from the row itself: nothing to do."""
    if not entries or _postgres():
        return
    ids = [(e.pk,) for e in entries]
    metas = [" ".join(_meta(e)) for e in entries]
    with connection.cursor() as cur:
        cur.executemany(f"DELETE FROM {FTS} WHERE rowid = %s", ids)
        cur.executemany(f"DELETE FROM {FTS_SHORT} WHERE rowid = %s", ids)
        rows: list[Params] = [
            [e.pk, *(fts_tokens([t]) for t in (e.name_text, e.alias_text, e.initials)), m]
            for e, m in zip(entries, metas, strict=True)
        ]
        cur.executemany(
            f"INSERT INTO {FTS_SHORT}(rowid, name, alias, ini, meta) VALUES (%s, %s, %s, %s, %s)",
            rows,
        )
        cur.executemany(
            f"INSERT INTO {FTS}(rowid, name, alias, ini, body, meta) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            [
                [*row[:4], fts_tokens([e.body_text]), row[4]]
                for row, e in zip(rows, entries, strict=True)
            ],
        )


def _meta(e: SearchEntry) -> list[str]:
    return meta_tokens(e.region_id, e.department_id, e.scope, e.modes.split(","))


# ---- reads -------------------------------------------------------------------------


def synonyms_within(query: str) -> list[tuple[str, str]]:
    """Every (term, canonical) row of a synonym group one of whose words occurs in
    ``query`` (only those can change its expansion)."""
    fn = "strpos" if _postgres() else "instr"
    sql = (
        f"SELECT term, canonical FROM {SYNONYM} WHERE canonical IN ("
        f"SELECT canonical FROM {SYNONYM} "
        f"WHERE {fn}(%s, term) > 0 OR {fn}(%s, canonical) > 0) ORDER BY canonical, term"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [query, query])
        return [(t, c) for t, c in cur.fetchall()]


def _columns(plan: TermPlan, short: bool) -> list[str]:
    """The entry columns ``plan`` may match in (initials only for letter queries)."""
    cols = ["name_text", "alias_text"]
    if initials_apply(plan.term):
        cols.append("initials")
    if not short:
        cols.append("body_text")
    return cols


def _verify(plans: Sequence[TermPlan], short: bool) -> tuple[str, Params]:
    """The exact test: some term is a substring of a column it may match in."""
    tests: list[str] = []
    params: Params = []
    for p in plans:
        cols = _columns(p, short)
        tests += [f"{_position('e.' + c)} > 0" for c in cols]
        params += [p.term] * len(cols)
    return "(" + " OR ".join(tests) + ")", params


def _fts_query(plans: Sequence[TermPlan], short: bool, tokens: list[str]) -> str:
    """An FTS5 query: the entry holds every character run of some term, in the columns
    that term may match, and every filter token. Exact for terms of indexed characters
    only."""
    alts = []
    for p in plans:
        cols = " ".join(FTS_COLUMN[c] for c in _columns(p, short))
        phrases = " AND ".join('"' + " ".join(run) + '"' for run in p.runs)
        alts.append(f"{{{cols}}} : ({phrases})")
    query = " OR ".join(alts)
    if tokens:
        query = f"({query}) AND {{meta}} : (" + " AND ".join(f'"{t}"' for t in tokens) + ")"
    return query


@dataclass(frozen=True)
class _Match:
    """Entries matching the terms and filters: ``SELECT … FROM {source} WHERE {cond}``
    with the entry bound as ``e``. ``count_from``: when set, ``SELECT count(*) FROM
    {count_from}`` (same params) counts them from the index alone (SQLite)."""

    source: str
    cond: str
    params: Params
    count_from: str | None = None


def _match(plans: Sequence[TermPlan], f: Filters, short: bool) -> _Match:
    """Entries containing one of the terms and passing the filters (in name, aliases or
    initials only when ``short``: candidates there may be loose, the rank test r < 5
    confirms them)."""
    if not all(p.runs for p in plans):
        # A term of punctuation only: no index helps, test every entry.
        test, test_params = _verify(plans, short)
        more, more_params = _filters(f, indexed=False)
        return _Match(f"{ENTRY} e", test + more, [*test_params, *more_params])
    more, more_params = _filters(f, indexed=True)
    params: Params
    rowids = None
    if _postgres():
        column = "e.name_grams" if short else "e.grams"
        tags = ["#" + t for t in f.tokens]
        cond = "(" + " OR ".join(f"{column} @> %s::text[]" for _ in plans) + ")"
        params = [[*p.grams, *tags] for p in plans]
        proven = short or all(p.grams_exact for p in plans)
        source = f"{ENTRY} e"
    else:
        # Name, aliases and initials have their own small table, read for the best ranks.
        table = FTS_SHORT if short else FTS
        params = [_fts_query(plans, short, f.tokens)]
        if more:
            # A theme or item type narrows by 基本编码 (indexed): SQLite may start there
            # and probe the rowids the index names.
            rowids = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"
            source, cond = f"{ENTRY} e", f"e.id IN ({rowids})"
        else:
            # CROSS JOIN: SQLite must read the index first, then the entries it names.
            source = f"{table} CROSS JOIN {ENTRY} e ON e.id = {table}.rowid"
            cond = f"{table} MATCH %s"
            rowids = f"SELECT rowid FROM {table} WHERE {table} MATCH %s"
        proven = short or all(p.phrase_exact for p in plans)
    if not proven:
        test, test_params = _verify(plans, short)
        cond, params = f"{cond} AND {test}", [*params, *test_params]
    # The delete trigger leaves no FTS row without its entry: the index can count.
    count_from = f"({rowids}) AS m" if rowids and proven and not more else None
    return _Match(source, cond + more, [*params, *more_params], count_from)


def _filters(f: Filters, *, indexed: bool) -> tuple[str, Params]:
    """SQL for the filters; ``indexed``: region, department, scope and mode are already
    required through index tokens."""
    conds: list[str] = []
    params: Params = []
    if not indexed and f.region_prefix:
        conds.append("substr(e.region_id, 1, %s) = %s")
        params += [len(f.region_prefix), f.region_prefix]
    if not indexed and f.department_id is not None:
        conds.append("e.department_id = %s")
        params.append(f.department_id)
    if not indexed and f.scope:
        conds.append("e.scope = %s")
        params.append(f.scope)
    if not indexed and f.mode:
        conds.append(f"{_position('e.modes')} > 0")  # Mode values never contain each other
        params.append(f.mode)
    if f.theme:
        conds.append(
            f"e.catalog_code IN (SELECT b.catalog_code FROM {BASELINE} b "
            f"JOIN {BASELINE_THEMES} bt ON bt.baselineitem_id = b.id "
            f"JOIN {THEME} t ON t.id = bt.theme_id WHERE t.code = %s)"
        )
        params.append(f.theme)
    if f.item_type:
        conds.append(
            f"e.catalog_code IN (SELECT catalog_code FROM {BASELINE} WHERE item_type = %s)"
        )
        params.append(f.item_type)
    return "".join(f" AND {c}" for c in conds), params


def _rank(plans: Sequence[TermPlan]) -> tuple[str, Params]:
    """0 exact name, 1 name prefix, 2 name, 3 alias, 4 initials, 5 body: the best over
    the terms."""
    exprs: list[str] = []
    params: Params = []
    for p in plans:
        parts = [
            ("e.name_text = %s", 0),
            (f"{_position('e.name_text')} = 1", 1),
            (f"{_position('e.name_text')} > 0", 2),
            (f"{_position('e.alias_text')} > 0", 3),
        ]
        if initials_apply(p.term):
            parts.append((f"{_position('e.initials')} > 0", 4))
        whens = " ".join(f"WHEN {c} THEN {r}" for c, r in parts)
        exprs.append(f"CASE {whens} ELSE {BODY_RANK} END")
        params += [p.term] * len(parts)
    if len(exprs) == 1:
        return exprs[0], params
    return ("LEAST(" if _postgres() else "min(") + ", ".join(exprs) + ")", params


def _page_sql(m: _Match, rank: Sequence[TermPlan], *, best: bool) -> tuple[str, Params]:
    """(id, rank) of the matches, best first, then the shorter name, then the task code;
    ``best``: only ranks 0–4. Ends with LIMIT %s OFFSET %s."""
    rank_sql, rank_params = _rank(rank)
    inner = (
        f"SELECT e.id AS id, {rank_sql} AS r, e.name_len AS l, e.task_code AS c "
        f"FROM {m.source} WHERE {m.cond}"
    )
    # Code-point order for the task code whatever the database collation.
    collate = ' COLLATE "C"' if _postgres() else ""
    keep = f"WHERE r < {BODY_RANK} " if best else ""
    sql = f"SELECT id, r FROM ({inner}) m {keep}ORDER BY r, l, c{collate} LIMIT %s OFFSET %s"
    return sql, [*rank_params, *m.params]


def ranked_page(
    match: Sequence[TermPlan],
    rank: Sequence[TermPlan],
    filters: Filters,
    *,
    limit: int,
    offset: int,
) -> tuple[list[tuple[int, int]], int]:
    """[(entry id, rank)] of one page in rank order, and the number of matches.

    ``match``: an entry must contain one of these terms; ``rank``: the terms whose best
    field gives the rank (they include ``match``; a term containing another matches no
    more entries, but an exact name match on it still ranks first)."""
    need = offset + limit
    full = _match(match, filters, short=False)
    with connection.cursor() as cur:
        best: list[tuple[int, int]] = []
        if need:
            sql, params = _page_sql(_match(rank, filters, short=True), rank, best=True)
            cur.execute(sql, [*params, need, 0])
            best = [(int(i), int(r)) for i, r in cur.fetchall()]
        if len(best) >= need:
            page = best[offset:need]
        else:
            sql, params = _page_sql(full, rank, best=False)
            cur.execute(sql, [*params, limit, offset])
            page = [(int(i), int(r)) for i, r in cur.fetchall()]
            if offset == 0 and len(page) < limit:
                return page, len(page)
        if full.count_from:
            cur.execute(f"SELECT count(*) FROM {full.count_from}", full.params)
        else:
            cur.execute(f"SELECT count(*) FROM {full.source} WHERE {full.cond}", full.params)
        (total,) = cur.fetchone()
    return page, int(total)


class HitRow(NamedTuple):
    implementation_id: int
    task_code: str
    catalog_code: str
    name: str
    region_code: str
    region_name: str
    department_name: str
    scope: str
    modes: tuple[str, ...]
    kind: str
    promised_days: int


def _table(field: str) -> str:
    model = SearchEntry._meta.get_field(field).related_model
    assert model is not None and not isinstance(model, str)
    return model._meta.db_table


def browse_page(filters: Filters, *, limit: int, offset: int) -> tuple[list[int], int]:
    """Entry ids of one page of every entry passing the filters, by name then task code
    (code-point order on both databases), and their number."""
    where, params = _filters(filters, indexed=False)
    collate = ' COLLATE "C"' if _postgres() else ""
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT e.id FROM {ENTRY} e WHERE 1 = 1{where} "
            f"ORDER BY e.name{collate}, e.task_code{collate} LIMIT %s OFFSET %s",
            [*params, limit, offset],
        )
        ids = [int(i) for (i,) in cur.fetchall()]
        if offset == 0 and len(ids) < limit:
            return ids, len(ids)
        cur.execute(f"SELECT count(*) FROM {ENTRY} e WHERE 1 = 1{where}", params)
        (total,) = cur.fetchone()
    return ids, int(total)


def hit_rows(ids: Sequence[int]) -> dict[int, HitRow]:
    """What a result list shows of each entry, by entry id."""
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        "SELECT e.id, e.implementation_id, e.task_code, e.catalog_code, e.name, e.region_id, "
        "r.full_name, d.name, e.scope, e.modes, v.kind, v.promised_days "
        f"FROM {ENTRY} e JOIN {_table('region')} r ON r.code = e.region_id "
        f"JOIN {_table('department')} d ON d.id = e.department_id "
        f"JOIN {_table('version')} v ON v.id = e.version_id WHERE e.id IN ({marks})"
    )
    with connection.cursor() as cur:
        cur.execute(sql, list(ids))
        rows = cur.fetchall()
    return {
        int(pk): HitRow(
            int(impl),
            tc,
            cc,
            name,
            region,
            rname,
            dname,
            scope,
            tuple(m for m in modes.split(",") if m),
            kind,
            int(days),
        )
        for pk, impl, tc, cc, name, region, rname, dname, scope, modes, kind, days in rows
    }
