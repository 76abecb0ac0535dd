"""The scanner: every open case against its deadlines, in a handful of set-based SQL
statements (``INSERT … SELECT … ON CONFLICT DO NOTHING``), never a Python loop over the
case table. Idempotent: a card is raised once (unique per case, kind, rule and ref_date)
and a rescan of an unchanged day raises nothing. See
docs/adr/0014-supervision-scanner-and-cards.md.

Working-day arithmetic is done once per scan in Python for the few distinct thresholds
(``rules.cutoffs``) and joined in as a small VALUES table, so the database compares
stored deadlines with dates and never needs the calendar.
"""

from __future__ import annotations

import time as _time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.db.models.functions import Trim
from django.utils import timezone

from tongban.accounts.models import Role, RoleGrant
from tongban.cases.models import Case, CaseEvent
from tongban.cases.transitions import OPEN
from tongban.catalog.models import FeeItem, ItemVersion
from tongban.core.calendar import CalendarExhausted, WorkCalendar
from tongban.core.jobs import enqueue_many
from tongban.notifications.models import Notification
from tongban.supervision import rules
from tongban.supervision.models import (
    Card,
    CardCount,
    CardEvent,
    CardKind,
    ScanRun,
    Segment,
    WarningRule,
)
from tongban.supervision.scan_sql import (
    _CASE_SCOPE,
    _COLUMNS,
    _IN_TRANSIT,
    _INTAKE_PARTY,
    _RUNNING_PARTY,
    CARD,
    CASE,
    ESCALATION,
    EVENT,
    RULE,
    SCAN_WORK_MEM,
    STEP,
    _d,
    _execute,
    _in,
    _local_date,
    _Raiser,
    _step_boundaries,
    _threshold_sql,
    _timed,
    _ts,
    _values_cte,
)


@dataclass
class ScanResult:
    scan_id: int
    today: date
    raised: dict[str, int] = field(default_factory=dict)
    resolved: int = 0
    notified: int = 0
    # Seconds spent in each step of the scan, in order (printed by the bench).
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def total_raised(self) -> int:
        return sum(self.raised.values())


