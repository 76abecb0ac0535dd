"""Catalogue search: the index rows (write side) and the query (read side).

One ``SearchEntry`` per implementation that has a version in force, with normalised
text and, outside the model, a character index (SQLite FTS5, PostgreSQL GIN; see
migration 0002, search_text and search_sql). A query expands through the synonym table,
each term is looked up in the index and, unless the index alone is exact, confirmed by
a substring test on the normalised text; the rank comes from which field matched (exact
name > name prefix > name > alias > pinyin initials > body), then the shorter name, then
the task code. Every step is evaluated the same way on SQLite and PostgreSQL, so both
return the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from tongban.catalog import search_sql
from tongban.catalog.models import (
    ItemImplementation,
    ItemType,
    Mode,
    Scope,
    SearchEntry,
)
from tongban.catalog.search_text import expand_query, synonym_groups, term_plan
from tongban.core.errors import ValidationFailed
from tongban.core.text import normalise, pinyin_initials
from tongban.regions.codes import prefix

# Longer queries are cut: nobody types more, and it bounds the work of one query.
MAX_QUERY_CHARS = 64
MAX_LIMIT = 500

# ---- write side ------------------------------------------------------------------


def _split_aliases(aliases: str) -> list[str]:
    return [a.strip() for a in aliases.replace("，", ",").split(",") if a.strip()]


def _entry_fields(impl: ItemImplementation) -> dict[str, object] | None:
    v = impl.current_version
    if v is None:
        return None
    aliases = _split_aliases(v.aliases)
    body_parts = [
        v.summary,
        v.accept_condition,
        *(m.name for m in v.materials.all()),
        impl.department.name,
        v.result_name,
    ]
    return dict(
        version=v,
        region_id=impl.region_id,
        department_id=impl.department_id,
        catalog_code=impl.baseline.catalog_code,
        task_code=impl.task_code,
        name=v.name,
        name_len=len(v.name),
        name_text=normalise(v.name),
        alias_text=" ".join(normalise(a) for a in aliases),
        # A space (never part of a normalised query) keeps the parts apart.
        body_text=" ".join(t for t in (normalise(p) for p in body_parts) if t),
        initials=" ".join(t for t in (pinyin_initials(x) for x in [v.name, *aliases]) if t),
        scope=v.scope,
        modes=",".join(v.modes),
    )


def search_entry_refresh(impl: ItemImplementation) -> None:
    """Rewrite the search row of ``impl`` from its version in force (or drop it)."""
    fields = _entry_fields(impl)
    if fields is None:
        SearchEntry.objects.filter(implementation=impl).delete()
        return
    entry, _ = SearchEntry.objects.update_or_create(implementation=impl, defaults=fields)
    search_sql.index_write([entry])


def search_entries_rebuild(implementation_ids: Iterable[int] | None = None) -> int:
    """Rebuild the search rows of many implementations at once (all when None), writing
    exactly what ``search_entry_refresh`` writes. Returns the number of rows written."""
    impls = ItemImplementation.objects.select_related(
        "baseline", "department", "current_version"
    ).prefetch_related("current_version__materials")
    if implementation_ids is not None:
        impls = impls.filter(pk__in=list(implementation_ids))
    written = 0
    batch: list[ItemImplementation] = []
    for impl in impls.order_by("pk").iterator(chunk_size=500):
        batch.append(impl)
        if len(batch) == 500:
            written += _rebuild_batch(batch)
            batch = []
    if batch:
        written += _rebuild_batch(batch)
    return written


def _rebuild_batch(impls: list[ItemImplementation]) -> int:
    SearchEntry.objects.filter(implementation__in=impls).delete()
    entries = []
    for impl in impls:
        fields = _entry_fields(impl)
        if fields is not None:
            entries.append(SearchEntry(implementation=impl, **fields))
    created = SearchEntry.objects.bulk_create(entries)
    if created and created[0].pk is None:  # backends that return no ids
        by_impl = dict(
            SearchEntry.objects.filter(implementation__in=impls).values_list(
                "implementation_id", "pk"
            )
        )
        for e in created:
            e.pk = by_impl[e.implementation_id]
    search_sql.index_write(created)
    return len(created)


# ---- read side -------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    implementation_id: int
    task_code: str
    catalog_code: str
    name: str
    region_code: str
    region_name: str  # the region's full name
    department_name: str
    scope: str
    modes: tuple[str, ...]
    kind: str
    promised_days: int
    rank: int  # lower = better: 0 exact name … 5 body


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int
    query: str
    expanded_terms: list[str]


def _validated_filters(
    region_code: str | None,
    department_id: int | None,
    scope: str | None,
    mode: str | None,
    theme: str | None,
    item_type: str | None,
) -> search_sql.Filters:
    if region_code is not None and not (region_code.isdigit() and len(region_code) in (6, 12)):
        raise ValidationFailed("region_code_format", field="region")
    if scope is not None and scope not in Scope.values:
        raise ValidationFailed("invalid_input", "未知的通办范围", field="scope")
    if mode is not None and mode not in Mode.values:
        raise ValidationFailed("invalid_input", "未知的通办模式", field="mode")
    if item_type is not None and item_type not in ItemType.values:
        raise ValidationFailed("item_type_unknown", field="item_type")
    return search_sql.Filters(
        region_prefix=prefix(region_code) if region_code else None,
        department_id=department_id,
        scope=scope,
        mode=mode,
        theme=theme or None,
        item_type=item_type,
    )


def search_items(
    *,
    q: str = "",
    region_code: str | None = None,
    department_id: int | None = None,
    scope: str | None = None,
    mode: str | None = None,
    theme: str | None = None,
    item_type: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Search (or, with an empty ``q``, browse) the items in force.

    Filters: ``region_code`` keeps items of that region and the regions inside it;
    ``mode`` a Mode value; ``theme`` a Theme code; ``item_type`` an ItemType value.
    """
    filters = _validated_filters(region_code, department_id, scope, mode, theme, item_type)
    limit = max(0, min(int(limit), MAX_LIMIT))
    offset = max(0, int(offset))
    query = normalise(q)[:MAX_QUERY_CHARS]
    if not query:
        ids, total = search_sql.browse_page(filters, limit=limit, offset=offset)
        return SearchPage(_hits(ids, {}), total, q.strip(), [])
    terms = expand_query(query, synonym_groups(search_sql.synonyms_within(query)))
    plans = [term_plan(t) for t in terms]
    # A term containing another term matches only entries the shorter one matches.
    match = [p for p in plans if not any(o.term != p.term and o.term in p.term for o in plans)]
    ranked, total = search_sql.ranked_page(match, plans, filters, limit=limit, offset=offset)
    return SearchPage(_hits([i for i, _ in ranked], dict(ranked)), total, q.strip(), terms)


def _hits(ids: list[int], ranks: dict[int, int]) -> list[SearchHit]:
    rows = search_sql.hit_rows(ids)
    # An entry removed since the page was read (a version withdrawn meanwhile) is skipped.
    return [SearchHit(**rows[pk]._asdict(), rank=ranks.get(pk, 0)) for pk in ids if pk in rows]
