from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tongban.cases.models import Case
from tongban.cases.services import case_transition
from tongban.cases.testing import build_world
from tongban.core.actors import SYSTEM
from tongban.core.calendar_store import work_calendar
from tongban.notifications.models import Notification
from tongban.supervision.models import Card, CardEvent, CardStatus
from tongban.supervision.scanner import cards_scan
from tongban.supervision.selectors import card_history
from tongban.supervision.services import warning_rule_set
from tongban.supervision.testing import case_at

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")


def _cards(case: Case) -> set[tuple[str, str]]:
    return {(c.kind, c.rule) for c in Card.objects.filter(case=case, status=CardStatus.OPEN)}


def test_yellow_then_red_then_resolved_when_decided() -> None:
    world = build_world(promised_days=5)
    # Accepted Mon 2026-03-02: 5 working days → due Mon 2026-03-09.
    case = case_at(world, "accepted", on=date(2026, 3, 2))
    assert case.promised_deadline == date(2026, 3, 9)
    Case.objects.filter(pk=case.pk).update(
        status_changed_at=datetime(2026, 3, 9, 9, tzinfo=TZ)
    )  # no step timer in the way
    cal = work_calendar()
    # Wed 03-04: 3 days left (> max(1, 20% of 5 = 1)) → nothing.
    assert cards_scan(today=date(2026, 3, 4), cal=cal).total_raised == 0
    # Fri 03-06: 1 working day left (Mon 9th) → yellow.
    r = cards_scan(today=date(2026, 3, 6), cal=cal)
    assert r.raised["yellow"] == 1 and _cards(case) == {("yellow", "promised_deadline")}
    # Same day again: idempotent.
    assert cards_scan(today=date(2026, 3, 6), cal=cal).total_raised == 0
    assert Card.objects.filter(case=case).count() == 1
    # Tue 03-10: overdue → red; the yellow card is resolved (history kept).
    r = cards_scan(today=date(2026, 3, 10), cal=cal)
    assert r.raised["red"] == 1 and r.resolved == 1
    assert _cards(case) == {("red", "promised_deadline")}
    red = Card.objects.get(case=case, kind="red")
    assert red.segment == "decision" and red.department_id == world.dept.pk
    assert red.region_id == "140400"
    # Deciding ends the red card's condition.
    case.refresh_from_db()
    case_transition(actor=SYSTEM, case=case, to="under_review", today=date(2026, 3, 10))
    case.refresh_from_db()
    case_transition(actor=SYSTEM, case=case, to="approved", today=date(2026, 3, 11))
    assert cards_scan(today=date(2026, 3, 11), cal=cal).resolved == 0  # still running
    case.refresh_from_db()
    case_transition(actor=SYSTEM, case=case, to="result_issued", today=date(2026, 3, 11))
    r = cards_scan(today=date(2026, 3, 11), cal=cal)
    assert not _cards(case)
    assert Card.objects.filter(case=case).count() == 2  # kept forever
    actions = [e.action for e in card_history(red)]
    assert actions == ["raise", "resolve"]
    assert not CardEvent.objects.filter(action="raise").exists()  # the card row records it


def test_paused_cases_get_no_card() -> None:
    world = build_world(promised_days=5)
    case = case_at(world, "accepted", on=date(2026, 3, 2))
    Case.objects.filter(pk=case.pk).update(status="supplement_requested", paused_from="accepted")
    assert cards_scan(today=date(2026, 3, 20), cal=work_calendar()).total_raised == 0


def test_acceptance_deadline_is_the_intake_segment() -> None:
    world = build_world(promised_days=5)
    case = case_at(world, "submitted", on=date(2026, 3, 2))
    assert case.acceptance_deadline == date(2026, 3, 9)
    Case.objects.filter(pk=case.pk).update(status_changed_at=datetime(2026, 3, 10, 9, tzinfo=TZ))
    cards_scan(today=date(2026, 3, 10), cal=work_calendar())
    red = Card.objects.get(case=case, kind="red")
    # Submitted online: the deciding department does the pre-review.
    assert (red.rule, red.segment, red.department_id) == (
        "acceptance_deadline",
        "intake",
        world.dept.pk,
    )


def test_rule_per_item_changes_the_yellow_threshold() -> None:
    world = build_world(promised_days=10)
    case = case_at(world, "accepted", on=date(2026, 3, 2))  # due 2026-03-16
    Case.objects.filter(pk=case.pk).update(status_changed_at=datetime(2026, 3, 9, 9, tzinfo=TZ))
    cal = work_calendar()
    # Thu 03-12: 2 days left; default max(1, 20% of 10 = 2) → yellow.
    # (step timers off too: 审查's 2 days since 03-09 ran out on 03-11)
    warning_rule_set(
        actor=SYSTEM, implementation=world.impl, yellow_days=1, yellow_percent=0, step_timers=False
    )
    assert cards_scan(today=date(2026, 3, 12), cal=cal).total_raised == 0
    warning_rule_set(
        actor=SYSTEM, implementation=world.impl, yellow_days=3, yellow_percent=0, step_timers=False
    )
    assert cards_scan(today=date(2026, 3, 12), cal=cal).raised == {
        "yellow": 1,
        "red": 0,
        "escalated": 0,
        "step": 0,
        "anomaly": 0,
    }


def test_step_timer_and_notification_of_staff() -> None:
    world = build_world(promised_days=20)
    case = case_at(world, "under_review", on=date(2026, 3, 2))
    # 审查 (reviewer) has 2 working days; started Mon 03-02 → due Wed 03-04.
    Case.objects.filter(pk=case.pk).update(status_changed_at=datetime(2026, 3, 2, 10, tzinfo=TZ))
    cal = work_calendar()
    assert cards_scan(today=date(2026, 3, 4), cal=cal).total_raised == 0
    before = Notification.objects.filter(recipient=world.reviewer).count()
    r = cards_scan(today=date(2026, 3, 5), cal=cal)
    assert r.raised["step"] == 1
    card = Card.objects.get(case=case, kind="step")
    assert card.rule == "step_2" and card.ref_date == date(2026, 3, 2) and card.detail == "审查"
    msgs = Notification.objects.filter(recipient=world.reviewer).order_by("id")[before:]
    assert [m.subject for m in msgs] == ["电子监察预警"] and "环节超时 1 张" in msgs[0].body
    assert r.notified >= 2  # reviewer and approver of the department
    # Moving on (new status) resolves it.
    Case.objects.filter(pk=case.pk).update(
        status="approved", status_changed_at=datetime(2026, 3, 5, 10, tzinfo=TZ)
    )
    assert cards_scan(today=date(2026, 3, 5), cal=cal).resolved == 1


def test_scan_queries_do_not_grow_with_cases() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = build_world(promised_days=5)
    for _ in range(2):
        case_at(world, "accepted", on=date(2026, 3, 2))
    cal = work_calendar()
    with CaptureQueriesContext(connection) as few:
        cards_scan(today=date(2026, 3, 20), cal=cal)
    for _ in range(8):
        case_at(world, "accepted", on=date(2026, 3, 3))
    with CaptureQueriesContext(connection) as many:
        cards_scan(today=date(2026, 3, 23), cal=cal)
    assert Card.objects.filter(kind="red").count() == 10
    assert len(many) == len(few)
