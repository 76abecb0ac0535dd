"""Reads for browsing the public catalogue: regions, departments and themes with the
number of items in force, and the small lookups the search page's filters need.

Counts are GROUP BY queries, never loops over implementations.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from tongban.accounts.models import Department
from tongban.catalog.models import BaselineItem, ItemImplementation, Theme, ThemeAudience
from tongban.core.errors import NotFound
from tongban.regions.codes import prefix
from tongban.regions.models import Region


def _in_force() -> QuerySet[ItemImplementation]:
    return ItemImplementation.objects.filter(current_version__isnull=False)


@dataclass(frozen=True)
class RegionCount:
    region: Region
    count: int


@dataclass(frozen=True)
class RegionBrowse:
    region: Region | None  # None: the whole country
    ancestors: list[Region]  # province → … → parent (not the region itself)
    children: list[RegionCount]
    own_count: int  # items whose deciding department sits at this region itself
    total: int  # items in force anywhere inside this region
    departments: list[DepartmentCount]


@dataclass(frozen=True)
class DepartmentCount:
    department: Department
    count: int


def _ancestors(region: Region) -> list[Region]:
    """Province and city above ``region`` (GB/T 2260 codes carry their ancestors)."""
    candidates = {region.code[:2] + "0000", region.code[:4] + "00"} - {region.code}
    found = Region.objects.filter(code__in=candidates).order_by("code")
    return [r for r in found if region.code.startswith(prefix(r.code))]


def _counts_by_prefix(children: list[Region], within: str) -> dict[str, int]:
    """Items in force under each child, one GROUP BY per distinct prefix length."""
    counts: dict[str, int] = {}
    lengths = {len(prefix(c.code)) for c in children}
    base = _in_force()
    if within:
        base = base.filter(region__code__startswith=within)
    for n in sorted(lengths):
        rows = (
            base.annotate(p=Substr("region_id", 1, n))
            .values("p")
            .annotate(n=Count("id"))
            .values_list("p", "n")
        )
        for p, c in rows:
            counts[p] = counts.get(p, 0) + c
    return counts


def browse_region(code: str | None) -> RegionBrowse:
    """Children of ``code`` (or the provinces) with the number of items in force."""
    region: Region | None = None
    if code:
        region = Region.objects.filter(code=code).select_related("parent").first()
        if region is None:
            raise NotFound("行政区划", field="region")
    children = list(
        Region.objects.filter(parent_id=region.code if region else None).order_by("code")
    )
    within = prefix(region.code) if region else ""
    counts = _counts_by_prefix(children, within)
    child_rows = [RegionCount(c, counts.get(prefix(c.code), 0)) for c in children]
    total_qs = _in_force()
    if region:
        total_qs = total_qs.filter(region__code__startswith=within)
    departments: list[DepartmentCount] = []
    own = 0
    if region:
        own = _in_force().filter(region_id=region.code).count()
        departments = [
            DepartmentCount(d, d.n)
            for d in Department.objects.filter(region_id=region.code)
            .annotate(
                n=Count(
                    "implementations",
                    filter=Q(implementations__current_version__isnull=False),
                )
            )
            .order_by("-n", "name")
        ]
    return RegionBrowse(
        region=region,
        ancestors=_ancestors(region) if region else [],
        children=child_rows,
        own_count=own,
        total=total_qs.count(),
        departments=departments,
    )


@dataclass(frozen=True)
class ThemeCount:
    theme: Theme
    baselines: int
    implementations: int


def themes_with_counts() -> dict[str, list[ThemeCount]]:
    """Themes grouped by audience label (个人 / 法人), each with its item counts."""
    rows = Theme.objects.annotate(
        nb=Count("items", distinct=True),
        ni=Count(
            "items__implementations",
            filter=Q(items__implementations__current_version__isnull=False),
            distinct=True,
        ),
    ).order_by("audience", "position", "code")
    out: dict[str, list[ThemeCount]] = {label: [] for label in ThemeAudience.labels}
    labels = dict(ThemeAudience.choices)
    for t in rows:
        out[labels.get(t.audience, t.audience)].append(ThemeCount(t, t.nb, t.ni))
    return out


@dataclass(frozen=True)
class BaselineCount:
    baseline: BaselineItem
    regions: int  # implementations in force


@dataclass(frozen=True)
class ThemeBrowse:
    theme: Theme
    items: list[BaselineCount]


def browse_theme(code: str) -> ThemeBrowse:
    theme = Theme.objects.filter(code=code).first()
    if theme is None:
        raise NotFound("该主题", field="theme")
    items = [
        BaselineCount(b, b.n)
        for b in BaselineItem.objects.filter(themes=theme)
        .annotate(
            n=Count("implementations", filter=Q(implementations__current_version__isnull=False))
        )
        .order_by("-n", "catalog_code")
    ]
    return ThemeBrowse(theme=theme, items=items)


# ---- small lookups for the search page -------------------------------------------


@dataclass(frozen=True)
class RegionOption:
    code: str
    label: str
    depth: int


def region_options(selected: str | None) -> list[RegionOption]:
    """Provinces, plus the chain down to ``selected`` with its siblings, for a <select>."""
    provinces = list(Region.objects.filter(parent__isnull=True).order_by("code"))
    if not selected:
        return [RegionOption(p.code, p.name, 0) for p in provinces]
    chain = [r.code for r in _ancestors_or_self(selected)]
    kids: dict[str, list[Region]] = {}
    for r in Region.objects.filter(parent_id__in=chain).order_by("code"):
        kids.setdefault(r.parent_id or "", []).append(r)
    out: list[RegionOption] = []

    def walk(regions: list[Region], depth: int) -> None:
        for r in regions:
            out.append(RegionOption(r.code, r.name, depth))
            if r.code in chain:
                walk(kids.get(r.code, []), depth + 1)

    walk(provinces, 0)
    return out


def _ancestors_or_self(code: str) -> list[Region]:
    region = Region.objects.filter(code=code).first()
    if region is None:
        return []
    return [*_ancestors(region), region]


def region_name(code: str | None) -> str:
    if not code:
        return ""
    r = Region.objects.filter(code=code).only("full_name").first()
    return r.full_name if r else ""


def department_name(department_id: int | None) -> str:
    if department_id is None:
        return ""
    d = Department.objects.filter(pk=department_id).only("name").first()
    return d.name if d else ""


def theme_options() -> list[Theme]:
    return list(Theme.objects.order_by("audience", "position", "code"))
