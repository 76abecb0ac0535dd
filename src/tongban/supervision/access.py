"""Who may see and act on cards and 督办.

- supervisor: a supervisor whose region covers the case's intake or handling region
  (the same rule as ``cases.access``);
- addressee: staff of the card's department (clerk, reviewer, approver) or clerks of its
  window — they answer 督办 and see their own cards.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tongban.accounts.models import Role
from tongban.cases.access import _grants
from tongban.core.actors import Actor, SystemActor
from tongban.core.errors import NotAuthenticated, PermissionDenied
from tongban.regions.codes import covers, prefix
from tongban.supervision.models import Card

_DEPT_STAFF = (Role.CLERK, Role.REVIEWER, Role.APPROVER)


def _authenticated(actor: Actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()


def supervisor_regions(actor: Actor) -> list[str]:
    if isinstance(actor, SystemActor):
        return []
    _authenticated(actor)
    return sorted({g.region_id for g in _grants(actor) if g.role == Role.SUPERVISOR})


def is_supervisor(actor: Actor) -> bool:
    return isinstance(actor, SystemActor) or bool(supervisor_regions(actor))


def require_supervisor(actor: Actor) -> list[str]:
    """The actor's supervised regions (empty for SYSTEM, which sees everything)."""
    regions = supervisor_regions(actor)
    if not regions and not isinstance(actor, SystemActor):
        raise PermissionDenied("permission_denied", "电子监察仅向监察人员开放")
    return regions


def supervises(actor: Actor, *, intake_region: str, handling_region: str) -> bool:
    if isinstance(actor, SystemActor):
        return True
    return any(
        covers(r, intake_region) or covers(r, handling_region) for r in supervisor_regions(actor)
    )


def require_supervises_card(actor: Actor, card: Card) -> None:
    require_supervisor(actor)
    case = card.case
    if not supervises(
        actor, intake_region=case.intake_region_id, handling_region=case.handling_region_id
    ):
        raise PermissionDenied("region_scope")


def addressee_units(actor: Actor) -> tuple[set[int], set[int]]:
    """(department ids, window ids) whose cards and 督办 the actor answers."""
    if isinstance(actor, SystemActor) or actor is None or not actor.is_authenticated:
        return set(), set()
    depts = {g.department_id for g in _grants(actor) if g.role in _DEPT_STAFF and g.department_id}
    windows = {g.window_id for g in _grants(actor) if g.role == Role.CLERK and g.window_id}
    return depts, windows


def is_addressee(actor: Actor, *, department_id: int | None, window_id: int | None) -> bool:
    depts, windows = addressee_units(actor)
    return (department_id is not None and department_id in depts) or (
        window_id is not None and window_id in windows
    )


def region_filter(regions: list[str], *, intake: str, handling: str) -> Q:
    """Rows whose intake or handling region lies in one of ``regions``."""
    cond = Q(pk__in=[])
    for r in regions:
        p = prefix(r)
        cond |= Q(**{f"{handling}__startswith": p}) | Q(**{f"{intake}__startswith": p})
    return cond


def visible_cards(actor: Actor) -> QuerySet[Card]:
    """Cards the actor may see: as supervisor by region, as addressee by unit."""
    _authenticated(actor)
    qs = Card.objects.all()
    if isinstance(actor, SystemActor):
        return qs
    cond = Q(pk__in=[])
    regions = supervisor_regions(actor)
    if regions:
        cond |= region_filter(
            regions, intake="intake_region__code", handling="handling_region__code"
        )
    depts, windows = addressee_units(actor)
    if depts:
        cond |= Q(department_id__in=depts)
    if windows:
        cond |= Q(window_id__in=windows)
    return qs.filter(cond)
