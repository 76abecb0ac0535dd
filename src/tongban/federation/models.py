"""Outbox and inbox: how anything that crosses a node boundary is recorded.

An ``OutboxMessage`` is written in the same transaction as the state change it reports.
A job delivers it; the receiver records the message id in its ``InboxMessage`` table
before applying it, so a duplicate delivery is acknowledged and ignored. Until nodes are
split (federation issue) the recipient is this node and delivery is a local call.
"""

from __future__ import annotations

import uuid

from django.db import models


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    DELIVERED = "delivered", "已送达"
    DEAD = "dead", "发送失败"


class OutboxMessage(models.Model):
    message_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    type = models.CharField(max_length=80)  # e.g. cn.tongban.case.handed-off
    stream = models.CharField(max_length=64)  # e.g. the case number: one ordered stream
    seq = models.PositiveIntegerField()
    recipient_region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+"
    )
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["stream", "seq"], name="uniq_outbox_stream_seq")
        ]
        indexes = [models.Index(fields=["status", "id"])]


class InboxMessage(models.Model):
    message_id = models.UUIDField(unique=True)
    type = models.CharField(max_length=80)
    stream = models.CharField(max_length=64)
    seq = models.PositiveIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
