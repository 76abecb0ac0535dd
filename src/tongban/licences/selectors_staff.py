"""Reads for the issuing department's staff (证照管理): the licences their departments
issued, one of them with its history and use log, and the operations its status allows.
A licence of another issuer does not exist for them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from tongban.accounts.models import Department, RoleGrant
from tongban.core.actors import Actor, SystemActor
from tongban.core.errors import NotAuthenticated, NotFound
from tongban.core.ids import validate_licence_id
from tongban.licences.models import Licence
from tongban.licences.services import ISSUER_ROLES
from tongban.licences.transitions import MANUAL, TRANSITIONS, LicenceOperation

LIST_LIMIT = 100


def issuer_departments(actor: Actor) -> list[Department]:
    """The departments whose licences ``actor`` may manage (a clerk, reviewer or approver
    grant on the department itself)."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    if isinstance(actor, SystemActor):
        return []
    ids = RoleGrant.objects.filter(
        user_id=actor.pk, role__in=ISSUER_ROLES, department__isnull=False
    ).values_list("department_id", flat=True)
    return list(Department.objects.filter(pk__in=ids).exclude(uscc="").order_by("name"))


def issued_licences(
    actor: Actor, *, query: str = "", status: str = "", issuer_code: str = ""
) -> tuple[list[Licence], bool]:
    """Up to LIST_LIMIT licences of the actor's departments, newest first; whether more
    matched. ``query`` matches the holder's name, code, the number or the identifier."""
    codes = [d.uscc for d in issuer_departments(actor)]
    if issuer_code:
        codes = [c for c in codes if c == issuer_code]
    qs: QuerySet[Licence] = Licence.objects.select_related("type").filter(issuer_code__in=codes)
    if status:
        qs = qs.filter(status=status)
    query = query.strip()
    if query:
        qs = qs.filter(
            Q(holder_name__contains=query)
            | Q(holder_code=query.upper())
            | Q(number=query)
            | Q(identifier=query)
        )
    rows = list(qs.order_by("-issue_date", "-id")[: LIST_LIMIT + 1])
    return rows[:LIST_LIMIT], len(rows) > LIST_LIMIT


def issued_licence(actor: Actor, identifier: str) -> Licence:
    ident = validate_licence_id(identifier)
    codes = [d.uscc for d in issuer_departments(actor)]
    licence = (
        Licence.objects.select_related("type", "predecessor")
        .filter(identifier=ident, issuer_code__in=codes)
        .first()
    )
    if licence is None:
        raise NotFound("电子证照", field="licence_id")
    return licence


@dataclass(frozen=True)
class OperationChoice:
    operation: str
    label: str
    reason_required: bool


def allowed_operations(licence: Licence) -> list[OperationChoice]:
    """The manual operations the licence's status allows, in the table's order."""
    return [
        OperationChoice(op, LicenceOperation(op).label, move.reason_required)
        for op, move in TRANSITIONS.items()
        if op in MANUAL and licence.status in move.sources
    ]
