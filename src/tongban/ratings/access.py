"""Who may do what with ratings and rectifications.

- Online (一事一评): only the applicant the case belongs to rates it.
- Window evaluator (一次一评): a clerk of the case's intake window opens the screen and
  the applicant rates on it; the rating is still the applicant's (``applicant_code``).
- A rectification is worked by the responsible side: reviewers and approvers of the
  rated department (the department head is an approver), or staff of the rated window;
  supervisors whose region covers it review closures and rule on appeals.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tongban.accounts.models import Role, RoleGrant
from tongban.cases.models import Case
from tongban.core.actors import Actor, SystemActor
from tongban.core.errors import NotAuthenticated, PermissionDenied
from tongban.ratings.models import Rectification
from tongban.ratings.transitions import DEPT, SUPERVISOR, SYSTEM
from tongban.regions.codes import covers, prefix

DEPT_ROLES = (Role.REVIEWER, Role.APPROVER)


def _grants(actor: Actor) -> list[RoleGrant]:
    cached: list[RoleGrant] | None = getattr(actor, "_tongban_rating_grants", None)
    if cached is None:
        cached = list(actor.grants.all())
        actor._tongban_rating_grants = cached
    return cached


def require_login(actor: Actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()


def require_own_case(actor: Actor, case: Case | None) -> Case:
    """The applicant's own case; anything else (including a case that does not exist)
    is ``rating_not_own_case``, so numbers cannot be probed."""
    require_login(actor)
    if case is None or case.applicant_user_id is None or case.applicant_user_id != actor.pk:
        raise PermissionDenied("rating_not_own_case", field="case_number")
    return case


def require_window_clerk(actor: Actor, case: Case | None) -> Case:
    require_login(actor)
    if case is not None and not isinstance(actor, SystemActor):
        for g in _grants(actor):
            if g.role == Role.CLERK and g.window_id and g.window_id == case.intake_window_id:
                return case
    if isinstance(actor, SystemActor) and case is not None:
        return case
    raise PermissionDenied("rating_not_window_case", field="case_number")


def rectification_roles(actor: Actor, rect: Rectification) -> set[str]:
    if isinstance(actor, SystemActor):
        return {SYSTEM}
    if actor is None or not actor.is_authenticated:
        return set()
    roles: set[str] = set()
    for g in _grants(actor):
        if g.role == Role.SUPERVISOR:
            if covers(g.region_id, rect.region_id):
                roles.add(SUPERVISOR)
            continue
        own_dept = g.role in DEPT_ROLES and g.department_id == rect.department_id
        own_window = g.window_id is not None and g.window_id == rect.window_id
        if (rect.department_id and own_dept) or (rect.window_id and own_window):
            roles.add(DEPT)
    return roles


def visible_rectifications(actor: Actor) -> QuerySet[Rectification]:
    qs = Rectification.objects.all()
    if isinstance(actor, SystemActor):
        return qs
    if actor is None or not actor.is_authenticated:
        return qs.none()
    cond = Q(pk__in=[])
    for g in _grants(actor):
        if g.role in DEPT_ROLES and g.department_id:
            cond |= Q(department_id=g.department_id)
        if g.window_id and g.role != Role.SUPERVISOR:
            cond |= Q(window_id=g.window_id)
        if g.role == Role.SUPERVISOR:
            cond |= Q(region__code__startswith=prefix(g.region_id))
    return qs.filter(cond)


def is_rating_staff(actor: Actor) -> bool:
    """Whether the actor has any queue of rectifications (for navigation)."""
    if isinstance(actor, SystemActor):
        return True
    if actor is None or not actor.is_authenticated:
        return False
    return any(
        g.role in DEPT_ROLES or g.role == Role.SUPERVISOR or g.window_id for g in _grants(actor)
    )