def _case_cards(
    raiser: _Raiser, today: date, th: dict[int, date], cal: WorkCalendar, tz: ZoneInfo
) -> None:
    """Every card read off the case table, in one statement and one pass over it.

    The candidates — open cases whose watched deadline (acceptance before acceptance,
    promised while running) is at most the latest yellow cutoff, cases whose current
    step started before the latest step boundary, and cases whose deadline is unknown —
    are read once into a materialised CTE with what each rule needs. Three SELECTs over
    it, one INSERT (UNION ALL), no anti-join: the unique constraint (case, kind, rule,
    ref_date) is the only "raised already?" check, an index probe per candidate whatever
    the planner believes about the card table's size (a NOT EXISTS planned against a
    card table last analysed empty became a nested loop over a seq scan of the rows the
    statement itself was inserting).
    """
    before, running = _in(rules.BEFORE_ACCEPTANCE), _in(rules.RUNNING)
    open_ = _in(sorted(s.value for s in OPEN))
    is_before = f"c.status IN {before}"
    # Without cutoffs (the calendar does not reach past today) only red cards are raised.
    upper = _d(max(th.values()) if th else today - timedelta(days=1))
    watch_before = f"({is_before} AND c.acceptance_deadline <= %s)"
    watch_running = f"(c.status IN {running} AND c.promised_deadline <= %s)"
    unknown = (
        "(c.deadline_unknown AND c.submitted_at IS NOT NULL "
        # (unknown deadlines are NULL)
        "AND (c.promised_deadline IS NULL OR c.acceptance_deadline IS NULL) "
        f"AND c.status IN {open_})"
    )
    steps, latest = _step_boundaries(today, cal, tz)
    ctes: list[str] = []
    params: list[Any] = []
    if th:
        cte, p = _values_cte("th", "t, cutoff", [(t, _d(d)) for t, d in th.items()])
        ctes.append(cte)
        params += p
    if steps:
        cte, p = _values_cte("sd", "step_id, boundary", steps)
        ctes.append(cte)
        params += p
    role_case = " ".join(f"WHEN '{s}' THEN '{r}'" for s, r in sorted(rules.STEP_ROLE.items()))
    where = f"{watch_before} OR {watch_running} OR {unknown}"
    where_params = [upper, upper]
    if latest is not None:
        where += f" OR (c.status IN {_in(list(rules.STEP_ROLE))} AND c.status_changed_at < %s)"
        where_params.append(_ts(latest))
    ctes.append(
        "c AS MATERIALIZED (SELECT c.id, c.implementation_id, c.version_id, "
        "c.status_changed_at, c.submitted_at, c.intake_window_id, c.intake_region_id, "
        "c.handling_region_id, c.handling_department_id, "
        f"CASE WHEN {watch_before} THEN 'acceptance_deadline' "
        f"WHEN {watch_running} THEN 'promised_deadline' END AS rule, "
        f"CASE WHEN {is_before} THEN c.acceptance_deadline ELSE c.promised_deadline END "
        "AS due, "
        f"CASE WHEN {is_before} THEN 5 ELSE c.promised_days END AS total, "
        f"CASE c.status {role_case} END AS step_role, "
        f"CASE WHEN {unknown} THEN 1 ELSE 0 END AS unknown "
        f"FROM {CASE} c WHERE {where})"
    )
    params += [upper, upper, *where_params]

    # Red and yellow cards on the watched deadline, with the party that answers for it.
    acc = "c.rule = 'acceptance_deadline'"
    party = ", ".join(
        f"CASE WHEN {acc} THEN {i} ELSE {r} END"
        for i, r in zip(_INTAKE_PARTY, _RUNNING_PARTY, strict=True)
    )
    join, yellow = "", ""
    if th:
        join = f"LEFT JOIN th ON th.t = {_threshold_sql('c.total')} "
        yellow = " OR c.due <= th.cutoff"
    selects = [
        f"SELECT c.id, CASE WHEN c.due < %s THEN 'red' ELSE 'yellow' END, c.rule, c.due, "
        f"{party}, 'open', %s, %s, %s, '', {_CASE_SCOPE} "
        f"FROM c LEFT JOIN {RULE} r ON r.implementation_id = c.implementation_id "
        f"{join}{_IN_TRANSIT} "
        f"WHERE c.rule IS NOT NULL AND (c.due < %s{yellow})"
    ]
    params += [_d(today), *raiser.stamp, _d(today)]
    # Step timers: the case's current step (by role) started before its boundary.
    if steps:
        selects.append(
            f"SELECT c.id, 'step', 'step_' || CAST(p.position AS TEXT), "
            f"{_local_date('c.status_changed_at')}, "
            f"CASE WHEN p.role = 'clerk' THEN '{Segment.INTAKE}' "
            f"ELSE '{Segment.DECISION}' END, "
            "CASE WHEN p.role = 'clerk' AND c.intake_window_id IS NOT NULL "
            "THEN c.intake_region_id ELSE c.handling_region_id END, "
            "CASE WHEN p.role = 'clerk' AND c.intake_window_id IS NOT NULL "
            "THEN NULL ELSE c.handling_department_id END, "
            "CASE WHEN p.role = 'clerk' THEN c.intake_window_id END, "
            f"'open', %s, %s, %s, p.name, {_CASE_SCOPE} "
            f"FROM sd JOIN {STEP} p ON p.id = sd.step_id "
            "JOIN c ON c.version_id = p.version_id AND c.step_role = p.role "
            f"LEFT JOIN {RULE} r ON r.implementation_id = c.implementation_id "
            "WHERE (r.id IS NULL OR r.step_timers) AND c.status_changed_at < sd.boundary"
        )
        params += raiser.stamp
    # Deadline unknown (the calendar does not cover the year): an anomaly card each, so
    # the supervisor's watch list is read from the cards.
    selects.append(
        f"SELECT c.id, 'anomaly', 'deadline_unknown', {_local_date('c.submitted_at')}, "
        f"'{Segment.DECISION}', c.handling_region_id, c.handling_department_id, NULL, "
        f"'open', %s, %s, %s, '', {_CASE_SCOPE} FROM c WHERE c.unknown = 1"
    )
    params += raiser.stamp
    insert = (
        f"INSERT INTO {CARD} ({_COLUMNS}) "
        + " UNION ALL ".join(selects)
        + " ON CONFLICT DO NOTHING"
    )
    raiser.insert(", ".join(ctes), insert, params)


