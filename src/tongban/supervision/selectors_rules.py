"""Reads for the 预警规则 page: the implementations in a supervisor's regions with their
warning rule (split from ``selectors`` to keep modules small)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q

from tongban.core.actors import Actor
from tongban.core.errors import NotFound
from tongban.supervision import access
from tongban.supervision.models import WarningRule
from tongban.supervision.rules import DEFAULT_YELLOW_DAYS, DEFAULT_YELLOW_PERCENT
from tongban.supervision.selectors import _region_q


@dataclass
class RuleRow:
    """One implementation on the warning-rule settings page: its own rule, if any."""

    implementation: Any  # catalog.ItemImplementation (current_version, department loaded)
    rule: WarningRule | None

    @property
    def yellow_days(self) -> int:
        return self.rule.yellow_days if self.rule else DEFAULT_YELLOW_DAYS

    @property
    def yellow_percent(self) -> int:
        return self.rule.yellow_percent if self.rule else DEFAULT_YELLOW_PERCENT

    @property
    def step_timers(self) -> bool:
        return self.rule.step_timers if self.rule else True


RULES_PAGE_LIMIT = 100


def warning_rules(actor: Actor, *, q: str = "") -> tuple[list[RuleRow], int]:
    """Implementations in the supervisor's regions (matching ``q`` in the item name or
    implementation code), at most RULES_PAGE_LIMIT, with their warning rule; and how
    many matched in all."""
    regions = access.require_supervisor(actor)
    impls = apps.get_model("catalog", "ItemImplementation").objects.filter(
        _region_q(regions, "region__code")
    )
    q = q.strip()[:100]
    if q:
        impls = impls.filter(Q(current_version__name__icontains=q) | Q(task_code__icontains=q))
    total = impls.count()
    page = list(
        impls.select_related("current_version", "department", "region").order_by(
            "region_id", "department__name", "task_code"
        )[:RULES_PAGE_LIMIT]
    )
    rules_by_impl = {
        r.implementation_id: r
        for r in WarningRule.objects.filter(implementation__in=[i.pk for i in page])
    }
    return [RuleRow(i, rules_by_impl.get(i.pk)) for i in page], total


def warning_rule_target(actor: Actor, implementation_id: int) -> Any:
    """An implementation in the supervisor's regions, or NotFound."""
    regions = access.require_supervisor(actor)
    impl = (
        apps.get_model("catalog", "ItemImplementation")
        .objects.filter(_region_q(regions, "region__code"), pk=implementation_id)
        .first()
    )
    if impl is None:
        raise NotFound("事项")
    return impl
