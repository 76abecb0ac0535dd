"""Writes for the catalogue: baselines, implementations, versions (draft → published).

Every function owns its transaction and checks the actor's role and region scope.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from tongban.accounts.models import Department, Role
from tongban.accounts.services import require_role
from tongban.catalog import search
from tongban.catalog.elements import VersionElements
from tongban.catalog.models import (
    FAQ,
    BaselineItem,
    FeeItem,
    HandlingVariant,
    ItemImplementation,
    ItemType,
    ItemVersion,
    MaterialRequirement,
    ProcessStep,
    SpecialProcedure,
    Theme,
    VersionStatus,
)
from tongban.catalog.rules import (
    build_task_code,
    ensure_elements,
    parse_date,
    periods_overlap,
    validate_catalog_code,
)
from tongban.core.actors import Actor
from tongban.core.errors import NotFound, ValidationFailed
from tongban.regions.models import Region, RegionLevel


def baseline_upsert(
    *,
    actor: Actor,
    catalog_code: str,
    name: str,
    item_type: str,
    legal_basis: str = "",
    competent_department: str = "",
    use_levels: str = "",
    high_risk: bool = False,
    parent_code: str | None = None,
    theme_codes: list[str] | None = None,
) -> BaselineItem:
    """Create a baseline item, or update the one with this code."""
    require_role(actor, Role.CATALOG_ADMIN)
    code = validate_catalog_code(catalog_code)
    if item_type not in ItemType.values:
        raise ValidationFailed("item_type_unknown", field="item_type")
    if not name.strip():
        raise ValidationFailed("import_required", "事项名称不能为空", field="name")
    for lvl in filter(None, use_levels.split(",")):
        if lvl not in RegionLevel.values:
            raise ValidationFailed("import_bad_value", f"未知行使层级 {lvl}", field="use_levels")
    parent = None
    if parent_code:
        parent = BaselineItem.objects.filter(catalog_code=parent_code).first()
        if parent is None:
            raise NotFound("上级事项", field="parent_code")
    with transaction.atomic():
        item, _ = BaselineItem.objects.update_or_create(
            catalog_code=code,
            defaults=dict(
                name=name.strip(),
                item_type=item_type,
                legal_basis=legal_basis,
                competent_department=competent_department,
                use_levels=use_levels,
                high_risk=high_risk,
                parent=parent,
            ),
        )
        if theme_codes is not None:
            themes = list(Theme.objects.filter(code__in=theme_codes))
            if len(themes) != len(set(theme_codes)):
                raise ValidationFailed("import_bad_value", "主题编码不存在", field="themes")
            item.themes.set(themes)
    return item


def implementation_create(
    *, actor: Actor, baseline: BaselineItem, department: Department, use_level: str | None = None
) -> ItemImplementation:
    """Register a department's implementation; the 实施编码 is built from its parts."""
    require_role(actor, Role.CATALOG_ADMIN, region_code=department.region_id)
    level = use_level or department.level
    if level not in RegionLevel.values:
        raise ValidationFailed("import_bad_value", "行使层级不正确", field="use_level")
    task_code = build_task_code(
        uscc=department.uscc, level=level, catalog_code=baseline.catalog_code
    )
    if ItemImplementation.objects.filter(task_code=task_code).exists():
        raise ValidationFailed("duplicate_code", field="task_code")
    return ItemImplementation.objects.create(
        task_code=task_code,
        baseline=baseline,
        department=department,
        region_id=department.region_id,
        use_level=level,
    )


def _write_children(version: ItemVersion, el: VersionElements) -> None:
    for rel in ("materials", "steps", "special_procedures", "fees", "variants", "faqs"):
        getattr(version, rel).all().delete()
    MaterialRequirement.objects.bulk_create(
        MaterialRequirement(version=version, position=i, **vars(m))
        for i, m in enumerate(el.materials, start=1)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(version=version, position=i, **vars(s)) for i, s in enumerate(el.steps, 1)
    )
    SpecialProcedure.objects.bulk_create(
        SpecialProcedure(version=version, position=i, **vars(s))
        for i, s in enumerate(el.special_procedures, start=1)
    )
    FeeItem.objects.bulk_create(
        FeeItem(version=version, position=i, **vars(f)) for i, f in enumerate(el.fees, 1)
    )
    HandlingVariant.objects.bulk_create(
        HandlingVariant(version=version, code=v.code.upper(), kind=v.kind, name=v.name)
        for v in el.variants
    )
    FAQ.objects.bulk_create(
        FAQ(version=version, position=i, question=q.question, answer=q.answer)
        for i, q in enumerate(el.faqs, start=1)
    )
    regions = list(Region.objects.filter(code__in=el.partner_region_codes))
    if len(regions) != len(set(el.partner_region_codes)):
        raise ValidationFailed("region_unknown", field="partner_region_codes")
    version.partner_regions.set(regions)


