"""Core tables: the durable job queue and the working-day calendar."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class JobStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "执行中"
    DONE = "done", "已完成"
    # An attempt failed; the job waits (run_at) for its next attempt.
    FAILED = "failed", "失败待重试"
    # Out of attempts; an administrator may requeue it.
    DEAD = "dead", "已放弃"


# Statuses in which a job still has work to do; dedupe_key is unique among these.
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED)


class Job(models.Model):
    """One unit of background work, run at least once by ``tongban worker``."""

    name = models.CharField("任务", max_length=100)
    payload = models.JSONField("参数", default=dict, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    run_at = models.DateTimeField("计划执行时间")
    attempts = models.PositiveIntegerField("已尝试次数", default=0)
    max_attempts = models.PositiveIntegerField("最多尝试次数", default=5)
    last_error = models.TextField("最近错误", blank=True)
    locked_by = models.CharField("执行进程", max_length=100, blank=True)
    # Lease: a running job whose lease expired belongs to a crashed worker and is reclaimed.
    locked_until = models.DateTimeField("租约到期", null=True, blank=True)
    dedupe_key = models.CharField("去重键", max_length=200, null=True, blank=True)
    # Lower runs first among due jobs (the handler's; see jobs.registry).
    priority = models.PositiveSmallIntegerField("优先级", default=5)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status__in=["queued", "running", "failed"]),
                name="core_job_dedupe_unfinished",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "run_at"], name="core_job_due"),
            # The claim's walk: waiting jobs in the order they run.
            models.Index(
                fields=["priority", "run_at", "id"],
                condition=Q(status__in=["queued", "failed"]),
                name="core_job_ready",
            ),
            # The claim's look for abandoned leases (a crashed worker's running jobs).
            models.Index(
                fields=["locked_until"], condition=Q(status="running"), name="core_job_leased"
            ),
            models.Index(fields=["dedupe_key"], name="core_job_dedupe"),
        ]

    def __str__(self) -> str:
        return f"{self.name}#{self.pk} ({self.status})"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日"
    WORKDAY_ADJUSTED = "workday_adjusted", "调休上班"
    WEEKEND = "weekend", "周末"
    WEEKDAY = "weekday", "工作日"


class CalendarSource(models.TextChoices):
    PACKAGE = "chinese_calendar", "chinese_calendar 数据包"
    ADMIN = "admin", "管理员维护"


class CalendarDay(models.Model):
    """One day of the working-day calendar. Rows edited by an administrator
    (source=admin) are never overwritten by a reload from the package."""

    date = models.DateField("日期", primary_key=True)
    is_working_day = models.BooleanField("是否工作日")
    kind = models.CharField("类型", max_length=20, choices=DayKind.choices)
    name = models.CharField("节日名称", max_length=64, blank=True)
    source = models.CharField(
        "来源", max_length=20, choices=CalendarSource.choices, default=CalendarSource.PACKAGE
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作日历（日）"
        verbose_name_plural = "工作日历（日）"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """A year the calendar knows. Deadlines are computed only inside complete years."""

    year = models.PositiveSmallIntegerField("年份", primary_key=True)
    complete = models.BooleanField("已完整", default=False)
    source = models.CharField(
        "来源", max_length=20, choices=CalendarSource.choices, default=CalendarSource.PACKAGE
    )
    loaded_at = models.DateTimeField("载入时间", null=True, blank=True)
    # Touched by every change to the year or one of its days: the cache's version stamp.
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工作日历（年）"
        verbose_name_plural = "工作日历（年）"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}（{'完整' if self.complete else '不完整'}）"
