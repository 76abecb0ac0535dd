"""Queueing notifications (inside the caller's transaction) and sending them (a job)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tongban.core.jobs import enqueue
from tongban.notifications.models import Notification, NotificationStatus

SEND_JOB = "notifications.send"

if TYPE_CHECKING:
    from tongban.cases.models import Case


def notification_build(case: Case, *, event: str, opinion: str = "") -> Notification:
    """The applicant's message about a move of ``case`` (unsaved): the one text format for
    every sender (``notify_case_applicant``, the bulk counter intake)."""
    number = case.case_number or "（草稿）"
    body = f"【通办】您申请的“{case.item_name}”（办件编号 {number}）：{event}。"
    if opinion:
        body += f"意见：{opinion}"
    user = case.applicant_user if case.applicant_user_id is not None else None
    return Notification(
        case=case,
        recipient=user,
        phone=case.applicant_phone,
        email=getattr(user, "email", "") or "",
        subject=f"办件进度：{event}",
        body=body,
    )


def notify_case_applicant(case: Case, *, event: str, opinion: str = "") -> Notification:
    n = notification_build(case, event=event, opinion=opinion)
    n.save(force_insert=True)
    # One job per new row: a dedupe key could never match, and costs a lookup.
    enqueue(SEND_JOB, {"id": n.pk})
    return n


def notification_send(notification_id: int) -> None:
    from tongban.notifications.adapters import get_notifier

    with transaction.atomic():
        n = Notification.objects.select_for_update().get(pk=notification_id)
        if n.status == NotificationStatus.SENT:
            return
        notifier = get_notifier()
        notifier.send(n)
        n.status = NotificationStatus.SENT
        n.adapter = notifier.name
        n.sent_at = timezone.now()
        n.save(update_fields=["status", "adapter", "sent_at"])
