"""电子监察: warning rules, the cards the scanner raises, 督办 and the monthly report.

Cards are never deleted: a card is raised once per (case, kind, rule, ref_date) — the
unique constraint makes the scanner idempotent — and moves open → resolved / closed
with every step appended to ``CardEvent``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class CardKind(models.TextChoices):
    YELLOW = "yellow", "黄牌"
    RED = "red", "红牌"
    ESCALATED = "escalated", "红牌（督办逾期）"
    STEP = "step", "环节超时"
    ANOMALY = "anomaly", "异常办件"


class CardStatus(models.TextChoices):
    OPEN = "open", "待处理"
    RESOLVED = "resolved", "已解除"  # the case moved on (decided, deadline moved, …)
    CLOSED = "closed", "已办结"  # a supervisor closed it


class Segment(models.TextChoices):
    """The part of the case that caused the delay (and so who answers for it)."""

    INTAKE = "intake", "收件受理"
    TRANSIT = "transit", "原件寄递"
    DECISION = "decision", "审批决定"


class WarningRule(models.Model):
    """Per implementation overrides of the default warning thresholds."""

    implementation = models.OneToOneField(
        "catalog.ItemImplementation", on_delete=models.CASCADE, related_name="warning_rule"
    )
    yellow_days = models.PositiveSmallIntegerField("黄牌：剩余工作日 ≤")
    yellow_percent = models.PositiveSmallIntegerField("黄牌：剩余时限占比 ≤ (%)")
    step_timers = models.BooleanField("启用环节计时", default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "预警规则"
        verbose_name_plural = "预警规则"


class ScanRun(models.Model):
    """One run of the scanner (what it saw and raised), for the record and the bench."""

    today = models.DateField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    raised = models.JSONField(default=dict)  # kind → new cards
    resolved = models.PositiveIntegerField(default=0)
    notified = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-id"]


class Card(models.Model):
    # No database foreign-key constraints: a scan inserts up to a few hundred thousand
    # cards and each constraint is a per-row check at commit (ADR 0014, performance
    # follow-ups). The case id is read from the case table by the very statement that
    # writes the card, and submitted cases are never deleted; the regions, department
    # and window are copies of the case's own (validated) references; the scan is the
    # one that writes the card. The ORM relations and on_delete=PROTECT stay.
    # Few indexes on purpose: a scan may insert a few hundred thousand cards. The unique
    # constraint (case first) serves lookups by case.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(max_length=16, choices=CardKind.choices)
    rule = models.CharField(max_length=40)  # see rules.RULE_LABELS
    # The deadline a deadline card is about; the day the watched step started (step
    # cards); the day of the event (anomaly cards).
    ref_date = models.DateField()
    segment = models.CharField(max_length=16, choices=Segment.choices)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    window = models.ForeignKey(
        "accounts.Window",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    status = models.CharField(max_length=16, choices=CardStatus.choices, default=CardStatus.OPEN)
    raised_at = models.DateTimeField()
    raised_on = models.DateField()
    # The case's regions and deciding department, copied so that scoping a supervisor's
    # cards (intake or handling region) needs no join with the case table.
    intake_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    handling_region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    handling_department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Not indexed: on PostgreSQL the scanner counts and writes the history of its new
    # cards from the INSERT's RETURNING, never reading them back by scan (ADR 0014).
    scan = models.ForeignKey(
        ScanRun,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cards",
        db_index=False,
        db_constraint=False,
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = "预警牌"
        verbose_name_plural = "预警牌"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind", "rule", "ref_date"], name="uniq_card_once"
            )
        ]
        indexes = [
            # The dashboard's lists: open cards of a kind, earliest first — with the id in
            # the key a LIMIT stops after the first rows (ties on ref_date are common).
            models.Index(
                fields=["kind", "ref_date", "id"],
                condition=Q(status="open"),
                name="card_open_kind_ref_idx",
            ),
            models.Index(fields=["department", "status"]),
        ]


class EscalationStatus(models.TextChoices):
    ISSUED = "issued", "待答复"
    REPLIED = "replied", "已答复"
    CLOSED = "closed", "已办结"


class Escalation(models.Model):
    """督办: a supervisor asks the responsible unit to act and reply by a deadline."""

    card = models.ForeignKey(Card, on_delete=models.PROTECT, related_name="escalations")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        "accounts.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        "accounts.Window", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=EscalationStatus.choices, default=EscalationStatus.ISSUED
    )
    request = models.TextField("督办要求")
    reply_days = models.PositiveSmallIntegerField("答复时限（工作日）")
    reply_deadline = models.DateField("答复期限")
    issued_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    reply = models.TextField("答复", blank=True)
    replied_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_late = models.BooleanField(default=False)
    outcome = models.TextField("办结意见", blank=True)
    closed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at", "-id"]
        verbose_name = "督办"
        verbose_name_plural = "督办"
        constraints = [
            models.UniqueConstraint(
                fields=["card"], condition=~Q(status="closed"), name="uniq_active_escalation"
            )
        ]
        indexes = [models.Index(fields=["status", "reply_deadline"])]


class CardEvent(models.Model):
    """One line of a card's history (raised, resolved, 督办 issued/replied/closed …).
    Append-only."""

    # (card, at) below serves it. No database constraints: the scanner writes these rows
    # by the hundred thousand for cards it has just inserted or updated in the same
    # transaction, and a card is never deleted; the per-row check at commit cost more
    # than the inserts (see ADR 0014, performance follow-ups). The escalation and actor
    # of the few rows that have them are set by the services from a locked Escalation
    # and the signed-in user (neither is ever deleted); a deferred constraint still
    # queues a check per inserted row even when the column is NULL.
    card = models.ForeignKey(
        Card, on_delete=models.PROTECT, related_name="events", db_index=False, db_constraint=False
    )
    escalation = models.ForeignKey(
        Escalation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,  # partial index below: the scanner's rows have none
        db_constraint=False,
    )
    action = models.CharField(max_length=24)
    actor = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    actor_name = models.CharField(max_length=128, blank=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["card_id", "at", "id"]
        indexes = [
            models.Index(fields=["card", "at"]),
            # Only the few 督办 rows have an escalation; the scanner's hundreds of thousands
            # of raise/resolve rows stay out of this index.
            models.Index(
                fields=["escalation"],
                condition=Q(escalation__isnull=False),
                name="cardevent_escalation_idx",
            ),
        ]


class MonthlyReport(models.Model):
    """月通报 of one month for one region, archived as HTML and PDF in the data dir."""

    month = models.DateField("月份")  # first day of the month
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    generated_at = models.DateTimeField()
    generated_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    html_path = models.CharField(max_length=300)  # relative to TONGBAN_DATA_DIR
    pdf_path = models.CharField(max_length=300)
    pdf_sha256 = models.CharField(max_length=64)
    pdf_size = models.PositiveIntegerField()
    figures = models.JSONField(default=dict)  # headline numbers, for lists and tests

    class Meta:
        ordering = ["-month", "region_id"]
        verbose_name = "月通报"
        verbose_name_plural = "月通报"
        constraints = [
            models.UniqueConstraint(fields=["month", "region"], name="uniq_monthly_report")
        ]


class CaseDayStat(models.Model):
    """Rollup for the dashboard: submitted cases per local day, deciding region and
    department, current status, channel, mode and cross-region flag. Rebuilt by the scan
    for recent days (``stats.STATS_DAYS``); the dashboard sums these rows instead of
    scanning the case table."""

    day = models.DateField()
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=24)
    channel = models.CharField(max_length=16)
    mode = models.CharField(max_length=16)
    cross_region = models.BooleanField()
    n = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["day", "region"]),
            models.Index(fields=["department", "day"]),
        ]


class FinishDayStat(models.Model):
    """Rollup of finished cases (result issued) per local day and department: how many,
    how many on time, working days used (pauses excluded) and promised."""

    day = models.DateField()
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+"
    )
    n = models.PositiveIntegerField()
    on_time = models.PositiveIntegerField()
    used_days = models.PositiveIntegerField()
    promised_days = models.PositiveIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["day", "region"]),
            models.Index(fields=["department", "day"]),
        ]


class CardCount(models.Model):
    """Open cards counted by kind, segment and responsible unit, with the case scope
    (regions, deciding department), rebuilt at the end of every scan: the dashboard's
    counts come from here (as of the last scan) instead of counting a large card table."""

    kind = models.CharField(max_length=16)
    segment = models.CharField(max_length=16)
    region = models.ForeignKey("regions.Region", on_delete=models.CASCADE, related_name="+")
    department = models.ForeignKey(
        "accounts.Department", null=True, on_delete=models.CASCADE, related_name="+"
    )
    window = models.ForeignKey(
        "accounts.Window", null=True, on_delete=models.CASCADE, related_name="+"
    )
    intake_region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    handling_region = models.ForeignKey(
        "regions.Region", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    handling_department = models.ForeignKey(
        "accounts.Department", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    n = models.PositiveIntegerField()
