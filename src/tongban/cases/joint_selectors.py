"""Reads for cases across nodes and 多地联办: counting applications once, a parent's parts.

Counted once (ADR 0010): an application counts at the node that took it in. A record
this node decides for another node (``handled_for_node``) and a 多地联办 part (``parent``)
never add to the count; drafts are not applications yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from tongban.accounts.models import Window
from tongban.cases.access import require_case_access
from tongban.cases.joint import PartState, combined_target, part_state
from tongban.cases.models import Case, CaseMode
from tongban.cases.selectors import local_day
from tongban.cases.transitions import CaseStatus
from tongban.catalog.agreements import window_rights
from tongban.catalog.models import ItemImplementation
from tongban.core.actors import Actor
from tongban.core.errors import ValidationFailed
from tongban.regions.codes import prefix


def counted_applications() -> QuerySet[Case]:
    """The cases that are applications of this node (the statistics' base set)."""
    return Case.objects.filter(handled_for_node="", parent__isnull=True).exclude(
        status=CaseStatus.DRAFT
    )


def application_count(
    *,
    intake_region: str | None = None,
    submitted_from: date | None = None,
    submitted_to: date | None = None,
    mode: str | None = None,
) -> int:
    """Applications taken in on this node (optionally: within an intake region, submitted
    between two days inclusive, of one 通办 mode) — each counted once."""
    qs = counted_applications()
    if intake_region:
        qs = qs.filter(intake_region__code__startswith=prefix(intake_region))
    if submitted_from:
        qs = qs.filter(submitted_at__gte=local_day(submitted_from)[0])
    if submitted_to:
        qs = qs.filter(submitted_at__lt=local_day(submitted_to)[1])
    if mode:
        qs = qs.filter(mode=mode)
    return qs.count()


@dataclass(frozen=True)
class PartRow:
    case: Case
    state: PartState
    node: str  # the deciding node ("" = this node)
    remote_number: str


@dataclass(frozen=True)
class JointView:
    parent: Case
    parts: list[PartRow]
    decision: str | None
    failed: int


def joint_view(actor: Actor, parent: Case) -> JointView:
    """A 多地联办 application and its parts, for someone who may see the application."""
    require_case_access(actor, parent)
    if parent.mode != CaseMode.JOINT or parent.parent_id is not None:
        raise ValidationFailed("not_joint_application", field="ref")
    parts = list(parent.parts.select_related("handling_region").order_by("pk"))
    rows = [PartRow(p, part_state(p), p.remote_node, p.remote_case_number) for p in parts]
    combined = combined_target([r.state for r in rows])
    # Withdrawn whole (joint_withdraw): that is the outcome, not a combined refusal.
    withdrawn = parent.status == CaseStatus.WITHDRAWN
    decision = CaseStatus.WITHDRAWN.value if withdrawn else combined.decision
    return JointView(parent, rows, decision, len(combined.failed))


@dataclass(frozen=True)
class JointItem:
    task_code: str
    name: str
    region_name: str
    department_name: str
    local: bool


def joint_items(*, window: Window, on: date) -> list[JointItem]:
    """Items in force that ``window`` may take in as a part of a 多地联办 application
    (its own region's items, or items an agreement opens to it in joint mode)."""
    out: list[JointItem] = []
    qs = ItemImplementation.objects.select_related(
        "current_version", "region", "department"
    ).filter(current_version__mode_joint=True)
    for impl in qs.order_by("region_id", "task_code"):
        rights = window_rights(window=window, implementation=impl, on=on)
        if rights.allowed and (rights.local or "joint" in rights.modes):
            v = impl.current_version
            assert v is not None
            out.append(
                JointItem(
                    impl.task_code, v.name, impl.region.name, impl.department.name, rights.local
                )
            )
    return out


def implementations_by_code(task_codes: list[str]) -> dict[str, ItemImplementation]:
    """The implementations a joint intake's parts name, with their current version."""
    return {
        i.task_code: i
        for i in ItemImplementation.objects.select_related("current_version").filter(
            task_code__in=task_codes
        )
    }
