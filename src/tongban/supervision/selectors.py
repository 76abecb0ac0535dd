"""Reads of 电子监察: the dashboard (from the rollups and the card table), card and 督办
lists, one card with its history. Every read is scoped to the actor's supervised regions
(or, for department staff, to their own units' cards)."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet, Sum

from tongban.accounts.models import Department, Window
from tongban.cases.models import CaseMode, Channel
from tongban.cases.transitions import CaseStatus
from tongban.core.actors import Actor, SystemActor
from tongban.core.errors import NotFound, PermissionDenied, ValidationFailed
from tongban.regions.codes import covers, prefix
from tongban.regions.models import Region
from tongban.supervision import access
from tongban.supervision.access import region_filter
from tongban.supervision.models import (
    Card,
    CardCount,
    CardEvent,
    CardKind,
    CardStatus,
    CaseDayStat,
    Escalation,
    EscalationStatus,
    FinishDayStat,
    ScanRun,
    Segment,
)
from tongban.supervision.rules import rule_label

LIST_LIMIT = 50
MAX_SPAN_DAYS = 366
_PCT = Decimal("0.1")


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    region_code: str | None = None
    department_id: int | None = None
    period: str = "month"


def month_bounds(d: date) -> tuple[date, date]:
    return d.replace(day=1), d.replace(day=monthrange(d.year, d.month)[1])


def _parse_date(value: str, field_name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed("period_invalid", field=field_name) from exc


def filters_parse(actor: Actor, raw: dict[str, str], *, today: date) -> Filters:
    """The dashboard filters from query parameters, checked against the actor's scope."""
    regions = access.require_supervisor(actor)
    period = raw.get("period") or "month"
    if period == "month":
        start, end = month_bounds(today)
    elif period == "last_month":
        start, end = month_bounds(today.replace(day=1) - timedelta(days=1))
    elif period == "year":
        start, end = date(today.year, 1, 1), date(today.year, 12, 31)
    elif period == "custom":
        start = _parse_date(raw.get("start", ""), "start")
        end = _parse_date(raw.get("end", ""), "end")
    else:
        raise ValidationFailed("period_invalid", field="period")
    if start > end or (end - start).days > MAX_SPAN_DAYS:
        raise ValidationFailed("period_invalid", field="end")
    region_code = (raw.get("region") or "").strip() or None
    if region_code is not None:
        if not Region.objects.filter(code=region_code).exists():
            raise ValidationFailed("region_unknown", field="region")
        if regions and not any(covers(r, region_code) for r in regions):
            raise PermissionDenied("region_scope")
    department_id: int | None = None
    if raw.get("department"):
        try:
            department_id = int(raw["department"])
        except ValueError as exc:
            raise ValidationFailed("invalid_input", field="department") from exc
        dept = Department.objects.filter(pk=department_id).first()
        if dept is None:
            raise NotFound("部门", field="department")
        if regions and not any(covers(r, dept.region_id) for r in regions):
            raise PermissionDenied("region_scope")
    return Filters(start, end, region_code, department_id, period)


def _scope_regions(actor: Actor, f: Filters) -> list[str]:
    if f.region_code:
        return [f.region_code]
    return access.supervisor_regions(actor)


def _region_q(regions: list[str], fieldname: str) -> Q:
    if not regions:
        return Q()
    cond = Q(pk__in=[])
    for r in regions:
        cond |= Q(**{f"{fieldname}__startswith": prefix(r)})
    return cond


