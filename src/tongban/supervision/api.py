"""电子监察 routes (/api/v1/supervision): cards and the 督办 loop. A session is required
(401 otherwise); cards and 督办 outside the caller's scope answer 404."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.security import django_auth

from tongban.core.calendar_store import work_calendar
from tongban.supervision import selectors, services
from tongban.supervision.schemas import CardOut, CloseIn, EscalationIn, EscalationOut, ReplyIn

router = Router(tags=["supervision"], auth=django_auth)


class CardParams(Schema):
    status: str | None = None
    kind: str | None = None


@router.get(
    "/cards", response=list[CardOut], summary="预警牌列表（监察人员按辖区，部门人员按本单位）"
)
def cards(request: HttpRequest, params: Query[CardParams]) -> list[CardOut]:
    rows = selectors.cards_list(request.user, status=params.status, kind=params.kind)
    return [CardOut.of(c) for c in rows]


@router.post("/cards/{card_id}/escalations", response={201: EscalationOut}, summary="发起督办")
def escalate(request: HttpRequest, card_id: int, body: EscalationIn) -> Status:
    card = selectors.card_get(request.user, card_id)
    esc = services.escalation_issue(
        actor=request.user,
        card=card,
        request=body.request,
        reply_days=body.reply_days,
        today=timezone.localdate(),
        cal=work_calendar(),
    )
    return Status(201, EscalationOut.of(esc))


@router.post("/escalations/{escalation_id}/reply", response=EscalationOut, summary="答复督办")
def reply(request: HttpRequest, escalation_id: int, body: ReplyIn) -> EscalationOut:
    esc = selectors.escalation_get(request.user, escalation_id)
    return EscalationOut.of(
        services.escalation_reply(actor=request.user, escalation=esc, reply=body.reply)
    )


@router.post("/escalations/{escalation_id}/close", response=EscalationOut, summary="办结督办")
def close(request: HttpRequest, escalation_id: int, body: CloseIn) -> EscalationOut:
    esc = selectors.escalation_get(request.user, escalation_id)
    return EscalationOut.of(
        services.escalation_close(
            actor=request.user, escalation=esc, outcome=body.outcome, close_card=body.close_card
        )
    )
