"""Reads behind the rating pages and the staff task queue; authorisation is applied
here, as filters, so a list never shows what a detail page would refuse."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from tongban.cases.models import Case
from tongban.core.actors import Actor
from tongban.core.errors import NotFound
from tongban.ratings import access, rules
from tongban.ratings.models import (
    Rating,
    RatingChannel,
    Rectification,
    RectificationStatus,
    Stage,
    Target,
)
from tongban.ratings.transitions import OPEN, Move, moves_from
from tongban.regions.codes import prefix


@dataclass(frozen=True)
class RatingSlot:
    """One (stage, target) of a case: already rated, open for rating, or not yet."""

    stage: str
    stage_label: str
    target: str
    target_label: str
    target_name: str
    rating: Rating | None
    open: bool


def _case_for(case_number: str) -> Case | None:
    return (
        Case.objects.select_related("intake_window__center", "handling_department")
        .filter(case_number=case_number)
        .first()
    )


def rating_slots(case: Case) -> list[RatingSlot]:
    window = case.intake_window
    shared = rules.is_shared(
        intake_window_region=window.center.region_id if window else None,
        handling_region=case.handling_region_id,
    )
    done = {(r.stage, r.target): r for r in Rating.objects.filter(case=case)}
    refused = case.status == "refused" or (case.status == "closed" and case.accepted_at is None)
    out = []
    for stage in Stage:
        reached = rules.stage_reached(
            stage,
            status=case.status,
            accepted=case.accepted_at is not None,
            result_issued=case.result_issued_at is not None,
            refused=refused,
        )
        for target in rules.targets_for(shared=shared):
            name = (
                f"{window.center.name} {window.name}"
                if target == Target.WINDOW and window
                else case.handling_department.name
            )
            rating = done.get((stage, target))
            out.append(
                RatingSlot(
                    stage=stage,
                    stage_label=Stage(stage).label,
                    target=target,
                    target_label=Target(target).label,
                    target_name=name,
                    rating=rating,
                    open=reached and rating is None,
                )
            )
    return out


def own_case(actor: Actor, case_number: str) -> Case:
    return access.require_own_case(actor, _case_for(case_number))


def window_case(actor: Actor, case_number: str) -> Case:
    return access.require_window_clerk(actor, _case_for(case_number))


def window_cases_to_rate(actor: Actor, limit: int = 20) -> list[Case]:
    """Recent cases of the clerk's windows, for picking one on the evaluator."""
    window_ids = [
        g.window_id for g in access._grants(actor) if g.role == "clerk" and g.window_id is not None
    ]
    return list(
        Case.objects.filter(intake_window_id__in=window_ids, accepted_at__isnull=False).order_by(
            "-accepted_at"
        )[:limit]
    )


def own_ratings(actor: Actor) -> QuerySet[Rating]:
    access.require_login(actor)
    return (
        Rating.objects.filter(applicant_user_id=actor.pk)
        .select_related("case", "rectification")
        .order_by("-rated_at", "-id")
    )


def rectification_queue(actor: Actor, *, open_only: bool = True) -> QuerySet[Rectification]:
    access.require_login(actor)
    qs = access.visible_rectifications(actor).select_related(
        "rating", "department", "window__center", "rating__case"
    )
    if open_only:
        qs = qs.filter(status__in=sorted(OPEN))
    return qs.order_by("due_on", "id")


@dataclass(frozen=True)
class RectificationView:
    rect: Rectification
    rating: Rating
    moves: dict[str, Move]
    overdue: bool
    indicators: list[tuple[str, str]]  # (indicator label, level label)


def rectification_view(actor: Actor, rectification_id: int, *, today: date) -> RectificationView:
    access.require_login(actor)
    rect = (
        access.visible_rectifications(actor)
        .select_related("rating__case", "department", "window__center")
        .filter(pk=rectification_id)
        .first()
    )
    if rect is None:
        raise NotFound("整改任务")
    rating = rect.rating
    known = rules.indicators_for(rating.channel)
    return RectificationView(
        rect=rect,
        rating=rating,
        moves=moves_from(rect.status, access.rectification_roles(actor, rect)),
        overdue=bool(
            rect.due_on
            and rect.due_on < today
            and rect.status in (RectificationStatus.FOLLOW_UP, RectificationStatus.RECTIFYING)
        ),
        indicators=[
            (known.get(k, k), rules.LEVEL_LABELS.get(v, str(v))) for k, v in rating.scores.items()
        ],
    )


@dataclass(frozen=True)
class PublicBadRating:
    """A bad rating as the public sees it: no names, ID numbers, phones or comments."""

    rated_on: date
    item_name: str
    rated_side: str
    level_label: str
    status_label: str
    outcome: str


def public_bad_ratings(
    *, start: date, end: date, region_code: str | None = None, limit: int = 100
) -> list[PublicBadRating]:
    qs = Rectification.objects.filter(
        rating__rated_on__gte=start,
        rating__rated_on__lte=end,
        status__in=[s for s in RectificationStatus.values if s != RectificationStatus.VOIDED],
    )
    if region_code:
        qs = qs.filter(region__code__startswith=prefix(region_code))
    rows = qs.order_by("-rating__rated_on", "-id").values(
        "rating__rated_on",
        "rating__item_name",
        "rating__level",
        "department__name",
        "window__center__name",
        "window__name",
        "status",
        "outcome",
    )[:limit]
    return [
        PublicBadRating(
            rated_on=r["rating__rated_on"],
            item_name=r["rating__item_name"],
            rated_side=r["department__name"] or f"{r['window__center__name']} {r['window__name']}",
            level_label=rules.LEVEL_LABELS[r["rating__level"]],
            status_label=RectificationStatus(r["status"]).label,
            outcome=r["outcome"] if r["status"] == RectificationStatus.CLOSED else "",
        )
        for r in rows
    ]


def indicators(channel: str = RatingChannel.ONLINE) -> list[tuple[str, str]]:
    return list(rules.indicators_for(channel).items())
