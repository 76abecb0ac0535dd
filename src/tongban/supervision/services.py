"""Writes of 电子监察: warning rules, 督办 (issue → reply → close) and closing cards.

Every function owns its transaction, checks who acts, appends to the card's history and
raises coded errors (``tongban.core.errors``)."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from tongban.accounts.models import Role, RoleGrant
from tongban.accounts.services import require_role
from tongban.catalog.models import ItemImplementation
from tongban.core.actors import Actor, SystemActor
from tongban.core.calendar import WorkCalendar, add_working_days
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.core.jobs import enqueue
from tongban.notifications.models import Notification
from tongban.supervision import access
from tongban.supervision.models import (
    Card,
    CardEvent,
    CardStatus,
    Escalation,
    EscalationStatus,
    WarningRule,
)
from tongban.supervision.transitions import ADDRESSEE, ESCALATION_MOVES, SUPERVISOR

TEXT_MAX = 2000
REPLY_DAYS_MAX = 30


def _name(actor: Actor) -> str:
    if isinstance(actor, SystemActor):
        return "系统"
    return str(actor)


def _user_id(actor: Actor) -> int | None:
    return None if isinstance(actor, SystemActor) else actor.pk


def _event(
    card: Card,
    action: str,
    actor: Actor,
    at: datetime,
    note: str = "",
    esc: Escalation | None = None,
) -> CardEvent:
    return CardEvent.objects.create(
        card=card,
        escalation=esc,
        action=action,
        actor_id=_user_id(actor),
        actor_name=_name(actor),
        at=at,
        note=note,
    )


def _system_user_id() -> int:
    """督办 are issued by people; SYSTEM (tests, the demo) is not one."""
    raise PermissionDenied("permission_denied", "督办须由监察人员发起")


def _text(value: str, code: str, field: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(code, field=field)
    if len(value) > TEXT_MAX:
        raise ValidationFailed("text_too_long", field=field)
    return value


def _notify(user_ids: set[int], subject: str, body: str) -> None:
    for uid in sorted(user_ids):
        n = Notification.objects.create(recipient_id=uid, subject=subject, body=body)
        enqueue("notifications.send", {"id": n.pk})


def _addressee_users(department_id: int | None, window_id: int | None) -> set[int]:
    qs = RoleGrant.objects.none()
    if department_id:
        qs = RoleGrant.objects.filter(
            department_id=department_id, role__in=[Role.APPROVER, Role.REVIEWER, Role.CLERK]
        )
    elif window_id:
        qs = RoleGrant.objects.filter(window_id=window_id, role=Role.CLERK)
    return set(qs.values_list("user_id", flat=True))


# ---- warning rules ----------------------------------------------------------------


def warning_rule_set(
    *,
    actor: Actor,
    implementation: ItemImplementation,
    yellow_days: int,
    yellow_percent: int,
    step_timers: bool = True,
) -> WarningRule:
    """Set the yellow-card thresholds of one implementation (a supervisor or catalogue
    administrator of its region)."""
    try:
        require_role(actor, Role.SUPERVISOR, region_code=implementation.region_id)
    except PermissionDenied:
        require_role(actor, Role.CATALOG_ADMIN, region_code=implementation.region_id)
    if not 0 <= yellow_days <= 60:
        raise ValidationFailed("warning_rule_invalid", field="yellow_days")
    if not 0 <= yellow_percent <= 100:
        raise ValidationFailed("warning_rule_invalid", field="yellow_percent")
    with transaction.atomic():
        rule, _ = WarningRule.objects.update_or_create(
            implementation=implementation,
            defaults={
                "yellow_days": yellow_days,
                "yellow_percent": yellow_percent,
                "step_timers": step_timers,
                "updated_by_id": _user_id(actor),
            },
        )
    return rule


# ---- cards ------------------------------------------------------------------------


def card_close(*, actor: Actor, card: Card, note: str) -> Card:
    """A supervisor closes a card after checking it (e.g. an anomaly explained)."""
    access.require_supervises_card(actor, card)
    note = _text(note, "note_required", "note")
    with transaction.atomic():
        locked = Card.objects.select_for_update().get(pk=card.pk)
        if locked.status == CardStatus.CLOSED:
            raise Conflict("card_closed")
        if locked.escalations.exclude(status=EscalationStatus.CLOSED).exists():
            raise Conflict("escalation_active")
        now = timezone.now()
        locked.status = CardStatus.CLOSED
        locked.resolved_at = locked.resolved_at or now
        locked.save(update_fields=["status", "resolved_at"])
        _event(locked, "close", actor, now, note)
    return locked


# ---- 督办 ---------------------------------------------------------------------------


def escalation_issue(
    *,
    actor: Actor,
    card: Card,
    request: str,
    reply_days: int,
    today: date,
    cal: WorkCalendar,
) -> Escalation:
    """A supervisor asks the card's responsible unit to act, replying within
    ``reply_days`` working days."""
    access.require_supervises_card(actor, card)
    request = _text(request, "escalation_request_required", "request")
    if not 1 <= reply_days <= REPLY_DAYS_MAX:
        raise ValidationFailed("escalation_reply_days", field="reply_days")
    if card.department_id is None and card.window_id is None:
        raise ValidationFailed("escalation_no_addressee")
    deadline = add_working_days(cal, today, reply_days)  # calendar_beyond_known if unknown
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = Card.objects.select_for_update().get(pk=card.pk)
            if locked.status == CardStatus.CLOSED:
                raise Conflict("card_closed")
            esc = Escalation.objects.create(
                card=locked,
                case_id=locked.case_id,
                department_id=locked.department_id,
                window_id=locked.window_id,
                request=request,
                reply_days=reply_days,
                reply_deadline=deadline,
                issued_by_id=_user_id(actor) or _system_user_id(),
                issued_at=now,
            )
            _event(locked, "escalate", actor, now, request, esc)
            number = locked.case.case_number
            _notify(
                _addressee_users(locked.department_id, locked.window_id),
                "督办通知",
                f"【通办】办件 {number} 被督办：{request}。请于 {deadline:%Y年%-m月%-d日} 前答复。",
            )
    except IntegrityError as exc:  # the partial unique index: one open 督办 per card
        raise Conflict("escalation_active") from exc
    return esc


def _escalation_move(
    *, actor: Actor, escalation: Escalation, to: str, text: str, today: date | None = None
) -> Escalation:
    """The one write path of a 督办's status."""
    with transaction.atomic():
        esc = (
            Escalation.objects.select_for_update()
            .select_related("card", "case")
            .get(pk=escalation.pk)
        )
        moves = ESCALATION_MOVES[esc.status]
        if esc.status == EscalationStatus.CLOSED:
            raise Conflict("escalation_closed")
        if to not in moves:
            code = "escalation_already_replied" if to == EscalationStatus.REPLIED else None
            raise Conflict(code or "illegal_transition")
        who, action = moves[to]
        if who == SUPERVISOR:
            access.require_supervises_card(actor, esc.card)
        elif (
            who == ADDRESSEE
            and not isinstance(actor, SystemActor)
            and not access.is_addressee(
                actor, department_id=esc.department_id, window_id=esc.window_id
            )
        ):
            raise PermissionDenied("escalation_not_addressee")
        now = timezone.now()
        if to == EscalationStatus.REPLIED:
            esc.reply, esc.replied_by_id, esc.replied_at = text, _user_id(actor), now
            esc.replied_late = (today or timezone.localdate()) > esc.reply_deadline
        else:
            esc.outcome, esc.closed_by_id, esc.closed_at = text, _user_id(actor), now
        esc.status = to
        esc.save()
        _event(esc.card, action, actor, now, text, esc)
        if to == EscalationStatus.REPLIED:
            _notify(
                {esc.issued_by_id},
                "督办已答复",
                f"【通办】办件 {esc.case.case_number} 的督办已答复：{text}",
            )
    return esc


def escalation_reply(
    *, actor: Actor, escalation: Escalation, reply: str, today: date | None = None
) -> Escalation:
    """The responsible department (or window) answers a 督办. After closure: a coded
    ``escalation_closed`` error."""
    reply = _text(reply, "escalation_reply_required", "reply")
    return _escalation_move(
        actor=actor, escalation=escalation, to=EscalationStatus.REPLIED, text=reply, today=today
    )


def escalation_close(
    *, actor: Actor, escalation: Escalation, outcome: str, close_card: bool = False
) -> Escalation:
    """The supervisor closes the loop (usually after the reply), optionally closing the
    card too."""
    outcome = _text(outcome, "escalation_outcome_required", "outcome")
    esc = _escalation_move(
        actor=actor, escalation=escalation, to=EscalationStatus.CLOSED, text=outcome
    )
    if close_card and esc.card.status != CardStatus.CLOSED:
        card_close(actor=actor, card=esc.card, note=outcome)
    return esc