def _rate(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(_PCT, rounding=ROUND_HALF_UP)


@dataclass
class Dashboard:
    filters: Filters
    total: int
    by_status: list[tuple[str, int]]
    by_region: list[tuple[str, int]]
    by_department: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_mode: list[tuple[str, int]]
    fully_online_share: Decimal | None
    cross_region: int  # cases whose intake and deciding regions differ, each counted once
    finished: int
    on_time: int
    on_time_rate: Decimal | None
    avg_used_days: Decimal | None
    avg_promised_days: Decimal | None
    open_cards: dict[str, int]
    segments: list[tuple[str, int]]  # open red cards by the segment that caused the delay
    blamed: list[tuple[str, int]]  # open red cards by responsible region/department
    overdue: list[Card]
    warned: list[Card]
    escalations: list[Escalation]
    unknown: list[Card]  # open cases whose deadline the calendar cannot compute
    anomalies: list[Card]
    satisfaction: Any = None  # ratings.RatingTotals, when the ratings app is installed
    satisfaction_departments: list[Any] = field(default_factory=list)
    last_scan: ScanRun | None = None


def _label(choices: Any, value: str) -> str:
    return dict(choices).get(value, value)


def _pairs(counter: dict[str, int], labels: dict[Any, str] | None = None) -> list[tuple[str, int]]:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(labels.get(k, k) if labels else k, v) for k, v in items]


def dashboard(actor: Actor, f: Filters) -> Dashboard:
    regions = _scope_regions(actor, f)
    stats = CaseDayStat.objects.filter(day__gte=f.start, day__lte=f.end).filter(
        _region_q(regions, "region__code")
    )
    done = FinishDayStat.objects.filter(day__gte=f.start, day__lte=f.end).filter(
        _region_q(regions, "region__code")
    )
    cards = access.visible_cards(actor).filter(status=CardStatus.OPEN)
    if f.region_code:
        cards = cards.filter(
            Q(handling_region__code__startswith=prefix(f.region_code))
            | Q(intake_region__code__startswith=prefix(f.region_code))
        )
    if f.department_id is not None:
        stats = stats.filter(department_id=f.department_id)
        done = done.filter(department_id=f.department_id)
        cards = cards.filter(handling_department_id=f.department_id)
    # One small GROUP BY per dimension over the rollup's day range (never the cross
    # product of all dimensions, which can be tens of thousands of rows).
    by: dict[str, dict[Any, int]] = {}
    for key, column in (
        ("status", "status"),
        ("region", "region_id"),
        ("dept", "department_id"),
        ("ch", "channel"),
        ("mode", "mode"),
    ):
        by[key] = {
            r[column]: r["cnt"] for r in stats.values(column).annotate(cnt=Sum("n")).order_by()
        }
    totals = stats.aggregate(total=Sum("n"), cross=Sum("n", filter=Q(cross_region=True)))
    total, cross = totals["total"] or 0, totals["cross"] or 0
    region_names = dict(
        Region.objects.filter(code__in=list(by["region"])).values_list("code", "name")
    )
    dept_names = dict(Department.objects.filter(pk__in=list(by["dept"])).values_list("pk", "name"))
    fin = done.aggregate(
        cnt=Sum("n"), ok=Sum("on_time"), used=Sum("used_days"), prom=Sum("promised_days")
    )
    finished, on_time = fin["cnt"] or 0, fin["ok"] or 0
    # One grouped read of the open cards gives the counts by kind, by segment and by
    # responsible unit (open cards are few next to the cases).
    kinds: dict[str, int] = {}
    segments: dict[str, int] = {}
    blame: dict[tuple[str, int | None, int | None], int] = {}
    red_kinds = (CardKind.RED, CardKind.ESCALATED)
    counts = CardCount.objects.filter(
        region_filter(
            access.supervisor_regions(actor) if not f.region_code else [f.region_code],
            intake="intake_region__code",
            handling="handling_region__code",
        )
        if not isinstance(actor, SystemActor) or f.region_code
        else Q()
    )
    if f.department_id is not None:
        counts = counts.filter(handling_department_id=f.department_id)
    for row in (
        counts.values("kind", "segment", "region_id", "department_id", "window_id")
        .annotate(n=Sum("n"))
        .order_by()
    ):
        kinds[row["kind"]] = kinds.get(row["kind"], 0) + row["n"]
        if row["kind"] in red_kinds:
            segments[row["segment"]] = segments.get(row["segment"], 0) + row["n"]
            unit = (row["region_id"], row["department_id"], row["window_id"])
            blame[unit] = blame.get(unit, 0) + row["n"]
    top = sorted(blame.items(), key=lambda kv: -kv[1])[:10]
    rnames = dict(
        Region.objects.filter(code__in={k[0] for k, _ in top}).values_list("code", "name")
    )
    dnames = dict(
        Department.objects.filter(pk__in={k[1] for k, _ in top if k[1]}).values_list("pk", "name")
    )
    wnames = dict(
        Window.objects.filter(pk__in={k[2] for k, _ in top if k[2]}).values_list("pk", "name")
    )
    blamed = [
        (
            " ".join(x for x in (rnames.get(r, r), _unit_name(d, w, dnames, wnames)) if x),
            n,
        )
        for (r, d, w), n in top
    ]
    related = ("case", "region", "department", "window")
    overdue = _earliest(cards, red_kinds, related)
    warned = _earliest(cards, (CardKind.YELLOW, CardKind.STEP), related)
    escalations = list(
        escalations_visible(actor)
        .exclude(status=EscalationStatus.CLOSED)
        .select_related("case", "department", "window")
        .order_by("reply_deadline", "id")[:LIST_LIMIT]
    )
    d = Dashboard(
        filters=f,
        total=total,
        by_status=_pairs(by["status"], dict(CaseStatus.choices)),
        by_region=_pairs({region_names.get(k, k): v for k, v in by["region"].items()}),
        by_department=_pairs({dept_names.get(k, str(k)): v for k, v in by["dept"].items()})[:15],
        by_channel=_pairs(by["ch"], dict(Channel.choices)),
        by_mode=_pairs(by["mode"], dict(CaseMode.choices)),
        fully_online_share=_rate(by["mode"].get(CaseMode.FULLY_ONLINE, 0), total),
        cross_region=cross,
        finished=finished,
        on_time=on_time,
        on_time_rate=_rate(on_time, finished),
        avg_used_days=_avg(fin["used"], finished),
        avg_promised_days=_avg(fin["prom"], finished),
        open_cards={k: kinds.get(k, 0) for k in CardKind.values},
        segments=_pairs(segments, dict(Segment.choices)),
        blamed=blamed,
        overdue=overdue,
        warned=warned,
        escalations=escalations,
        unknown=list(
            cards.filter(kind=CardKind.ANOMALY, rule="deadline_unknown")
            .select_related(*related)
            .order_by("ref_date", "id")[:LIST_LIMIT]
        ),
        anomalies=list(
            cards.filter(kind=CardKind.ANOMALY)
            .exclude(rule="deadline_unknown")
            .select_related(*related)
            .order_by("-raised_at", "-id")[:LIST_LIMIT]
        ),
        last_scan=ScanRun.objects.filter(finished_at__isnull=False).first(),
    )
    d.satisfaction, d.satisfaction_departments = _satisfaction(regions, f)
    return d


