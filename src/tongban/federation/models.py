"""Outbox, inbox and message log: how anything that crosses a node boundary is recorded.

An ``OutboxMessage`` is written in the same transaction as the state change it reports.
For a recipient on this node a job delivers it by a local call; for a remote node the
worker signs it into an envelope and POSTs it (``federation.outbox``). The receiver records
the message id in ``InboxMessage`` before applying it, so a duplicate is acknowledged and
ignored; messages of one (sender, stream) apply in ``seq`` order (``InboxStream``), later
ones are held. Every envelope sent, received or rejected is appended to the hash-chained
``LogEntry`` table (``federation.log``).
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
    seq = models.PositiveIntegerField()  # 1, 2, ... per (recipient_node, stream)
    schema = models.PositiveSmallIntegerField(default=1)  # payload schema version
    recipient_region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # "" = this node (local delivery); otherwise the registry id of the receiving node.
    recipient_node = models.CharField(max_length=64, blank=True, default="")
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Remote sending: when the next attempt is due, and a short lease while one sender
    # has the row in flight (so two senders never post the same row at once).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient_node", "stream", "seq"], name="uniq_outbox_node_stream_seq"
            )
        ]
        indexes = [
            models.Index(fields=["status", "id"]),
            models.Index(fields=["recipient_node", "status", "next_attempt_at"]),
        ]


class InboxStatus(models.TextChoices):
    APPLIED = "applied", "已处理"
    HELD = "held", "等待前序消息"


class InboxMessage(models.Model):
    message_id = models.UUIDField(unique=True)
    type = models.CharField(max_length=80)
    sender = models.CharField(max_length=64, blank=True, default="")  # "" = this node
    stream = models.CharField(max_length=64)
    seq = models.PositiveIntegerField()
    status = models.CharField(
        max_length=16, choices=InboxStatus.choices, default=InboxStatus.APPLIED
    )
    # Kept only while held (a gap before it): what is needed to apply it later.
    header = models.JSONField(null=True, blank=True)
    payload = models.JSONField(null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sender", "stream", "status", "seq"])]


class InboxStream(models.Model):
    """The last sequence number applied per (sender node, stream)."""

    sender = models.CharField(max_length=64)
    stream = models.CharField(max_length=64)
    last_seq = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sender", "stream"], name="uniq_inbox_stream")
        ]


class LogDirection(models.TextChoices):
    SENT = "sent", "发送"
    RECEIVED = "received", "接收"
    REJECTED = "rejected", "拒收"


class LogEntry(models.Model):
    """One envelope sent, received or rejected. Append-only and hash-chained:
    ``hash = SM3(prev_hash || canonical record)``; see ``federation.log``."""

    id = models.BigAutoField(primary_key=True)
    logged_at = models.DateTimeField()
    direction = models.CharField(max_length=12, choices=LogDirection.choices)
    message_id = models.CharField(max_length=64, db_index=True)
    kind = models.CharField(max_length=12)  # message | request | response
    type = models.CharField(max_length=80)
    sender = models.CharField(max_length=64)
    recipient = models.CharField(max_length=64)
    stream = models.CharField(max_length=64, blank=True)
    seq = models.PositiveIntegerField(default=0)
    created_at = models.CharField(max_length=40)  # as signed (ISO 8601)
    payload_sm3 = models.CharField(max_length=64)
    signature = models.TextField(blank=True)  # base64, as received or sent
    key_fingerprint = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=48, blank=True)  # rejection reason code
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["logged_at"])]


class LogHead(models.Model):
    """Singleton (pk=1): the last entry's id and hash. Serialises appends (row lock) and
    lets ``log verify`` notice entries cut off the end of the chain."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    count = models.BigIntegerField(default=0)


class LogCheckpoint(models.Model):
    """Written when retention prunes old entries: the chain continues from here."""

    upto_id = models.BigIntegerField()  # last pruned entry
    upto_hash = models.CharField(max_length=64)
    pruned = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]


class Probe(models.Model):
    """A generic test message applied on this node (``cn.tongban.probe``): node health
    checks, the fault harness and the federation benchmark count these. No uniqueness on
    purpose, so a duplicate application would show as two rows."""

    sender = models.CharField(max_length=64)
    stream = models.CharField(max_length=64)
    seq = models.PositiveIntegerField()
    n = models.PositiveIntegerField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sender", "stream", "seq"])]
