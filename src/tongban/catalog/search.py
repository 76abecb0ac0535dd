"""Catalogue search: the index rows (write side) and the query (read side).

One ``SearchEntry`` per implementation that has a version in force. Matching is a
plain substring test on normalised text, which both databases evaluate identically;
ranking is computed from which field matched (name > alias > initials > body), so the
result order is the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from tongban.catalog.models import ItemImplementation, SearchEntry
from tongban.core.text import normalise, pinyin_initials


def _entry_fields(impl: ItemImplementation) -> dict[str, object] | None:
    v = impl.current_version
    if v is None:
        return None
    materials = " ".join(m.name for m in v.materials.all())
    body = " ".join([v.summary, v.accept_condition, materials, impl.department.name, v.result_name])
    aliases = [a.strip() for a in v.aliases.replace("，", ",").split(",") if a.strip()]
    initials = " ".join(pinyin_initials(t) for t in [v.name, *aliases])
    return dict(
        version=v,
        region_id=impl.region_id,
        department_id=impl.department_id,
        catalog_code=impl.baseline.catalog_code,
        name=v.name,
        name_text=normalise(v.name),
        alias_text=" ".join(normalise(a) for a in aliases),
        body_text=normalise(body),
        initials=initials,
        scope=v.scope,
        modes=",".join(v.modes),
    )


def search_entry_refresh(impl: ItemImplementation) -> None:
    fields = _entry_fields(impl)
    if fields is None:
        SearchEntry.objects.filter(implementation=impl).delete()
        return
    SearchEntry.objects.update_or_create(implementation=impl, defaults=fields)
