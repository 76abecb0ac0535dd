"""Reads for the catalogue-manager pages (/manage/catalog/): the implementations in a
事项管理员's regions with their versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from tongban.accounts.models import Role, RoleGrant
from tongban.catalog.models import ItemImplementation, ItemVersion, VersionStatus
from tongban.core.actors import Actor
from tongban.core.errors import NotFound
from tongban.regions.codes import prefix
from tongban.regions.models import Region

PER_PAGE = 30


@dataclass(frozen=True)
class ManagedVersion:
    pk: int
    version: int
    name: str
    status: str
    status_label: str
    valid_from: date | None
    last_day: date | None  # valid_to is exclusive; people read the last valid day
    is_current: bool

    @property
    def is_draft(self) -> bool:
        return self.status == VersionStatus.DRAFT


@dataclass(frozen=True)
class ManagedItem:
    task_code: str
    catalog_code: str
    name: str
    department: str
    region_code: str
    region_name: str
    versions: list[ManagedVersion]


@dataclass(frozen=True)
class ManagedPage:
    items: list[ManagedItem]
    total: int
    page: int
    pages: int


def manager_regions(user: Actor) -> list[Region] | None:
    """The regions where ``user`` is 事项管理员; None means everywhere (superuser)."""
    if getattr(user, "is_superuser", False):
        return None
    codes = RoleGrant.objects.filter(user=user, role=Role.CATALOG_ADMIN).values("region_id")
    return list(Region.objects.filter(code__in=codes).order_by("code"))


def _in_regions(region_codes: list[str] | None) -> QuerySet[ItemImplementation]:
    qs = ItemImplementation.objects.all()
    if region_codes is None:
        return qs
    if not region_codes:
        return qs.none()
    return qs.filter(reduce(or_, (Q(region__code__startswith=prefix(c)) for c in region_codes)))


def managed_items(
    *, region_codes: list[str] | None, q: str = "", page: int = 1, per_page: int = PER_PAGE
) -> ManagedPage:
    qs = _in_regions(region_codes)
    q = q.strip()
    if q:
        qs = qs.filter(
            Q(task_code__icontains=q)
            | Q(baseline__catalog_code__icontains=q)
            | Q(baseline__name__icontains=q)
            | Q(versions__name__icontains=q)
            | Q(department__name__icontains=q)
        ).distinct()
    total = qs.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    impls = (
        qs.select_related("baseline", "department", "region")
        .prefetch_related("versions")
        .order_by("region_id", "task_code")[(page - 1) * per_page : page * per_page]
    )
    items = []
    for impl in impls:
        versions = [
            ManagedVersion(
                pk=v.pk,
                version=v.version,
                name=v.name,
                status=v.status,
                status_label=v.get_status_display(),
                valid_from=v.valid_from,
                last_day=v.valid_to - timedelta(days=1) if v.valid_to else None,
                is_current=v.pk == impl.current_version_id,
            )
            for v in sorted(impl.versions.all(), key=lambda v: -v.version)
        ]
        items.append(
            ManagedItem(
                task_code=impl.task_code,
                catalog_code=impl.baseline.catalog_code,
                name=versions[0].name if versions else impl.baseline.name,
                department=impl.department.name,
                region_code=impl.region_id,
                region_name=impl.region.full_name,
                versions=versions,
            )
        )
    return ManagedPage(items=items, total=total, page=page, pages=pages)


def managed_version(pk: int) -> ItemVersion:
    try:
        return ItemVersion.objects.select_related("implementation__baseline").get(pk=pk)
    except ItemVersion.DoesNotExist as exc:
        raise NotFound("事项版本") from exc
