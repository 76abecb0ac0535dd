"""Object-level authorisation for cases: which roles an actor holds *for this case*.

- applicant: the user the case belongs to — the account that applied online, or a
  real-name account (its 公民身份号码 set by the identity provider, as for the licence
  wallet) for the applications a window took in for that person (``_own_by_identity``:
  submitted, not a record this node handles for another node);
- clerk: a clerk of the window that took the case in, or a clerk of the deciding
  department (its own acceptance window);
- reviewer / approver: staff of the deciding department;
- supervisor: a supervisor whose region covers the intake or the handling region
  (read only: supervisors make no moves).
A draft is private to whoever is writing it (the applicant, or the window taking it in):
it reaches the deciding department and supervisors only once submitted.
Selectors apply the same rules as query filters (``visible_cases``), so a list can never
show what a detail page would refuse.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from tongban.accounts.models import Role, RoleGrant
from tongban.cases.models import ApplicantKind, Case
from tongban.cases.transitions import APPLICANT, SYSTEM, CaseStatus
from tongban.core.actors import Actor, SystemActor
from tongban.core.errors import NotAuthenticated, NotFound
from tongban.regions.codes import covers, prefix


def _grants(actor: Actor) -> list[RoleGrant]:
    cached: list[RoleGrant] | None = getattr(actor, "_tongban_grants", None)
    if cached is None:
        cached = list(actor.grants.select_related("window", "window__center"))
        actor._tongban_grants = cached
    return cached


def _own_by_identity(actor: Actor, case: Case) -> bool:
    """A window-taken application of the person whose real-name account ``actor`` is."""
    code = getattr(actor, "id_number", "") or ""
    return (
        bool(code)
        and case.applicant_user_id is None
        and case.applicant_kind == ApplicantKind.PERSON
        and case.applicant_code == code
        and case.status != CaseStatus.DRAFT
        and not case.handled_for_node
    )


def applicant_filter(actor: Actor) -> Q:
    """The cases ``actor`` holds the applicant role for, as a filter (twin of the
    applicant branch of ``case_roles``)."""
    cond = Q(applicant_user_id=actor.pk)
    code = getattr(actor, "id_number", "") or ""
    if code:
        cond |= Q(
            applicant_user__isnull=True,
            applicant_kind=ApplicantKind.PERSON,
            applicant_code=code,
            handled_for_node="",
        ) & ~Q(status=CaseStatus.DRAFT)
    return cond


def case_roles(actor: Actor, case: Case) -> set[str]:
    """The roles ``actor`` holds for ``case`` (empty: no access at all)."""
    if isinstance(actor, SystemActor):
        return {SYSTEM}
    if actor is None or not actor.is_authenticated:
        return set()
    roles: set[str] = set()
    if (
        case.applicant_user_id is not None and case.applicant_user_id == actor.pk
    ) or _own_by_identity(actor, case):
        roles.add(APPLICANT)
    routed = case.status != CaseStatus.DRAFT
    for g in _grants(actor):
        own_window = g.window_id is not None and g.window_id == case.intake_window_id
        dept_id = g.department_id
        own_dept = routed and dept_id is not None and dept_id == case.handling_department_id
        if g.role == Role.CLERK and (own_window or own_dept):
            roles.add(Role.CLERK)
        elif g.role in (Role.REVIEWER, Role.APPROVER) and own_dept:
            roles.add(g.role)
        elif (
            g.role == Role.SUPERVISOR
            and routed
            and (
                covers(g.region_id, case.handling_region_id)
                or covers(g.region_id, case.intake_region_id)
            )
        ):
            roles.add(Role.SUPERVISOR)
    return roles


def require_case_access(actor: Actor, case: Case) -> set[str]:
    """Roles for the case, or NotFound — a case you may not see does not exist for you."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    roles = case_roles(actor, case)
    if not roles:
        raise NotFound("办件")
    return roles


def visible_cases(actor: Actor) -> QuerySet[Case]:
    """Every case ``actor`` may see, as one query (the list-side twin of case_roles)."""
    qs = Case.objects.all()
    if isinstance(actor, SystemActor):
        return qs
    if actor is None or not actor.is_authenticated:
        return qs.none()
    cond = applicant_filter(actor)
    routed = ~Q(status=CaseStatus.DRAFT)
    for g in _grants(actor):
        if g.role == Role.CLERK:
            if g.window_id is not None:
                cond |= Q(intake_window_id=g.window_id)
            if g.department_id is not None:
                cond |= Q(handling_department_id=g.department_id) & routed
        elif g.role in (Role.REVIEWER, Role.APPROVER) and g.department_id is not None:
            cond |= Q(handling_department_id=g.department_id) & routed
        elif g.role == Role.SUPERVISOR:
            p = prefix(g.region_id)
            cond |= (
                Q(handling_region__code__startswith=p) | Q(intake_region__code__startswith=p)
            ) & routed
    return qs.filter(cond)


def staff_department_ids(actor: Actor) -> list[int]:
    """Departments whose routed cases the actor works on (clerk, reviewer, approver)."""
    if isinstance(actor, SystemActor) or actor is None or not actor.is_authenticated:
        return []
    staff = (Role.CLERK, Role.REVIEWER, Role.APPROVER)
    return sorted({g.department_id for g in _grants(actor) if g.role in staff and g.department_id})


def department_cases(actor: Actor, department_id: int) -> QuerySet[Case] | None:
    """The routed cases of a department the actor staffs, as a plain filter; None when the
    actor does not staff it (then use ``visible_cases``).

    Same rows as ``visible_cases`` restricted to the department, except the actor's own
    drafts there (those are under 我的办件). Without the OR of ``visible_cases`` the
    database can walk the department's deadline index in order.
    """
    if department_id not in staff_department_ids(actor):
        return None
    return Case.objects.filter(handling_department_id=department_id).exclude(
        status=CaseStatus.DRAFT
    )


def window_cases(actor: Actor, window_id: int) -> QuerySet[Case] | None:
    """Every case taken in at a window the actor is a clerk of; None otherwise."""
    if isinstance(actor, SystemActor) or not window_clerk(actor, window_id):
        return None
    return Case.objects.filter(intake_window_id=window_id)


def window_clerk(actor: Actor, window_id: int) -> bool:
    """May ``actor`` take in applications at this window (a clerk grant for it)?"""
    if isinstance(actor, SystemActor):
        return True
    if actor is None or not actor.is_authenticated:
        return False
    return any(g.role == Role.CLERK and g.window_id == window_id for g in _grants(actor))
