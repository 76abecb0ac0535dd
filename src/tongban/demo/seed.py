"""``demo_seed()``: load the demo data set through the service layer as SYSTEM.

Idempotent: every object is looked up by its natural key (USCC, centre name, window
number, 基本编码, (baseline, department), agreement name, username) and only created
when missing, so a second run changes nothing. The whole run is one transaction: a
failure leaves the database as it was.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from tongban.accounts.models import Department, ServiceCenter, User, Window
from tongban.accounts.services import department_create, service_center_create, window_create
from tongban.catalog.agreements import agreement_create
from tongban.catalog.models import (
    Agreement,
    BaselineItem,
    ItemImplementation,
    ItemVersion,
    VersionStatus,
)
from tongban.catalog.services import (
    baseline_upsert,
    implementation_create,
    version_create_draft,
    version_publish,
)
from tongban.core.actors import SYSTEM
from tongban.demo.build import build_elements
from tongban.demo.data import BY_CODE, DRAFTS, ITEMS, SECOND_VERSIONS
from tongban.demo.data.agreements import AGREEMENTS
from tongban.demo.orgs import BY_KEY, REGIONS, RegionSpec
from tongban.demo.results import DemoSummary, SeededOrgs
from tongban.demo.seed_accounts import seed_accounts
from tongban.demo.seed_licences import seed_licences
from tongban.demo.seed_ratings import seed_ratings
from tongban.demo.seed_supervision import seed_supervision
from tongban.demo.services import themes_ensure
from tongban.demo.spec import ItemSpec
from tongban.regions.models import Region

# The first published version of every demo item is valid from this day.
V1_FROM = date(2026, 1, 1)


def demo_seed(*, today: date | None = None) -> DemoSummary:
    started = time.perf_counter()
    today = today or timezone.localdate()
    created: Counter[str] = Counter()
    regions_ensure()
    with transaction.atomic():
        created["themes"] += themes_ensure()
        orgs = _seed_orgs(created)
        _seed_baselines(created)
        _seed_implementations(orgs, today, created)
        _seed_agreements(created)
        accounts = seed_accounts(orgs, created)
        seed_licences(created, today=today)
        created["ratings"] += seed_ratings()
        created["supervision_cards"] += seed_supervision(today=today)
    return DemoSummary(
        created=dict(created),
        totals=demo_totals(),
        accounts=accounts,
        seconds=time.perf_counter() - started,
    )


def regions_ensure() -> tuple[int, bool]:
    """The regions are reference data: load GB/T 2260 only if the demo's are missing
    (reloading an existing tree rewrites ~3,200 rows for nothing; ``tongban
    load-regions`` refreshes it on purpose). Returns (rows, loaded now)."""
    codes = [r.code for r in REGIONS]
    if Region.objects.filter(code__in=codes).count() < len(codes):
        from tongban.regions.services import regions_load_gb2260

        return regions_load_gb2260(), True
    return Region.objects.count(), False


def _seed_orgs(created: Counter[str]) -> SeededOrgs:
    orgs = SeededOrgs()
    existing = {d.uscc: d for d in Department.objects.all()}
    for region in REGIONS:
        for spec in region.departments:
            uscc = spec.uscc(region.code)
            dept = existing.get(uscc)
            if dept is None:
                dept = department_create(
                    name=spec.name,
                    uscc=uscc,
                    region_code=region.code,
                    level=region.level,
                    phone=region.phone(spec.serial),
                )
                created["departments"] += 1
            orgs.departments[(region.key, spec.key)] = dept
        c = region.centre
        centre = ServiceCenter.objects.filter(region_id=region.code, name=c.name).first()
        if centre is None:
            centre = service_center_create(
                name=c.name,
                region_code=region.code,
                address=c.address,
                hours=c.hours,
                phone=region.phone(0),
            )
            created["centres"] += 1
        orgs.centres[region.key] = centre
        have = {w.number: w for w in centre.windows.all()}
        for w in c.windows:
            window = have.get(w.number)
            if window is None:
                window = window_create(
                    center=centre, name=w.name, number=w.number, is_cross_region=w.is_cross_region
                )
                created["windows"] += 1
            if w.is_cross_region:
                orgs.cross_windows[region.key] = window
    return orgs


def _seed_baselines(created: Counter[str]) -> None:
    have = set(BaselineItem.objects.values_list("catalog_code", flat=True))
    for spec in ITEMS:
        if spec.code in have:
            continue
        baseline_upsert(
            actor=SYSTEM,
            catalog_code=spec.code,
            name=spec.name,
            item_type=spec.item_type,
            legal_basis=spec.legal_basis,
            competent_department=spec.competent,
            use_levels=spec.use_levels,
            high_risk=spec.high_risk,
            theme_codes=list(spec.themes),
        )
        created["baselines"] += 1


def _seed_implementations(orgs: SeededOrgs, today: date, created: Counter[str]) -> None:
    v1_from = V1_FROM if today > V1_FROM else today - timedelta(days=1)
    baselines = {b.catalog_code: b for b in BaselineItem.objects.filter(catalog_code__in=BY_CODE)}
    done = set(ItemImplementation.objects.values_list("baseline_id", "department_id"))
    for spec in ITEMS:
        baseline = baselines[spec.code]
        for rkey in spec.regions:
            region = BY_KEY[rkey]
            dept = orgs.departments[(rkey, region.dept_key(spec.dept))]
            if (baseline.pk, dept.pk) in done:
                continue
            impl = implementation_create(actor=SYSTEM, baseline=baseline, department=dept)
            created["implementations"] += 1
            key = (spec.code, rkey)
            v1 = _draft(spec, region, impl, v1_from)
            version_publish(actor=SYSTEM, version=v1, today=today)
            created["versions_published"] += 1
            if key in SECOND_VERSIONS:
                v2 = _draft(spec, region, impl, today, SECOND_VERSIONS[key])
                version_publish(actor=SYSTEM, version=v2, today=today)
                created["versions_published"] += 1
            if key in DRAFTS:
                _draft(spec, region, impl, None, DRAFTS[key])
                created["drafts"] += 1


def _draft(
    spec: ItemSpec,
    region: RegionSpec,
    impl: ItemImplementation,
    valid_from: date | None,
    changes: dict[str, Any] | None = None,
) -> ItemVersion:
    elements = build_elements(
        spec,
        region,
        department_name=impl.department.name,
        department_phone=impl.department.phone,
        task_code=impl.task_code,
        valid_from=valid_from,
        changes=changes,
    )
    return version_create_draft(actor=SYSTEM, implementation=impl, elements=elements)


def _seed_agreements(created: Counter[str]) -> None:
    have = set(Agreement.objects.values_list("name", flat=True))
    for spec in AGREEMENTS:
        if spec.name in have:
            continue
        agreement_create(
            actor=SYSTEM,
            name=spec.name,
            scope=spec.scope,
            party_codes=spec.party_codes,
            catalog_codes=spec.catalog_codes,
            valid_from=spec.valid_from,
            valid_to=spec.valid_to,
            rights=set(spec.rights),
            modes=set(spec.modes),
            signed_at=spec.signed_at,
            notes=spec.notes,
        )
        created["agreements"] += 1


def demo_totals() -> dict[str, int]:
    return {
        "departments": Department.objects.count(),
        "centres": ServiceCenter.objects.count(),
        "windows": Window.objects.count(),
        "baselines": BaselineItem.objects.count(),
        "implementations": ItemImplementation.objects.count(),
        "versions_published": ItemVersion.objects.filter(status=VersionStatus.PUBLISHED).count(),
        "drafts": ItemVersion.objects.filter(status=VersionStatus.DRAFT).count(),
        "agreements": Agreement.objects.count(),
        "users": User.objects.count(),
    }