def _earliest(
    cards: QuerySet[Card], kinds: tuple[str, ...], related: tuple[str, ...]
) -> list[Card]:
    """The LIST_LIMIT open cards of ``kinds`` with the earliest ref_date: one query per
    kind, each walking the (status, kind, ref_date) index and stopping early."""
    rows: list[Card] = []
    for kind in kinds:
        rows += (
            cards.filter(kind=kind).select_related(*related).order_by("ref_date", "id")[:LIST_LIMIT]
        )
    rows.sort(key=lambda c: (c.ref_date, c.pk))
    return rows[:LIST_LIMIT]


def _unit_name(
    dept: int | None, window: int | None, dnames: dict[int, str], wnames: dict[int, str]
) -> str:
    if dept is not None:
        return dnames.get(dept, "")
    return wnames.get(window, "") if window is not None else ""


def _avg(total: int | None, n: int) -> Decimal | None:
    if not n:
        return None
    return (Decimal(total or 0) / Decimal(n)).quantize(_PCT, rounding=ROUND_HALF_UP)


def _satisfaction(regions: list[str], f: Filters) -> tuple[Any, list[Any]]:
    """From the ratings app (helper-owned selectors), when installed. With several
    supervised regions the first one is shown unless a region filter is set."""
    if not apps.is_installed("tongban.ratings"):
        return None, []
    from tongban.ratings.selectors import rating_totals, satisfaction_by_department

    region = regions[0] if regions else None
    kw: dict[str, Any] = {"start": f.start, "end": f.end, "region_code": region}
    if f.department_id is not None:
        kw["department_id"] = f.department_id
    return rating_totals(**kw), satisfaction_by_department(**kw)


