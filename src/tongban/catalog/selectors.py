"""Reads for the public guide (办事指南) and the one-time notice of one item.

Views call these only. ``guide_for`` issues a fixed, small number of queries (one more
per region that may take the item in by agreement). Browse reads: selectors_browse.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from tongban.accounts.models import Department, ServiceCenter, Window
from tongban.accounts.selectors import windows_in_region
from tongban.catalog.agreements import intake_regions
from tongban.catalog.models import (
    FAQ,
    BaselineItem,
    FeeItem,
    HandlingVariant,
    ItemImplementation,
    ItemVersion,
    MaterialRequirement,
    MaterialSource,
    ProcessStep,
    SpecialProcedure,
    Theme,
    VersionStatus,
)
from tongban.core.errors import NotFound
from tongban.regions.models import Region

SIBLING_LIMIT = 60

# 两个免提交: sources the applicant never has to bring.
EXEMPT_SOURCES = frozenset(
    {MaterialSource.LICENCE, MaterialSource.DATA_SHARING, MaterialSource.INTERNAL}
)


# ---- the guide --------------------------------------------------------------------


@dataclass(frozen=True)
class MaterialRow:
    material: MaterialRequirement
    exempt: bool  # 免提交: licence, shared data or the department's own records

    @property
    def exempt_note(self) -> str:
        """What replaces the paper: the licence type or the shared data item."""
        m = self.material
        if m.source == MaterialSource.LICENCE:
            return f"证照类型 {m.licence_type_code}" if m.licence_type_code else "调取电子证照"
        if m.source == MaterialSource.DATA_SHARING:
            return f"共享数据项：{m.data_item or m.name}"
        return ""


@dataclass(frozen=True)
class CentreWindows:
    """One service centre and the windows in it that take in the item."""

    centre: ServiceCenter
    windows: list[Window]


@dataclass(frozen=True)
class IntakePlace:
    """A region whose windows may take the item in under a cooperation agreement."""

    region: Region
    centres: list[CentreWindows]


@dataclass(frozen=True)
class SiblingRow:
    task_code: str
    name: str
    region_name: str
    department_name: str
    scope: str
    promised_days: int


@dataclass(frozen=True)
class VersionRow:
    version: int
    valid_from: date | None
    valid_to: date | None
    is_current: bool


@dataclass(frozen=True)
class Guide:
    """Everything the guide and the one-time notice show, fetched once."""

    implementation: ItemImplementation
    version: ItemVersion
    is_current: bool
    current_version_number: int | None
    baseline: BaselineItem
    department: Department
    region: Region
    materials: list[MaterialRow]
    steps: list[ProcessStep]
    special_procedures: list[SpecialProcedure]
    fees: list[FeeItem]
    variants: list[HandlingVariant]
    faqs: list[FAQ]
    partner_regions: list[Region]
    themes: list[Theme]
    local_centres: list[CentreWindows]
    intake: list[IntakePlace]
    siblings: list[SiblingRow]
    sibling_total: int
    versions: list[VersionRow]
    legal_basis: str
    consult: str
    on: date = field(default_factory=timezone.localdate)

    @property
    def to_bring(self) -> list[MaterialRow]:
        return [m for m in self.materials if not m.exempt]

    @property
    def exempt(self) -> list[MaterialRow]:
        return [m for m in self.materials if m.exempt]

    @property
    def offers_online(self) -> bool:
        return self.version.mode_fully_online

    @property
    def intake_window_count(self) -> int:
        return sum(len(c.windows) for p in self.intake for c in p.centres)


def _group_by_centre(windows: QuerySet[Window]) -> list[CentreWindows]:
    groups: OrderedDict[int, CentreWindows] = OrderedDict()
    for w in windows.order_by("center__region_id", "center__name", "number"):
        if w.center_id not in groups:
            groups[w.center_id] = CentreWindows(centre=w.center, windows=[])
        groups[w.center_id].windows.append(w)
    return list(groups.values())


def _version_for(impl: ItemImplementation, number: int | None, on: date) -> ItemVersion:
    qs = ItemVersion.objects.filter(implementation=impl, status=VersionStatus.PUBLISHED)
    if number is None:
        if impl.current_version_id is not None:
            qs = qs.filter(pk=impl.current_version_id)
        else:
            # Nothing in force yet: show the version that will take effect next (the
            # page marks it 尚未施行); an item whose versions all ended is not found.
            qs = qs.filter(valid_from__gt=on).order_by("valid_from")
    else:
        qs = qs.filter(version=number)
    version = (
        qs.prefetch_related(
            "materials",
            "steps",
            "special_procedures",
            "fees",
            "variants",
            "faqs",
            "partner_regions",
        )
    ).first()
    if version is None:
        raise NotFound("该事项版本")
    return version


def _siblings(impl: ItemImplementation) -> tuple[list[SiblingRow], int]:
    qs = ItemImplementation.objects.filter(
        baseline_id=impl.baseline_id, current_version__isnull=False
    ).exclude(pk=impl.pk)
    total = qs.count()
    rows = [
        SiblingRow(
            task_code=s.task_code,
            name=s.current_version.name if s.current_version else "",
            region_name=s.region.full_name,
            department_name=s.department.name,
            scope=s.current_version.scope if s.current_version else "",
            promised_days=s.current_version.promised_days if s.current_version else 0,
        )
        for s in qs.select_related("region", "department", "current_version").order_by(
            "region_id", "task_code"
        )[:SIBLING_LIMIT]
    ]
    return rows, total


def guide_for(task_code: str, version: int | None = None, *, on: date | None = None) -> Guide:
    """The guide of ``task_code``: the version in force, or published version ``version``.

    Raises NotFound for an unknown code, an item without a version in force, or a
    version number that is not published.
    """
    on = on or timezone.localdate()
    impl = (
        ItemImplementation.objects.select_related("baseline", "department", "region")
        .filter(task_code=task_code.strip().upper())
        .first()
    )
    if impl is None:
        raise NotFound("该事项")
    v = _version_for(impl, version, on)
    versions = [
        VersionRow(r.version, r.valid_from, r.valid_to, r.pk == impl.current_version_id)
        for r in ItemVersion.objects.filter(
            implementation=impl, status=VersionStatus.PUBLISHED
        ).order_by("-version")
    ]
    current_number = next((r.version for r in versions if r.is_current), None)
    intake = [
        IntakePlace(
            region=r,
            centres=_group_by_centre(windows_in_region(r.code, cross_region_only=True)),
        )
        for r in intake_regions(implementation=impl, on=on)
    ]
    siblings, sibling_total = _siblings(impl)
    return Guide(
        implementation=impl,
        version=v,
        is_current=v.pk == impl.current_version_id,
        current_version_number=current_number,
        baseline=impl.baseline,
        department=impl.department,
        region=impl.region,
        materials=[
            MaterialRow(material=m, exempt=m.source in EXEMPT_SOURCES) for m in v.materials.all()
        ],
        steps=list(v.steps.all()),
        special_procedures=list(v.special_procedures.all()),
        fees=list(v.fees.all()),
        variants=list(v.variants.all()),
        faqs=list(v.faqs.all()),
        partner_regions=sorted(v.partner_regions.all(), key=lambda r: r.code),
        themes=list(impl.baseline.themes.all()),
        local_centres=_group_by_centre(windows_in_region(impl.region_id)),
        intake=intake,
        siblings=siblings,
        sibling_total=sibling_total,
        versions=versions,
        legal_basis=v.legal_basis or impl.baseline.legal_basis,
        consult=v.consult_phone or impl.department.phone,
        on=on,
    )