def _escalated_cards(raiser: _Raiser, today: date) -> None:
    insert = (
        f"INSERT INTO {CARD} ({_COLUMNS}) "
        "SELECT e.case_id, 'escalated', 'escalation_reply', e.reply_deadline, k.segment, "
        "k.region_id, e.department_id, e.window_id, 'open', %s, %s, %s, '', "
        "k.intake_region_id, k.handling_region_id, k.handling_department_id "
        f"FROM {ESCALATION} e JOIN {CARD} k ON k.id = e.card_id "
        "WHERE e.status = 'issued' AND e.reply_deadline < %s "
        "ON CONFLICT DO NOTHING"
    )
    raiser.insert("", insert, [*raiser.stamp, _d(today)])


def _anomaly_cards(raiser: _Raiser, today: date, now: datetime) -> None:
    """Anomalies among recent events and decisions (bounded by the lookback window)."""
    since = now - timedelta(days=rules.ANOMALY_LOOKBACK_DAYS)
    cards: list[Card] = []

    def card(case: Case, rule: str, at: datetime, seg: str, intake: bool, detail: str) -> None:
        window = case.intake_window_id if intake else None
        cards.append(
            Card(
                case=case,
                kind=CardKind.ANOMALY,
                rule=rule,
                ref_date=timezone.localdate(at),
                segment=seg,
                region_id=case.intake_region_id if window else case.handling_region_id,
                department_id=None if window else case.handling_department_id,
                window_id=window,
                raised_at=now,
                raised_on=today,
                scan=raiser.scan,
                detail=detail[:300],
                intake_region_id=case.intake_region_id,
                handling_region_id=case.handling_region_id,
                handling_department_id=case.handling_department_id,
            )
        )

    refusals = (
        CaseEvent.objects.filter(at__gte=since, action__in=["refuse_acceptance", "deny"])
        .annotate(reason=Trim("opinion"))
        .filter(reason="")
        .select_related("case")
    )
    for r in refusals:
        intake = r.action == "refuse_acceptance"
        seg = Segment.INTAKE if intake else Segment.DECISION
        card(r.case, "refused_without_reason", r.at, seg, intake, r.actor_name)
    decisions = CaseEvent.objects.filter(case=OuterRef("pk"), action__in=["approve", "deny"])
    # Decided, result not yet delivered (indexed by status): where a decision made off the
    # platform shows up; older finished cases are not re-examined.
    off = Case.objects.filter(decided_at__gte=since, status__in=rules.DECIDED_OPEN).filter(
        Q(accepted_at__isnull=True) | ~Exists(decisions)
    )
    for c in off:
        assert c.decided_at is not None
        card(c, "off_platform", c.decided_at, Segment.DECISION, False, "")
    fees = CaseEvent.objects.filter(at__gte=since, data__has_key="fee_charged_fen")
    fees = fees.select_related("case", "case__version")
    standards: dict[int, list[str]] = defaultdict(list)
    events = list(fees)
    versions = {e.case.version_id for e in events}
    for vid, std in FeeItem.objects.filter(version_id__in=versions).values_list(
        "version_id", "standard"
    ):
        standards[vid].append(std)
    for e in events:
        try:
            charged = int(e.data["fee_charged_fen"])
        except (TypeError, ValueError):
            charged = -1  # unreadable amounts are anomalies too
        v = e.case.version
        if charged < 0 or rules.fee_differs(
            charged_fen=charged, is_fee=v.is_fee, standards=standards[v.pk]
        ):
            card(e.case, "fee_mismatch", e.at, Segment.DECISION, False, f"收费 {charged} 分")
    # Through the raiser like every other card (history and counts in the same statement).
    for i in range(0, len(cards), 500):
        chunk = cards[i : i + 500]
        values = ", ".join(["(" + ", ".join(["%s"] * 16) + ")"] * len(chunk))
        params = [
            v
            for k in chunk
            for v in (
                k.case_id,
                k.kind,
                k.rule,
                _d(k.ref_date),
                k.segment,
                k.region_id,
                k.department_id,
                k.window_id,
                "open",
                _ts(now),
                _d(today),
                raiser.scan.pk,
                k.detail,
                k.intake_region_id,
                k.handling_region_id,
                k.handling_department_id,
            )
        ]
        raiser.insert(
            "", f"INSERT INTO {CARD} ({_COLUMNS}) VALUES {values} ON CONFLICT DO NOTHING", params
        )


