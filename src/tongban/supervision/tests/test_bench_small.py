"""``tongban bench supervision`` at toy size on the test database: the bench's own data
builder (one raw ``INSERT … SELECT`` into the case table, so it breaks when the case
table changes) and the scanner, checked against a card list worked out here, case by
case in Python, from the rules — so neither the builder nor the scan can rot unnoticed.

The builder is PostgreSQL SQL (generate_series, md5, make_interval): skipped on SQLite.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection

from tongban.bench.cases_data import catalogue_build
from tongban.bench.supervision import TODAY, _generate
from tongban.cases.models import Case
from tongban.catalog.models import ProcessStep
from tongban.core.calendar import WorkCalendar
from tongban.core.calendar_store import work_calendar
from tongban.notifications.models import Notification
from tongban.supervision import rules
from tongban.supervision.models import Card, CardEvent, CardStatus
from tongban.supervision.scanner import cards_scan
from tongban.supervision.selectors import card_history

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the supervision bench builds its cases with PostgreSQL-only SQL "
        "(generate_series, md5, make_interval); run the suite on PostgreSQL",
    ),
]

Key = tuple[int, str, str, date]


def _expected(cal: WorkCalendar, today: date) -> set[Key]:
    """The open cards the rules imply on ``today`` for every case, one case at a time."""
    tz = ZoneInfo(settings.TIME_ZONE)
    first: dict[tuple[int, str], ProcessStep] = {}
    for p in ProcessStep.objects.order_by("position"):
        first.setdefault((p.version_id, p.role), p)
    since: dict[int, date] = {}
    out: set[Key] = set()
    for c in Case.objects.all():
        if c.status in rules.BEFORE_ACCEPTANCE:
            rule, due, total = "acceptance_deadline", c.acceptance_deadline, 5
        elif c.status in rules.RUNNING:
            rule, due, total = "promised_deadline", c.promised_deadline, c.promised_days
        else:
            due = None
        if due is not None and due < today:
            out.add((c.pk, "red", rule, due))
        elif due is not None:
            t = rules.Thresholds().threshold(total)
            if due <= rules.remaining_cutoff(cal, today, t):
                out.add((c.pk, "yellow", rule, due))
        role = rules.STEP_ROLE.get(c.status)
        step = first.get((c.version_id, role)) if role else None
        if step is not None and step.days > 0 and step.counted_in_limit:
            if step.days not in since:
                since[step.days] = rules.step_overdue_since(cal, today, step.days)
            assert c.status_changed_at is not None
            started = c.status_changed_at.astimezone(tz).date()
            if started <= since[step.days]:
                out.add((c.pk, "step", f"step_{step.position}", started))
    return out


def _open_cards() -> set[Key]:
    rows = Card.objects.filter(status=CardStatus.OPEN).values_list(
        "case_id", "kind", "rule", "ref_date"
    )
    return set(rows)


def _per_kind(keys: set[Key]) -> dict[str, int]:
    counts = Counter(k[1] for k in keys)
    return {kind: counts[kind] for kind in ("yellow", "red", "escalated", "step", "anomaly")}


def test_bench_builder_and_scan_at_two_thousand_cases() -> None:
    catalogue_build(applicants=5)
    _generate(2000)
    assert Case.objects.count() == 2000
    assert not Case.objects.filter(deadline_unknown=True).exists()
    cal = work_calendar()

    want = _expected(cal, TODAY)
    # The builder's mix yields every kind of deadline card the bench is about.
    assert all(_per_kind(want)[k] > 0 for k in ("red", "yellow", "step"))
    first = cards_scan(today=TODAY, cal=cal)
    assert first.raised == _per_kind(want)
    assert _open_cards() == want
    # Every card shows as raised by this scan (the card row is that record: no history
    # row is written for it), and the responsible staff were told.
    assert Card.objects.filter(scan_id=first.scan_id, raised_on=TODAY).count() == len(want)
    assert not CardEvent.objects.filter(action="raise").exists()
    sample = Card.objects.order_by("?").first()
    assert sample is not None and card_history(sample)[0].action == "raise"
    assert first.notified > 0
    assert Notification.objects.filter(subject="电子监察预警").count() == first.notified
    assert set(first.timings) >= {"case_cards", "resolve", "notify", "commit"}

    again = cards_scan(today=TODAY, cal=cal)
    assert again.total_raised == 0 and again.resolved == 0 and again.notified == 0
    assert _open_cards() == want

    # The next day: yellow cards due today turn red, more step timers run out; the cards
    # whose condition ended are resolved (kept, with a history row), not deleted.
    nxt = TODAY + timedelta(days=1)
    want_next = _expected(cal, nxt)
    tomorrow = cards_scan(today=nxt, cal=cal)
    assert tomorrow.raised == _per_kind(want_next - want)
    assert tomorrow.resolved == len(want - want_next) > 0
    assert _open_cards() == want_next
    assert Card.objects.count() == len(want | want_next)
    assert CardEvent.objects.filter(action="resolve").count() == tomorrow.resolved
    # Segment attribution: before acceptance the intake side, else the deciding side
    # (the bench's cases are online, nothing in transit).
    segments = set(Card.objects.values_list("rule", "segment").distinct())
    assert ("acceptance_deadline", "intake") in segments
    assert ("promised_deadline", "decision") in segments
    assert not any(seg == "transit" for _rule, seg in segments)
