"""Carry out a checked import plan in one transaction, through the catalogue services.

Each row runs in its own savepoint so that a rule only the services can check (an
overlapping validity period, say) is reported for every row it hits; if anything
failed — or on a dry run — the whole transaction is rolled back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date

from django.db import IntegrityError, transaction

from tongban.accounts.models import Department
from tongban.accounts.services import department_create
from tongban.catalog.io.checks import BaselinePlan, Checked
from tongban.catalog.io.plan import CHILD_INPUTS, ItemPlan, Plan
from tongban.catalog.models import BaselineItem, ItemImplementation
from tongban.catalog.services import (
    baseline_upsert,
    implementation_create,
    version_create_draft,
    version_publish,
)
from tongban.core.actors import Actor
from tongban.core.errors import TongbanError, ValidationFailed


def _upsert_baseline(actor: Actor, bp: BaselinePlan) -> BaselineItem:
    if bp.unchanged():
        assert bp.existing is not None
        return bp.existing
    v = bp.values
    return baseline_upsert(
        actor=actor,
        catalog_code=bp.catalog_code,
        name=v["baseline_name"],
        item_type=v["item_type"],
        legal_basis=v["baseline_legal_basis"],
        competent_department=v["competent_department"],
        use_levels=v["use_levels"],
        high_risk=bool(v["high_risk"]),
        parent_code=v["parent_code"] or None,
    )


def write_plan(
    plan: Plan,
    checked: Checked,
    *,
    actor: Actor,
    publish: bool,
    today: date | None,
    dry_run: bool,
    progress: Callable[[int], None] | None = None,
) -> Counter[str]:
    """Write everything or nothing; errors found on the way go to ``plan.errors``."""
    counts: Counter[str] = Counter()
    first_row: dict[str, ItemPlan] = {}
    for item in plan.items:
        first_row.setdefault(item.catalog_code, item)
        first_row.setdefault(item.uscc, item)
    with transaction.atomic():
        baselines: dict[str, BaselineItem] = {}
        for bp in checked.baselines:
            try:
                with transaction.atomic():
                    baselines[bp.catalog_code] = _upsert_baseline(actor, bp)
            except TongbanError as exc:
                plan.item_error(first_row[bp.catalog_code], exc)
                continue
            if not bp.unchanged():
                counts["baselines_updated" if bp.existing else "baselines_created"] += 1
        departments = {
            d.uscc: d
            for d in Department.objects.filter(uscc__in=[d.uscc for d in checked.departments])
        }
        for dp in checked.departments:
            if dp.uscc in departments:
                continue
            try:
                with transaction.atomic():
                    departments[dp.uscc] = department_create(
                        name=dp.name, uscc=dp.uscc, region_code=dp.region_code, level=dp.level
                    )
                counts["departments"] += 1
            except TongbanError as exc:
                plan.item_error(first_row[dp.uscc], exc)
        impls = {
            i.task_code: i
            for i in ItemImplementation.objects.select_related("department").filter(
                task_code__in={i.task_code for i in plan.items}
            )
        }
        for n, item in enumerate(plan.items, start=1):
            baseline = baselines.get(item.catalog_code)
            department = departments.get(item.uscc)
            if baseline is not None and department is not None:
                _write_item(plan, item, actor, baseline, department, impls, counts, publish, today)
            if progress:
                progress(n)
        if plan.errors or dry_run:
            transaction.set_rollback(True)
    return counts


def _write_item(
    plan: Plan,
    item: ItemPlan,
    actor: Actor,
    baseline: BaselineItem,
    department: Department,
    impls: dict[str, ItemImplementation],
    counts: Counter[str],
    publish: bool,
    today: date | None,
) -> None:
    assert item.elements is not None
    try:
        with transaction.atomic():
            impl = impls.get(item.task_code)
            created = impl is None
            if impl is None:
                impl = implementation_create(
                    actor=actor, baseline=baseline, department=department, use_level=item.use_level
                )
            # The baseline may just have changed (e.g. 高风险); the services read it.
            impl.baseline = baseline
            version = version_create_draft(actor=actor, implementation=impl, elements=item.elements)
            if publish and item.publish:
                version_publish(actor=actor, version=version, today=today)
    except TongbanError as exc:
        plan.item_error(item, exc)
        return
    except IntegrityError:
        plan.item_error(item, ValidationFailed("conflict"))
        return
    impls[item.task_code] = impl
    counts["implementations"] += int(created)
    counts["versions"] += 1
    counts["published"] += int(publish and item.publish)
    for coll in CHILD_INPUTS:
        counts[coll] += len(getattr(item.elements, coll))