def _resolve(scan: ScanRun, today: date, now: datetime) -> int:
    """Open deadline cards whose condition no longer holds become resolved."""
    ref = _local_date("c.status_changed_at")
    today_p = _d(today)
    cond = (
        f"(k.rule = 'acceptance_deadline' AND (c.status NOT IN {_in(rules.BEFORE_ACCEPTANCE)} "
        "OR c.acceptance_deadline IS NULL OR c.acceptance_deadline <> k.ref_date "
        "OR (k.kind = 'yellow' AND k.ref_date < %s))) "
        f"OR (k.rule = 'promised_deadline' AND (c.status NOT IN {_in(rules.RUNNING)} "
        "OR c.promised_deadline IS NULL OR c.promised_deadline <> k.ref_date "
        "OR (k.kind = 'yellow' AND k.ref_date < %s))) "
        f"OR (k.kind = 'step' AND (c.status NOT IN {_in(list(rules.STEP_ROLE))} "
        f"OR {ref} <> k.ref_date)) "
        f"OR (k.rule = 'deadline_unknown' AND (NOT c.deadline_unknown "
        f"OR c.status NOT IN {_in(sorted(s.value for s in OPEN))})) "
        f"OR (k.kind = 'escalated' AND NOT EXISTS (SELECT 1 FROM {ESCALATION} e "
        "WHERE e.case_id = k.case_id AND e.status = 'issued' AND e.reply_deadline = k.ref_date))"
    )
    which = "k.status = 'open' AND (k.kind <> 'anomaly' OR k.rule = 'deadline_unknown')"
    stale = (
        f"SELECT k.id FROM {CARD} k JOIN {CASE} c ON c.id = k.case_id WHERE {which} AND ({cond})"
    )
    if connection.vendor == "postgresql":
        # One statement: resolve and write the history rows (a data-modifying CTE), no
        # round trip per chunk of ids and no second pass over the card table.
        with connection.cursor() as cur:
            cur.execute(
                f"WITH u AS (UPDATE {CARD} k SET status = 'resolved', resolved_at = %s "
                f"FROM {CASE} c WHERE c.id = k.case_id AND {which} AND ({cond}) "
                f"RETURNING k.id), e AS (INSERT INTO {EVENT} (card_id, escalation_id, "
                "action, actor_id, actor_name, at, note) SELECT id, NULL, 'resolve', NULL, "
                "'系统', %s, '' FROM u) SELECT COUNT(*) FROM u",
                [_ts(now), today_p, today_p, _ts(now)],
            )
            return int(cur.fetchone()[0])
    with connection.cursor() as cur:
        cur.execute(stale, [today_p, today_p])
        ids = [r[0] for r in cur.fetchall()]
    if not ids:
        return 0
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        Card.objects.filter(pk__in=chunk).update(status="resolved", resolved_at=now)
        CardEvent.objects.bulk_create(
            [CardEvent(card_id=pk, action="resolve", actor_name="系统", at=now) for pk in chunk]
        )
    return len(ids)


def _notify(tally: Counter[tuple[str, int | None, int | None]]) -> int:
    """One message per responsible person per scan, summarising their new cards (the
    counts per kind and unit come from the raiser, not from reading the cards back)."""
    by_dept: dict[int, Counter[str]] = defaultdict(Counter)
    by_window: dict[int, Counter[str]] = defaultdict(Counter)
    for (kind, dept, window), n in tally.items():
        if window:
            by_window[window][kind] += n
        elif dept:
            by_dept[dept][kind] += n
    recipients: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    grants = RoleGrant.objects.filter(
        Q(department_id__in=list(by_dept), role__in=[Role.APPROVER, Role.REVIEWER])
        | Q(window_id__in=list(by_window), role=Role.CLERK)
    ).values("user_id", "department_id", "window_id", "role")
    for g in grants:
        source = (
            by_window.get(g["window_id"]) if g["window_id"] else by_dept.get(g["department_id"])
        )
        for kind, n in (source or {}).items():
            recipients[g["user_id"]][kind] += n
    labels = dict(CardKind.choices)
    messages = []
    for user_id, kinds in sorted(recipients.items()):
        text = "、".join(f"{labels[k]} {n} 张" for k, n in sorted(kinds.items()))
        messages.append(
            Notification(
                recipient_id=user_id,
                subject="电子监察预警",
                body=f"【通办】电子监察新增预警：{text}。请登录工作台查看并及时处理。",
            )
        )
    # One insert for the messages and one for their send jobs, however many recipients.
    made = Notification.objects.bulk_create(messages)
    enqueue_many(("notifications.send", {"id": m.pk}) for m in made)
    return len(made)