# ---- cards and 督办 -----------------------------------------------------------------


def escalations_visible(actor: Actor) -> QuerySet[Escalation]:
    qs = Escalation.objects.all()
    if isinstance(actor, SystemActor):
        return qs
    cond = Q(pk__in=[])
    regions = access.supervisor_regions(actor)
    if regions:
        cond |= access.region_filter(
            regions, intake="case__intake_region__code", handling="case__handling_region__code"
        )
    depts, windows = access.addressee_units(actor)
    if depts:
        cond |= Q(department_id__in=depts)
    if windows:
        cond |= Q(window_id__in=windows)
    return qs.filter(cond)


@dataclass
class CardDetail:
    card: Card
    rule_label: str
    events: list[CardEvent]
    escalations: list[Escalation]
    can_supervise: bool
    can_reply: bool


def card_get(actor: Actor, card_id: int) -> Card:
    card = (
        access.visible_cards(actor)
        .select_related("case", "region", "department", "window")
        .filter(pk=card_id)
        .first()
    )
    if card is None:
        raise NotFound("预警牌")
    return card


def card_history(card: Card) -> list[CardEvent]:
    """The card's history, oldest first. The scanner writes no row for raising a card
    (the card row records it: raised_at, scan); it is shown here as the first entry.
    Cards raised before that change have a stored 'raise' row, shown as it is."""
    events = list(card.events.order_by("at", "id"))
    if not any(e.action == "raise" for e in events):
        events.insert(0, CardEvent(card=card, action="raise", actor_name="系统", at=card.raised_at))
    return events


def card_detail(actor: Actor, card_id: int) -> CardDetail:
    card = card_get(actor, card_id)
    c = card.case
    supervise = access.supervises(
        actor, intake_region=c.intake_region_id, handling_region=c.handling_region_id
    ) and access.is_supervisor(actor)
    escalations = list(card.escalations.order_by("issued_at", "id"))
    open_esc = [e for e in escalations if e.status == EscalationStatus.ISSUED]
    reply = bool(open_esc) and access.is_addressee(
        actor, department_id=open_esc[0].department_id, window_id=open_esc[0].window_id
    )
    return CardDetail(
        card=card,
        rule_label=rule_label(card.rule),
        events=card_history(card),
        escalations=escalations,
        can_supervise=supervise,
        can_reply=reply,
    )


def escalation_get(actor: Actor, escalation_id: int) -> Escalation:
    esc = escalations_visible(actor).select_related("card", "case").filter(pk=escalation_id).first()
    if esc is None:
        raise NotFound("督办")
    return esc


def cards_list(
    actor: Actor, *, status: str | None = None, kind: str | None = None, limit: int = 200
) -> list[Card]:
    if status and status not in CardStatus.values:
        raise ValidationFailed("invalid_input", field="status")
    if kind and kind not in CardKind.values:
        raise ValidationFailed("invalid_input", field="kind")
    qs = access.visible_cards(actor).select_related("case", "region", "department", "window")
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return list(qs.order_by("-raised_at", "-id")[:limit])


def regions_for_filter(actor: Actor) -> list[Region]:
    """The actor's supervised regions and the regions directly below them."""
    regions = access.supervisor_regions(actor)
    if not regions:
        return []
    return list(
        Region.objects.filter(Q(code__in=regions) | Q(parent_id__in=regions)).order_by("code")
    )


def departments_for_filter(actor: Actor) -> list[Department]:
    regions = access.supervisor_regions(actor)
    if not regions:
        return []
    return list(
        Department.objects.filter(_region_q(regions, "region__code")).order_by("region_id", "name")
    )
