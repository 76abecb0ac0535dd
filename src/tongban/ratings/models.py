"""Ratings (好差评, GB/T 39734/39735) and what a bad one sets off.

A ``Rating`` is tied to the case, its item code, the applicant and the handlers, and
rates one target (the intake window or the deciding department) at one stage (受理 or
办结). ``level`` is the overall satisfaction (整体满意度) and is what the statistics use;
the other indicators live in ``scores``. A bad rating (level 1-2) opens one
``Rectification``, which carries the follow-up call (回访), the rectification and a
possible appeal to closure; its status changes only through
``services.rectification_transition`` and every change appends a ``RectificationEvent``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

BAD_LEVEL_MAX = 2  # 差评 = 非常不满意 1 or 不满意 2


class Level(models.IntegerChoices):
    VERY_SATISFIED = 5, "非常满意"
    SATISFIED = 4, "满意"
    BASIC = 3, "基本满意"
    DISSATISFIED = 2, "不满意"
    VERY_DISSATISFIED = 1, "非常不满意"


class Stage(models.TextChoices):
    ACCEPTANCE = "acceptance", "受理"
    CLOSURE = "closure", "办结"


class Target(models.TextChoices):
    WINDOW = "window", "收件窗口"
    DEPARTMENT = "department", "办理部门"


class RatingChannel(models.TextChoices):
    ONLINE = "online", "网上评价（一事一评）"
    WINDOW = "window", "窗口评价器（一次一评）"


class Rating(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="ratings")
    stage = models.CharField("评价环节", max_length=16, choices=Stage.choices)
    target = models.CharField("评价对象", max_length=16, choices=Target.choices)
    channel = models.CharField("评价渠道", max_length=16, choices=RatingChannel.choices)
    level = models.PositiveSmallIntegerField("整体满意度", choices=Level.choices)
    scores = models.JSONField("分项评价", default=dict)
    comment = models.TextField("评价内容", blank=True)

    # What was rated, copied from the case when rated (the statistics group by these).
    task_code = models.CharField("事项实施编码", max_length=31)
    item_name = models.CharField("事项名称", max_length=200)
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    window = models.ForeignKey(
        "accounts.Window", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    # Who rated and who handled (personal data: never shown on the public page).
    applicant_user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    applicant_code = models.CharField("申请人证件号码", max_length=18)
    handlers = models.JSONField("办理人员", default=list)  # [{"id", "name", "role"}]
    entered_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    rated_at = models.DateTimeField("评价时间")
    rated_on = models.DateField("评价日期", db_index=True)
    # An upheld appeal (恶意差评) takes the rating out of the statistics; it stays stored.
    excluded = models.BooleanField("申诉成立，不计入统计", default=False)

    class Meta:
        ordering = ["-rated_at", "-id"]
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints = [
            models.UniqueConstraint(
                fields=["case", "stage", "target"], name="uniq_rating_case_stage_target"
            ),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level"),
        ]
        indexes = [
            models.Index(fields=["rated_on", "department"]),
            models.Index(fields=["department", "rated_on"]),
        ]

    @property
    def is_bad(self) -> bool:
        return self.level <= BAD_LEVEL_MAX


class RectificationStatus(models.TextChoices):
    FOLLOW_UP = "follow_up", "待回访"
    RECTIFYING = "rectifying", "整改中"
    REVIEW = "review", "待审核"
    APPEALED = "appealed", "申诉中"
    CLOSED = "closed", "已整改办结"
    VOIDED = "voided", "申诉成立"


class Rectification(models.Model):
    """The follow-up (回访) and rectification (整改) of one bad rating."""

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    status = models.CharField(
        max_length=16, choices=RectificationStatus.choices, default=RectificationStatus.FOLLOW_UP
    )
    # Responsible side, copied from the rating for the staff queues.
    department = models.ForeignKey(
        "accounts.Department", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    window = models.ForeignKey(
        "accounts.Window", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    due_days = models.PositiveSmallIntegerField("整改时限（工作日）")
    due_on = models.DateField("整改期限", null=True, blank=True)
    followed_up_at = models.DateTimeField("回访时间", null=True, blank=True)
    follow_up_note = models.TextField("回访记录", blank=True)
    measures = models.TextField("整改措施", blank=True)
    outcome = models.TextField("处理结果（公开）", blank=True)
    appeal_reason = models.TextField("申诉理由", blank=True)
    rectified_at = models.DateTimeField("整改完成时间", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revision = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        indexes = [
            models.Index(fields=["department", "status"]),
            models.Index(fields=["status", "due_on"]),
        ]


class RectificationEvent(models.Model):
    """One step of a rectification. Append-only."""

    rectification = models.ForeignKey(
        Rectification, on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=16)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    actor_name = models.CharField(max_length=128, blank=True)
    at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["rectification_id", "at", "id"]


class RectificationRule(models.Model):
    """Working days a department has to rectify a bad rating, per region (and everything
    inside it); the most specific region wins, and without one the default applies."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="+")
    due_days = models.PositiveSmallIntegerField("整改时限（工作日）")

    class Meta:
        verbose_name = "整改时限规则"
        verbose_name_plural = "整改时限规则"
