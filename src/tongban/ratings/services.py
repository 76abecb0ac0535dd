"""Writes for ratings: submitting a rating (which opens a rectification when it is bad),
moving a rectification through its table, and setting the rectification deadline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from tongban.accounts.models import Role, RoleGrant
from tongban.cases.models import Case, CaseEvent
from tongban.core.actors import Actor, SystemActor
from tongban.core.calendar import CalendarExhausted, add_working_days
from tongban.core.calendar_store import work_calendar
from tongban.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from tongban.core.jobs import enqueue_many
from tongban.notifications.models import Notification
from tongban.notifications.services import SEND_JOB, notify_case_applicant
from tongban.ratings import access, rules
from tongban.ratings.models import (
    Rating,
    RatingChannel,
    Rectification,
    RectificationEvent,
    RectificationRule,
    RectificationStatus,
    Stage,
    Target,
)
from tongban.ratings.transitions import ACTIONS, SYSTEM
from tongban.regions.codes import covers
from tongban.regions.models import Region

DEFAULT_DUE_DAYS = 5
DUE_DAYS_MAX = 60
_STAFF_ROLES = (Role.CLERK, Role.REVIEWER, Role.APPROVER)


@dataclass
class RatingInput:
    case_number: str
    stage: str
    target: str
    scores: dict[str, Any] = field(default_factory=dict)
    comment: str = ""


def _user(actor: Actor) -> Any:
    return None if isinstance(actor, SystemActor) or not actor.is_authenticated else actor


def _case(case_number: str) -> Case | None:
    return (
        Case.objects.select_related(
            "intake_window__center", "intake_clerk", "handling_department", "implementation"
        )
        .filter(case_number=case_number)
        .first()
    )


def _handlers(case: Case, target: str, shared: bool) -> list[dict[str, Any]]:
    """Staff who acted on the case for the rated side, in order of first action."""
    events = (
        CaseEvent.objects.filter(case=case, actor__isnull=False, actor_role__in=_STAFF_ROLES)
        .order_by("seq")
        .values_list("actor_id", "actor_name", "actor_role")
    )
    seen: dict[int, dict[str, Any]] = {}
    if case.intake_clerk_id and (target == Target.WINDOW or not shared):
        name = str(case.intake_clerk)
        seen[case.intake_clerk_id] = {"id": case.intake_clerk_id, "name": name, "role": "clerk"}
    for actor_id, name, role in events:
        if shared and target == Target.WINDOW and actor_id != case.intake_clerk_id:
            continue
        if shared and target == Target.DEPARTMENT and actor_id == case.intake_clerk_id:
            continue
        entry = seen.setdefault(actor_id, {"id": actor_id, "name": name, "role": role})
        entry["name"] = entry["name"] or name
    return list(seen.values())


def due_days_for(region_code: str) -> int:
    """The most specific rule whose region covers ``region_code``; else the default."""
    best: tuple[int, int] | None = None
    for code, days in RectificationRule.objects.values_list("region_id", "due_days"):
        if covers(code, region_code) and (best is None or len(code.rstrip("0")) > best[0]):
            best = (len(code.rstrip("0")), days)
    return best[1] if best else DEFAULT_DUE_DAYS


def _due_on(start: date, days: int) -> date | None:
    try:
        return add_working_days(work_calendar(), start, days)
    except CalendarExhausted:
        return None  # shown as 期限待定 until the calendar covers the year


def rating_submit(*, actor: Actor, data: RatingInput, channel: str) -> Rating:
    """Rate one side of a case at one stage. ``channel`` ONLINE: the actor is the
    applicant; WINDOW: the actor is a clerk of the intake window holding the evaluator."""
    if channel not in RatingChannel.values:
        raise ValidationFailed("rating_channel_invalid", field="channel")
    case = _case(data.case_number)
    if channel == RatingChannel.ONLINE:
        case = access.require_own_case(actor, case)
    else:
        case = access.require_window_clerk(actor, case)
    if data.stage not in Stage.values:
        raise ValidationFailed("rating_stage_invalid", field="stage")
    window = case.intake_window
    shared = rules.is_shared(
        intake_window_region=window.center.region_id if window else None,
        handling_region=case.handling_region_id,
    )
    if data.target not in rules.targets_for(shared=shared):
        raise ValidationFailed("rating_target_invalid", field="target")
    refused = case.status == "refused" or (case.status == "closed" and case.accepted_at is None)
    if not rules.stage_reached(
        data.stage,
        status=case.status,
        accepted=case.accepted_at is not None,
        result_issued=case.result_issued_at is not None,
        refused=refused,
    ):
        raise ValidationFailed("rating_stage_not_reached", field="stage")
    scores = rules.clean_scores(channel, data.scores)
    comment = rules.clean_comment(data.comment)
    now = timezone.now()
    rated_window = data.target == Target.WINDOW
    region_code = window.center.region_id if (rated_window and window) else case.handling_region_id
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                case=case,
                stage=data.stage,
                target=data.target,
                channel=channel,
                level=scores[rules.OVERALL],
                scores=scores,
                comment=comment,
                task_code=case.implementation.task_code,
                item_name=case.item_name,
                department=None if rated_window else case.handling_department,
                window=window,
                region_id=region_code,
                applicant_user=case.applicant_user,
                applicant_code=case.applicant_code,
                handlers=_handlers(case, data.target, shared),
                entered_by=_user(actor),
                rated_at=now,
                rated_on=timezone.localdate(now),
            )
            if rating.is_bad:
                _open_rectification(rating)
    except IntegrityError as exc:
        raise Conflict("rating_duplicate", field="stage") from exc
    return rating


def _open_rectification(rating: Rating) -> Rectification:
    days = due_days_for(rating.region_id)
    rect = Rectification.objects.create(
        rating=rating,
        department=rating.department,
        window=rating.window if rating.target == Target.WINDOW else None,
        region_id=rating.region_id,
        due_days=days,
        due_on=_due_on(rating.rated_on, days),
    )
    RectificationEvent.objects.create(
        rectification=rect,
        action="open",
        from_status="",
        to_status=rect.status,
        at=rating.rated_at,
        note=f"差评（{rules.LEVEL_LABELS[rating.level]}）自动生成回访和整改任务",
    )
    _notify_responsible_staff(rect, rating)
    return rect


def _notify_responsible_staff(rect: Rectification, rating: Rating) -> int:
    """Tell the staff who answer for a new 回访/整改 task (those ``access`` lets act on it:
    reviewers and approvers of the rated department, or the staff of the rated window)
    — one message each, queued in the rating's transaction. The message names the case
    and the deadline, not the applicant."""
    if rect.department_id:
        who = Q(department_id=rect.department_id, role__in=access.DEPT_ROLES)
    elif rect.window_id:
        who = Q(window_id=rect.window_id) & ~Q(role=Role.SUPERVISOR)
    else:
        return 0
    users = sorted(set(RoleGrant.objects.filter(who).values_list("user_id", flat=True)))
    due = f"请于 {rect.due_on:%Y年%m月%d日} 前" if rect.due_on else "请尽快"
    body = (
        f"【通办】办件 {rating.case.case_number}（{rating.item_name}）收到差评"
        f"（{rules.LEVEL_LABELS[rating.level]}），已生成回访和整改任务，{due}完成回访和整改。"
        "请登录工作台“好差评回访整改”处理。"
    )
    made = Notification.objects.bulk_create(
        [Notification(recipient_id=u, subject="差评回访整改任务", body=body) for u in users]
    )
    enqueue_many((SEND_JOB, {"id": n.pk}) for n in made)
    return len(made)


def rectification_transition(
    *,
    actor: Actor,
    rectification_id: int,
    action: str,
    note: str = "",
    outcome: str = "",
    expected_revision: int | None = None,
) -> Rectification:
    """The one write path of a rectification: lock, check the table and the actor's role,
    require a note where the table says so, stamp the step, append the event, and tell
    the applicant when it ends."""
    if action not in ACTIONS:
        raise ValidationFailed("rectification_action_unknown", field="action")
    note = (note or "").strip()
    outcome = (outcome or "").strip()
    if len(note) > 2000 or len(outcome) > 500:
        raise ValidationFailed("rectification_text_too_long", field="note")
    with transaction.atomic():
        rect = Rectification.objects.select_for_update().filter(pk=rectification_id).first()
        if rect is None or not access.rectification_roles(actor, rect):
            access.require_login(actor)
            raise NotFound("整改任务")
        if expected_revision is not None and rect.revision != expected_revision:
            raise Conflict("conflict")
        frm, to, move = ACTIONS[action]
        if rect.status != frm:
            raise Conflict("rectification_illegal_transition", field="action")
        if not move.roles & access.rectification_roles(actor, rect):
            raise PermissionDenied("rectification_role", field="action")
        if move.note_required and not note:
            raise ValidationFailed("rectification_note_required", field="note")
        now = timezone.now()
        rating = Rating.objects.select_for_update().get(pk=rect.rating_id)
        if action == "follow_up":
            rect.followed_up_at = now
            rect.follow_up_note = note
        elif action == "submit_rectification":
            if not outcome:
                raise ValidationFailed("rectification_outcome_required", field="outcome")
            rect.measures = note
            rect.outcome = outcome
            rect.rectified_at = now
        elif action == "appeal":
            rect.appeal_reason = note
        elif action in ("approve_rectification", "uphold_appeal"):
            rect.closed_at = now
        if action == "uphold_appeal":
            rating.excluded = True
            rating.save(update_fields=["excluded"])
            rect.outcome = "经审核，该差评申诉成立，不计入统计。"
        prev = rect.status
        rect.status = to
        rect.revision += 1
        rect.save()
        user = _user(actor)
        RectificationEvent.objects.create(
            rectification=rect,
            action=action,
            from_status=prev,
            to_status=to,
            actor=user,
            actor_name=str(user) if user else "系统",
            at=now,
            note=note,
        )
        if to == RectificationStatus.CLOSED:
            notify_case_applicant(
                rating.case, event="您的差评已回访并整改办结", opinion=rect.outcome
            )
        elif to == RectificationStatus.VOIDED:
            notify_case_applicant(rating.case, event="您的差评经复核申诉成立", opinion=note)
    return rect


def rectification_rule_set(*, actor: Actor, region_code: str, due_days: int) -> int:
    """Set the working days to rectify bad ratings in a region (supervisors of a region
    covering it, or the system)."""
    access.require_login(actor)
    if isinstance(due_days, bool) or not 1 <= due_days <= DUE_DAYS_MAX:
        raise ValidationFailed("rectification_due_days_invalid", field="due_days")
    if not Region.objects.filter(code=region_code).exists():
        raise ValidationFailed("region_unknown", field="region_code")
    if not isinstance(actor, SystemActor) and not any(
        g.role == Role.SUPERVISOR and covers(g.region_id, region_code) for g in actor.grants.all()
    ):
        raise PermissionDenied("region_scope", field="region_code")
    RectificationRule.objects.update_or_create(
        region_id=region_code, defaults={"due_days": due_days}
    )
    return due_days


__all__ = [
    "DEFAULT_DUE_DAYS",
    "SYSTEM",
    "RatingInput",
    "due_days_for",
    "rating_submit",
    "rectification_rule_set",
    "rectification_transition",
]
