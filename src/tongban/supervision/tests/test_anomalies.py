from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tongban.cases.models import Case, CaseEvent
from tongban.cases.testing import build_world
from tongban.catalog.models import FeeItem
from tongban.core.calendar_store import work_calendar
from tongban.supervision.models import Card
from tongban.supervision.scanner import cards_scan
from tongban.supervision.testing import case_at

pytestmark = pytest.mark.django_db

# A fixed working day well inside the calendar: deadlines from "today" in December would
# reach into a year the calendar may not know yet and raise deadline_unknown cards too.
DAY = date(2026, 6, 1)
AT = datetime.combine(DAY, time(10), ZoneInfo("Asia/Shanghai"))


def _event(case: Case, action: str, opinion: str = "", data: dict | None = None) -> None:  # type: ignore[type-arg]
    last = CaseEvent.objects.filter(case=case).order_by("-seq").first()
    CaseEvent.objects.create(
        case=case,
        seq=(last.seq if last else 0) + 1,
        action=action,
        at=AT,
        opinion=opinion,
        data=data or {},
        actor_name="外部系统",
    )


def _scan() -> None:
    cards_scan(today=DAY, cal=work_calendar(), now=AT + timedelta(hours=8))


def test_refusal_without_reason_and_decision_off_the_platform() -> None:
    world = build_world(promised_days=5)
    today = DAY
    refused = case_at(world, "pre_review", on=today)
    _event(refused, "refuse_acceptance", opinion="   ")
    Case.objects.filter(pk=refused.pk).update(status="refused")
    with_reason = case_at(world, "pre_review", on=today)
    _event(with_reason, "refuse_acceptance", opinion="材料不全")
    # Approved with no decision event recorded on the platform.
    outside = case_at(world, "accepted", on=today)
    Case.objects.filter(pk=outside.pk).update(status="approved", decided_at=AT)
    _scan()
    got = {(c.case_id, c.rule) for c in Card.objects.filter(kind="anomaly")}
    assert got == {(refused.pk, "refused_without_reason"), (outside.pk, "off_platform")}
    assert Card.objects.get(rule="refused_without_reason").department_id == world.dept.pk
    _scan()  # idempotent
    assert Card.objects.filter(kind="anomaly").count() == 2


def test_fee_differing_from_the_catalogue() -> None:
    world = build_world(promised_days=5)
    v = world.impl.current_version
    assert v is not None
    v.__class__.objects.filter(pk=v.pk).update(is_fee=True)
    FeeItem.objects.create(version=v, position=1, name="工本费", standard="20元/张")
    today = DAY
    right = case_at(world, "accepted", on=today)
    _event(right, "pay", data={"fee_charged_fen": 2000})
    wrong = case_at(world, "accepted", on=today)
    _event(wrong, "pay", data={"fee_charged_fen": 5000})
    _scan()
    cards = list(Card.objects.filter(kind="anomaly"))
    assert [(c.case_id, c.rule, c.detail) for c in cards] == [
        (wrong.pk, "fee_mismatch", "收费 5000 分")
    ]


def test_old_events_are_outside_the_lookback() -> None:
    world = build_world(promised_days=5)
    case = case_at(world, "pre_review", on=timezone.localdate())
    _event(case, "refuse_acceptance")
    CaseEvent.objects.filter(case=case, action="refuse_acceptance").update(
        at=timezone.now() - timedelta(days=30)
    )
    cards_scan(today=date.today(), cal=work_calendar())
    assert not Card.objects.filter(kind="anomaly").exists()
