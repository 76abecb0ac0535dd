"""The "五统一" conformance check: is one baseline item implemented the same way everywhere?

For each baseline item we take every implementation's version in force
(``ItemImplementation.current_version``), one column per implementation, ordered by region
code (a region with two implementing departments gets two columns, labelled with the
department), and compare them on eleven dimensions:

==================  ==================  =============================================
key                 label               compared value
==================  ==================  =============================================
name                事项名称            the version's name
materials           申请材料            set of (material name, required?, copies)
review_points       审查要点（受理标准）materials' acceptance_standard + steps' review_points
steps               办理流程            ordered (step name, role)
time_limits         办理时限            (statutory_days, promised_days)        [跨省通办 ⑤]
fees                收费标准            is_fee + set of (fee name, standard)   [跨省通办 ⑦]
accept_condition    申请条件            ItemVersion.accept_condition           [跨省通办 ①]
application_methods 申报方式            set of methods in application_methods  [跨省通办 ②]
acceptance_mode     受理模式            set of modes in acceptance_mode        [跨省通办 ③]
review_procedure    审核程序            ItemVersion.review_procedure           [跨省通办 ④]
issuing_method      发证方式            set of methods in issuing_method       [跨省通办 ⑥]
==================  ==================  =============================================

The seven 跨省通办 elements map onto the last seven rows; 办理时限 and 收费标准 are the
time_limits and fees dimensions (counted once, not twice).

Text is compared after ``tongban.core.text.normalise`` (NFKC, lower case, no whitespace)
with all punctuation removed, so "，" vs "," or "、" vs "," never counts as a difference.
List-like elements (申报方式, 受理模式, 发证方式) are split on separators and compared as sets.

Reference value of a dimension = the value most columns share (majority). On a tie, the
value held by the column with the lexicographically smallest region code wins. A column
conforms when its value equals the reference. Item score = conforming cells / all cells
(0–100, one decimal, half-up); region score = the same ratio over every cell of that
region in every item it implements that has at least two implementations. An item with a
single implementation is "仅一地实施，无法比对" and has no score.

Records live in ``conformance_types``, the dimensions in ``conformance_dimensions``.
Everything below ``# --- selectors`` reads the database; everything above is pure.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet

from tongban.accounts.models import Role
from tongban.accounts.services import require_role
from tongban.catalog.conformance_dimensions import DIMENSIONS, Dimension
from tongban.catalog.conformance_types import (
    Cell,
    DimensionRow,
    FeeFact,
    ItemConformance,
    MaterialFact,
    RegionColumn,
    RegionScore,
    StepFact,
    VersionFacts,
)
from tongban.catalog.models import (
    BaselineItem,
    FeeItem,
    ItemImplementation,
    ItemType,
    MaterialRequirement,
    ProcessStep,
)
from tongban.core.actors import Actor
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.regions.codes import prefix

ITEM_TYPE_LABELS: dict[str, str] = dict(ItemType.choices)
# Who may see the report: any region's supervisor or catalogue administrator, because the
# comparison is across regions by nature.
VIEW_ROLES: tuple[str, ...] = (Role.SUPERVISOR, Role.CATALOG_ADMIN)


# --- scoring and comparison ---------------------------------------------------------------


def percent(matching: int, total: int) -> float:
    """matching/total as 0–100 with one decimal, rounded half-up (no banker's rounding)."""
    if total <= 0:
        return 100.0
    value = (Decimal(matching) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return float(value)


def majority(values: list[tuple[str, Hashable]]) -> Hashable:
    """The reference among (region_code, value) pairs: the most common value; on a tie the
    value of the lexicographically smallest region code among the tied values."""
    if not values:
        raise ValueError("majority() of nothing")
    counts = Counter(v for _, v in values)
    top = max(counts.values())
    first = min(code for code, v in values if counts[v] == top)
    return next(v for code, v in values if code == first and counts[v] == top)


def _columns(facts: list[VersionFacts]) -> list[RegionColumn]:
    per_region = Counter(f.region_code for f in facts)
    return [
        RegionColumn(
            region_code=f.region_code,
            region_name=f.region_name,
            region_full_name=f.region_full_name or f.region_name,
            task_code=f.task_code,
            department_name=f.department_name,
            version=f.version,
            label=(
                f"{f.region_name}·{f.department_name}"
                if per_region[f.region_code] > 1
                else f.region_name
            ),
        )
        for f in facts
    ]


def compare_dimension(dim: Dimension, facts: list[VersionFacts]) -> DimensionRow:
    """One row of the matrix: facts must already be in column order (by region code)."""
    values = [dim.value(f) for f in facts]
    reference = majority([(f.region_code, v) for f, v in zip(facts, values, strict=True)])
    ref_facts = next(f for f, v in zip(facts, values, strict=True) if v == reference)
    cells = []
    for f, v in zip(facts, values, strict=True):
        ok = v == reference
        cells.append(
            Cell(
                region_code=f.region_code,
                task_code=f.task_code,
                value_display=dim.display(f),
                conforms=ok,
                detail="" if ok else (dim.detail(f, ref_facts) or "与基准不同"),
            )
        )
    return DimensionRow(dim.key, dim.label, dim.display(ref_facts), cells)


def compare_item(
    *, catalog_code: str, name: str, item_type: str, facts: Iterable[VersionFacts]
) -> ItemConformance:
    """The full matrix for one baseline item."""
    ordered = sorted(facts, key=lambda f: (f.region_code, f.task_code))
    columns = _columns(ordered)
    if len(ordered) < 2:
        return ItemConformance(catalog_code, name, item_type, None, columns, [])
    rows = [compare_dimension(d, ordered) for d in DIMENSIONS]
    total = sum(len(r.cells) for r in rows)
    matching = sum(c.conforms for r in rows for c in r.cells)
    return ItemConformance(catalog_code, name, item_type, percent(matching, total), columns, rows)


def region_scores(items: Iterable[ItemConformance]) -> list[RegionScore]:
    """Per-region scores over comparable items, lowest score first (then region code)."""
    names: dict[str, str] = {}
    cells: Counter[str] = Counter()
    matching: Counter[str] = Counter()
    compared: dict[str, set[str]] = {}
    for item in items:
        if not item.comparable:
            continue
        for col in item.regions:
            names[col.region_code] = col.region_name
            compared.setdefault(col.region_code, set()).add(item.catalog_code)
        for row in item.dimensions:
            for c in row.cells:
                cells[c.region_code] += 1
                matching[c.region_code] += c.conforms
    scores = [
        RegionScore(
            region_code=code,
            region_name=names[code],
            score=percent(matching[code], cells[code]),
            items_compared=len(compared[code]),
            differences=cells[code] - matching[code],
        )
        for code in names
    ]
    return sorted(scores, key=lambda s: (s.score, s.region_code))


def sort_items(items: Iterable[ItemConformance]) -> list[ItemConformance]:
    """Lowest score first; items that cannot be compared last; then by 基本编码."""
    return sorted(items, key=lambda i: (i.score is None, i.score or 0.0, i.catalog_code))


CSV_HEADER = (
    "基本编码",
    "事项名称",
    "要素",
    "地区",
    "本地取值",
    "基准取值",
    "是否一致",
    "差异说明",
)


def csv_rows(
    items: Iterable[ItemConformance], *, differences_only: bool = False
) -> Iterator[tuple[str, ...]]:
    """One row per (item, dimension, region) cell, in the CSV_HEADER's order."""
    for item in items:
        if not item.comparable:
            if not differences_only:
                for col in item.regions:
                    region = f"{col.label}（{col.region_code}）"
                    yield (item.catalog_code, item.name, "—", region, "", "", "—", item.note)
            continue
        for row in item.dimensions:
            for col, cell in zip(item.regions, row.cells, strict=True):
                if differences_only and cell.conforms:
                    continue
                yield (
                    item.catalog_code,
                    item.name,
                    row.label,
                    f"{col.label}（{col.region_code}）",
                    cell.value_display,
                    row.reference_display,
                    "是" if cell.conforms else "否",
                    cell.detail,
                )


def csv_document(items: Iterable[ItemConformance], *, differences_only: bool = False) -> bytes:
    """The CSV file: UTF-8 with a BOM so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(csv_rows(items, differences_only=differences_only))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- selectors (database reads) ---------------------------------------------------------------


def require_any_role(actor: Actor, roles: Iterable[str]) -> None:
    """Pass when the actor holds any of ``roles`` in any region (see require_role)."""
    denied: PermissionDenied | None = None
    for role in roles:
        try:
            require_role(actor, role)
            return
        except PermissionDenied as exc:
            denied = exc
    raise denied or PermissionDenied("permission_denied")


@dataclass(frozen=True)
class ConformanceOverview:
    items: list[ItemConformance]  # lowest score first, items that cannot be compared last
    regions: list[RegionScore]  # lowest score first


# Version ids per children query: well inside SQLite's and PostgreSQL's parameter limits.
_CHUNK = 2000


def _by_version(
    model: type[MaterialRequirement | ProcessStep | FeeItem],
    fields: tuple[str, ...],
    ids: list[int],
) -> dict[int, list[tuple[Any, ...]]]:
    """Child rows of the given versions as plain tuples, by version id, in position order
    (one query per 2,000 versions; much cheaper than prefetch_related's model objects)."""
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for i in range(0, len(ids), _CHUNK):
        rows = (
            model._default_manager.filter(version_id__in=ids[i : i + _CHUNK])
            .order_by("version_id", "position")
            .values_list("version_id", *fields)
        )
        for vid, *rest in rows:
            out[vid].append(tuple(rest))
    return out


def _compare_in_force(baselines: QuerySet[BaselineItem]) -> list[ItemConformance]:
    """Compare the versions in force of ``baselines``' implementations: one query for the
    implementations with their version, region, department and baseline, then three for
    the versions' materials, steps and fees."""
    impls = list(
        ItemImplementation.objects.filter(baseline__in=baselines, current_version__isnull=False)
        .select_related("baseline", "region", "department", "current_version")
        .order_by("baseline__catalog_code", "region_id", "task_code")
    )
    ids = [i.current_version_id for i in impls if i.current_version_id]
    materials = _by_version(
        MaterialRequirement, ("name", "is_required", "copies", "acceptance_standard"), ids
    )
    steps = _by_version(ProcessStep, ("name", "role", "review_points"), ids)
    fees = _by_version(FeeItem, ("name", "standard"), ids)
    groups: dict[str, tuple[BaselineItem, list[VersionFacts]]] = {}
    for impl in impls:
        v = impl.current_version
        assert v is not None
        facts = VersionFacts(
            region_code=impl.region_id,
            region_name=impl.region.name,
            region_full_name=impl.region.full_name,
            task_code=impl.task_code,
            department_name=impl.department.name,
            version=v.version,
            name=v.name,
            statutory_days=v.statutory_days,
            promised_days=v.promised_days,
            accept_condition=v.accept_condition,
            application_methods=v.application_methods,
            acceptance_mode=v.acceptance_mode,
            review_procedure=v.review_procedure,
            issuing_method=v.issuing_method,
            is_fee=v.is_fee,
            materials=tuple(MaterialFact(*m) for m in materials[v.pk]),
            steps=tuple(StepFact(*st) for st in steps[v.pk]),
            fees=tuple(FeeFact(*f) for f in fees[v.pk]),
        )
        groups.setdefault(impl.baseline.catalog_code, (impl.baseline, []))[1].append(facts)
    return [
        compare_item(catalog_code=b.catalog_code, name=b.name, item_type=b.item_type, facts=facts)
        for b, facts in groups.values()
    ]


def region_filter_prefix(region: str) -> str:
    """A region filter as a code prefix: a 6/12-digit code means that region and everything
    inside it (140400 → "1404"); shorter digit strings are taken as prefixes as they are."""
    value = region.strip()
    if not value.isdigit() or len(value) > 12:
        raise ValidationFailed("region_code_format", field="region")
    return prefix(value) if len(value) in (6, 12) else value


def conformance_overview(
    *, actor: Actor, region: str = "", item_type: str = ""
) -> ConformanceOverview:
    """Every baseline item implemented somewhere (optionally: of one type, or implemented
    inside ``region``), compared across all its regions, and the regions' scores."""
    require_any_role(actor, VIEW_ROLES)
    baselines = BaselineItem.objects.all()
    if item_type:
        if item_type not in ItemType.values:
            raise ValidationFailed("item_type_unknown", field="item_type")
        baselines = baselines.filter(item_type=item_type)
    within = ""
    if region:
        within = region_filter_prefix(region)
        baselines = baselines.filter(
            implementations__region__code__startswith=within,
            implementations__current_version__isnull=False,
        )
    items = sort_items(_compare_in_force(baselines))
    scores = [s for s in region_scores(items) if s.region_code.startswith(within)]
    return ConformanceOverview(items=items, regions=scores)


def conformance_item(*, actor: Actor, catalog_code: str) -> ItemConformance:
    """The full matrix of one baseline item."""
    require_any_role(actor, VIEW_ROLES)
    code = (catalog_code or "").strip().upper()
    baseline = BaselineItem.objects.filter(catalog_code=code).first()
    if baseline is None:
        raise NotFound("该基本目录事项", field="catalog_code")
    found = _compare_in_force(BaselineItem.objects.filter(pk=baseline.pk))
    empty = compare_item(
        catalog_code=code, name=baseline.name, item_type=baseline.item_type, facts=[]
    )
    return found[0] if found else empty
