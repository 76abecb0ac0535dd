"""Queueing notifications (inside the caller's transaction) and sending them (a job)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from tongban.core.jobs import enqueue
from tongban.notifications.models import Notification, NotificationStatus

if TYPE_CHECKING:
    from tongban.cases.models import Case


def notify_case_applicant(case: Case, *, event: str, opinion: str = "") -> Notification:
    number = case.case_number or "（草稿）"
    body = f"【通办】您申请的“{case.item_name}”（办件编号 {number}）：{event}。"
    if opinion:
        body += f"意见：{opinion}"
    n = Notification.objects.create(
        case=case,
        recipient=case.applicant_user,
        phone=case.applicant_phone,
        email=getattr(case.applicant_user, "email", "") or "",
        subject=f"办件进度：{event}",
        body=body,
    )
    # One job per new row: a dedupe key could never match, and costs a lookup.
    enqueue("notifications.send", {"id": n.pk})
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
