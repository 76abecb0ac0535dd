"""Reads for e-licences: the holder's wallet, one licence with its history, the use log."""

from __future__ import annotations

from django.db.models import Case as DbCase
from django.db.models import QuerySet, Value, When

from tongban.core.actors import Actor
from tongban.core.errors import NotAuthenticated, NotFound
from tongban.core.ids import validate_licence_id
from tongban.licences.models import Licence, LicenceEvent, LicenceUse
from tongban.licences.transitions import LicenceStatus


def holder_codes(actor: Actor) -> list[str]:
    """The holder codes a user's wallet shows: their 公民身份号码 (organisations' licences
    appear once accounts carry a verified 统一社会信用代码 binding)."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAuthenticated()
    code = getattr(actor, "id_number", "") or ""
    return [code] if code else []


def wallet(actor: Actor) -> QuerySet[Licence]:
    """The holder's licences: valid ones first, then the rest, newest first."""
    current = DbCase(When(status=LicenceStatus.VALID, then=Value(0)), default=Value(1))
    return (
        Licence.objects.select_related("type")
        .filter(holder_code__in=holder_codes(actor))
        .order_by(current, "status", "-issue_date", "-id")
    )


def wallet_licence(actor: Actor, identifier: str) -> Licence:
    """One licence of the actor's own; anybody else's does not exist for them."""
    ident = validate_licence_id(identifier)
    licence = wallet(actor).select_related("predecessor").filter(identifier=ident).first()
    if licence is None:
        raise NotFound("电子证照", field="licence_id")
    return licence


def licence_history(licence: Licence) -> QuerySet[LicenceEvent]:
    return licence.events.order_by("at", "id")


def uses_of_holder(actor: Actor, *, limit: int = 200) -> QuerySet[LicenceUse]:
    return (
        LicenceUse.objects.select_related("licence__type", "case")
        .filter(holder_code__in=holder_codes(actor))
        .order_by("-at", "-id")[:limit]
    )


def uses_of_licence(licence: Licence) -> QuerySet[LicenceUse]:
    return licence.uses.select_related("case").order_by("-at", "-id")
