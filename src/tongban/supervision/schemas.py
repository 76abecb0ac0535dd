"""API input/output of 电子监察."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Field, Schema

from tongban.supervision.models import Card, Escalation
from tongban.supervision.rules import rule_label


class CardOut(Schema):
    id: int
    kind: str
    kind_label: str
    rule: str
    rule_label: str
    ref_date: date
    segment: str
    status: str
    case_number: str | None
    region_code: str
    department_id: int | None
    window_id: int | None
    raised_at: datetime

    @staticmethod
    def of(c: Card) -> CardOut:
        return CardOut(
            id=c.pk,
            kind=c.kind,
            kind_label=c.get_kind_display(),
            rule=c.rule,
            rule_label=rule_label(c.rule),
            ref_date=c.ref_date,
            segment=c.segment,
            status=c.status,
            case_number=c.case.case_number,
            region_code=c.region_id,
            department_id=c.department_id,
            window_id=c.window_id,
            raised_at=c.raised_at,
        )


class EscalationIn(Schema):
    request: str = Field(description="督办要求")
    reply_days: int = Field(description="答复时限（工作日，1–30）")


class ReplyIn(Schema):
    reply: str = Field(description="答复内容")


class CloseIn(Schema):
    outcome: str = Field(description="办结意见")
    close_card: bool = False


class EscalationOut(Schema):
    id: int
    card_id: int
    status: str
    request: str
    reply_deadline: date
    reply: str
    replied_late: bool
    outcome: str

    @staticmethod
    def of(e: Escalation) -> EscalationOut:
        return EscalationOut(
            id=e.pk,
            card_id=e.card_id,
            status=e.status,
            request=e.request,
            reply_deadline=e.reply_deadline,
            reply=e.reply,
            replied_late=e.replied_late,
            outcome=e.outcome,
        )