def _count_open_cards() -> None:
    """Rebuild the open-card counts the dashboard reads (see models.CardCount)."""
    table = CardCount._meta.db_table
    cols = (
        "kind, segment, region_id, department_id, window_id, intake_region_id, "
        "handling_region_id, handling_department_id"
    )
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {table}")
        cur.execute(
            f"INSERT INTO {table} ({cols}, n) SELECT {cols}, COUNT(*) FROM {CARD} "
            f"WHERE status = 'open' GROUP BY {cols}"
        )


def _max_threshold() -> int:
    top = ItemVersion.objects.aggregate(m=Max("promised_days"))["m"] or 0
    rule = WarningRule.objects.aggregate(d=Max("yellow_days"), p=Max("yellow_percent"))
    days = max(rules.DEFAULT_YELLOW_DAYS, rule["d"] or 0)
    pct = max(rules.DEFAULT_YELLOW_PERCENT, rule["p"] or 0)
    return max(days, max(top, 5) * pct // 100)


def cards_scan(*, today: date, cal: WorkCalendar, now: datetime | None = None) -> ScanResult:
    """Evaluate every open case; raise new cards, resolve stale ones, notify."""
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    th: dict[int, date] = {}
    for t in range(_max_threshold() + 1):
        try:
            th[t] = rules.remaining_cutoff(cal, today, t)
        except CalendarExhausted:
            break  # larger thresholds need a year the calendar does not know
    timings: dict[str, float] = {}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # These statements run once a day over large tables, so their plans cost
            # enough to trigger JIT compilation, which took longer than the work itself.
            _execute("SET LOCAL jit = off", [])
            # Hash joins of the open cards with the case table and the sorts of a big
            # day's new cards fit in memory instead of spilling to batches on disk.
            _execute(f"SET LOCAL work_mem = '{SCAN_WORK_MEM}'", [])
            # The commit does not wait for the WAL flush of a few hundred thousand new rows:
            # a crash right after it can lose this scan as a whole (never part of it — the
            # transaction stays atomic), and the next scan raises the same cards again.
            _execute("SET LOCAL synchronous_commit = off", [])
        scan = ScanRun.objects.create(today=today, started_at=now)
        raiser = _Raiser(scan, today, now)
        with _timed(timings, "case_cards"):
            _case_cards(raiser, today, th, cal, tz)
        with _timed(timings, "escalated_cards"):
            _escalated_cards(raiser, today)
        with _timed(timings, "anomaly_cards"):
            _anomaly_cards(raiser, today, now)
        with _timed(timings, "raise_history" if not raiser.pg else "tally"):
            tally = raiser.finish()
        raised = {k: 0 for k in CardKind.values}
        for (kind, _dept, _window), n in tally.items():
            raised[kind] += n
        with _timed(timings, "resolve"):
            resolved = _resolve(scan, today, now)
        with _timed(timings, "notify"):
            notified = _notify(tally)
        with _timed(timings, "count_open_cards"):
            _count_open_cards()
        if connection.vendor == "postgresql" and sum(raised.values()) > 10_000:
            # A big batch of new cards: refresh the planner's statistics now rather than
            # when autovacuum gets to it, or the next anti-joins are planned for an
            # empty table.
            with _timed(timings, "analyze"):
                _execute(f"ANALYZE {CARD}", [])
        scan.raised = {k: v for k, v in raised.items()}
        scan.resolved = resolved
        scan.notified = notified
        scan.finished_at = timezone.now()
        scan.save(update_fields=["raised", "resolved", "notified", "finished_at"])
        t_commit = _time.perf_counter()
    # (deferred constraint checks and the WAL flush happen here)
    timings["commit"] = _time.perf_counter() - t_commit
    return ScanResult(scan.pk, today, dict(scan.raised), resolved, notified, timings)