def _apply(version: ItemVersion, el: VersionElements) -> None:
    for name in VersionElements.scalar_fields():
        setattr(version, name, getattr(el, name))
    version.valid_from = parse_date(el.valid_from, field="valid_from")
    version.valid_to = parse_date(el.valid_to, field="valid_to")


def version_create_draft(
    *, actor: Actor, implementation: ItemImplementation, elements: VersionElements
) -> ItemVersion:
    require_role(actor, Role.CATALOG_ADMIN, region_code=implementation.region_id)
    ensure_elements(
        elements,
        task_code=implementation.task_code,
        high_risk=implementation.baseline.high_risk,
    )
    with transaction.atomic():
        # Lock the implementation so concurrent drafts get distinct version numbers.
        ItemImplementation.objects.select_for_update().get(pk=implementation.pk)
        last = implementation.versions.aggregate(m=Max("version"))["m"] or 0
        version = ItemVersion(implementation=implementation, version=last + 1)
        _apply(version, elements)
        version.save()
        _write_children(version, elements)
    return version


def version_update_draft(
    *, actor: Actor, version: ItemVersion, elements: VersionElements
) -> ItemVersion:
    impl = version.implementation
    require_role(actor, Role.CATALOG_ADMIN, region_code=impl.region_id)
    ensure_elements(elements, task_code=impl.task_code, high_risk=impl.baseline.high_risk)
    with transaction.atomic():
        locked = ItemVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.DRAFT:
            raise ValidationFailed("version_published_immutable")
        _apply(locked, elements)
        locked.save()
        _write_children(locked, elements)
    return locked


def version_publish(
    *, actor: Actor, version: ItemVersion, today: date | None = None
) -> ItemVersion:
    """Publish a draft. Its validity starts on ``valid_from`` (default: today).

    An open-ended published version that started earlier is superseded: its
    ``valid_to`` becomes the new ``valid_from`` — the only write a published version
    ever receives. Any other overlap is refused with ``version_overlap``.
    """
    impl = version.implementation
    require_role(actor, Role.CATALOG_ADMIN, region_code=impl.region_id)
    today = today or timezone.localdate()
    with transaction.atomic():
        ItemImplementation.objects.select_for_update().get(pk=impl.pk)
        v = ItemVersion.objects.select_for_update().get(pk=version.pk)
        if v.status != VersionStatus.DRAFT:
            raise ValidationFailed("version_not_draft")
        start = v.valid_from or today
        if v.valid_to is not None and v.valid_to <= start:
            raise ValidationFailed("version_invalid_period", field="valid_to")
        others = list(
            ItemVersion.objects.select_for_update()
            .filter(implementation=impl, status=VersionStatus.PUBLISHED)
            .exclude(pk=v.pk)
        )
        for p in others:
            assert p.valid_from is not None
            if p.valid_to is None and p.valid_from < start:
                if start < today:
                    raise ValidationFailed("version_backdated", field="valid_from")
                p.valid_to = start
                p.save(update_fields=["valid_to", "updated_at"])
            if periods_overlap(start, v.valid_to, p.valid_from, p.valid_to):
                raise ValidationFailed(
                    "version_overlap",
                    f"与已发布的第{p.version}版（{p.valid_from} 起）有效期重叠",
                    field="valid_from",
                )
        v.status = VersionStatus.PUBLISHED
        v.valid_from = start
        v.published_at = timezone.now()
        v.published_by = actor if getattr(actor, "pk", None) else None
        v.save()
        implementation_refresh_current(impl, today=today)
    return v


def implementation_refresh_current(impl: ItemImplementation, *, today: date) -> None:
    """Point the implementation at the version in force today and refresh its search row."""
    current = (
        ItemVersion.objects.filter(
            implementation=impl, status=VersionStatus.PUBLISHED, valid_from__lte=today
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=today))
        .order_by("-valid_from")
        .first()
    )
    if impl.current_version_id != (current.pk if current else None):
        impl.current_version = current
        impl.save(update_fields=["current_version"])
    search.search_entry_refresh(impl)


def catalog_refresh_all(*, today: date | None = None) -> int:
    """Daily job: versions whose validity started or ended today take effect."""
    today = today or timezone.localdate()
    n = 0
    for impl in ItemImplementation.objects.all().iterator():
        with transaction.atomic():
            implementation_refresh_current(impl, today=today)
        n += 1
    return n
