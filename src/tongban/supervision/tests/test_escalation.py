from datetime import date

import pytest

from tongban.core.calendar_store import work_calendar
from tongban.core.errors import Conflict, PermissionDenied, ValidationFailed
from tongban.notifications.models import Notification
from tongban.supervision.models import CardStatus, Escalation
from tongban.supervision.scanner import cards_scan
from tongban.supervision.selectors import card_history
from tongban.supervision.services import (
    card_close,
    escalation_close,
    escalation_issue,
    escalation_reply,
)
from tongban.testing import make_user

pytestmark = pytest.mark.django_db


def _issue(late, **kw):  # type: ignore[no-untyped-def]
    args = {"request": "请说明超期原因并于期限内办结", "reply_days": 3}
    args.update(kw)
    return escalation_issue(
        actor=late.supervisor, card=late.card, today=date(2026, 3, 10), cal=work_calendar(), **args
    )


def test_issue_reply_close_loop(late) -> None:  # type: ignore[no-untyped-def]
    esc = _issue(late)
    assert esc.reply_deadline == date(2026, 3, 13) and esc.department_id == late.world.dept.pk
    assert Notification.objects.filter(recipient=late.world.approver, subject="督办通知").exists()
    esc = escalation_reply(
        actor=late.world.approver,
        escalation=esc,
        reply="材料待核，已于今日办结",
        today=date(2026, 3, 11),
    )
    assert esc.status == "replied" and not esc.replied_late
    assert Notification.objects.filter(recipient=late.supervisor, subject="督办已答复").exists()
    esc = escalation_close(
        actor=late.supervisor, escalation=esc, outcome="答复属实", close_card=True
    )
    assert esc.status == "closed"
    late.card.refresh_from_db()
    assert late.card.status == CardStatus.CLOSED
    actions = [e.action for e in card_history(late.card)]
    assert actions == ["raise", "escalate", "reply", "close_escalation", "close"]


def test_reply_after_closure_is_a_coded_error(late) -> None:  # type: ignore[no-untyped-def]
    esc = _issue(late)
    escalation_close(actor=late.supervisor, escalation=esc, outcome="转纪检处理")
    with pytest.raises(Conflict) as e:
        escalation_reply(actor=late.world.approver, escalation=esc, reply="补充答复")
    assert e.value.code == "escalation_closed"


def test_bad_escalation_input(late) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationFailed) as e:
        _issue(late, request="  ")
    assert e.value.code == "escalation_request_required"
    with pytest.raises(ValidationFailed) as e:
        _issue(late, reply_days=0)
    assert e.value.code == "escalation_reply_days"
    with pytest.raises(ValidationFailed) as e:
        _issue(late, request="x" * 2001)
    assert e.value.code == "text_too_long"
    esc = _issue(late)
    with pytest.raises(Conflict) as e:
        _issue(late)
    assert e.value.code == "escalation_active"
    with pytest.raises(ValidationFailed) as e:
        escalation_reply(actor=late.world.approver, escalation=esc, reply="")
    assert e.value.code == "escalation_reply_required"
    escalation_reply(actor=late.world.approver, escalation=esc, reply="已处理")
    with pytest.raises(Conflict) as e:
        escalation_reply(actor=late.world.approver, escalation=esc, reply="再答一次")
    assert e.value.code == "escalation_already_replied"
    with pytest.raises(ValidationFailed) as e:
        escalation_close(actor=late.supervisor, escalation=esc, outcome="")
    assert e.value.code == "escalation_outcome_required"
    with pytest.raises(Conflict) as e:
        card_close(actor=late.supervisor, card=late.card, note="关闭")
    assert e.value.code == "escalation_active"


def test_who_may_act(late) -> None:  # type: ignore[no-untyped-def]
    elsewhere = make_user("sy_sup", "supervisor", "210100")
    with pytest.raises(PermissionDenied) as e:
        escalation_issue(
            actor=elsewhere,
            card=late.card,
            request="督办",
            reply_days=3,
            today=date(2026, 3, 10),
            cal=work_calendar(),
        )
    assert e.value.code == "region_scope"
    with pytest.raises(PermissionDenied):
        escalation_issue(
            actor=late.world.approver,
            card=late.card,
            request="督办",
            reply_days=3,
            today=date(2026, 3, 10),
            cal=work_calendar(),
        )
    esc = _issue(late)
    with pytest.raises(PermissionDenied) as e:
        escalation_reply(actor=late.world.pzh_clerk, escalation=esc, reply="不是我们")
    assert e.value.code == "escalation_not_addressee"
    with pytest.raises(PermissionDenied):
        escalation_close(actor=late.world.approver, escalation=esc, outcome="自己关")


def test_unanswered_escalation_raises_escalated_red_and_late_reply_is_marked(late) -> None:  # type: ignore[no-untyped-def]
    esc = _issue(late)  # reply by 2026-03-13
    cal = work_calendar()
    assert cards_scan(today=date(2026, 3, 13), cal=cal).raised["escalated"] == 0
    r = cards_scan(today=date(2026, 3, 16), cal=cal)
    assert r.raised["escalated"] == 1
    esc = escalation_reply(
        actor=late.world.reviewer, escalation=esc, reply="迟到的答复", today=date(2026, 3, 16)
    )
    assert esc.replied_late
    # The escalated card's condition (an unanswered 督办) ended.
    assert cards_scan(today=date(2026, 3, 16), cal=cal).resolved == 1
    assert Escalation.objects.get(pk=esc.pk).status == "replied"
