from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from tongban.accounts.models import User
from tongban.cases.models import Case
from tongban.cases.testing import World, build_world
from tongban.core.calendar_store import work_calendar
from tongban.supervision.models import Card
from tongban.supervision.scanner import cards_scan
from tongban.supervision.testing import case_at
from tongban.testing import make_user

TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class Late:
    world: World
    case: Case
    card: Card
    supervisor: User


@pytest.fixture
def late(db: None) -> Late:
    """One case of 长治 overdue on 2026-03-10 with its red card, and a 长治 supervisor."""
    world = build_world(promised_days=5)
    case = case_at(world, "accepted", on=date(2026, 3, 2))
    Case.objects.filter(pk=case.pk).update(status_changed_at=datetime(2026, 3, 9, 9, tzinfo=TZ))
    cards_scan(today=date(2026, 3, 10), cal=work_calendar())
    card = Card.objects.get(case=case, kind="red")
    return Late(world, case, card, make_user("cz_sup", "supervisor", "140400"))
