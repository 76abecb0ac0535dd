"""Django admin for the working-day calendar and the job queue.

Edits go through the calendar services (source=admin, cache version bumped), never a
bare ``save()``; jobs are read-only apart from the "retry now" action.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from tongban.accounts.models import Role
from tongban.accounts.services import require_role
from tongban.core.calendar_store import calendar_coverage, calendar_day_set, calendar_year_set
from tongban.core.errors import TongbanError
from tongban.core.jobs import job_requeue
from tongban.core.models import CalendarDay, CalendarYear, Job


def _warn_coverage(request: HttpRequest) -> None:
    cov = calendar_coverage()
    if cov.last_year is None:
        messages.error(
            request, "工作日历为空：无法计算任何法定期限。请运行 tongban load-calendar。"
        )
    elif cov.missing_between:
        gaps = "、".join(str(y) for y in cov.missing_between)
        messages.warning(request, f"工作日历缺少年份 {gaps}：涉及这些年份的期限无法计算。")
    else:
        messages.info(
            request,
            f"工作日历已覆盖 {cov.first_year}–{cov.last_year} 年；"
            f"超出 {cov.last_year} 年的法定期限将拒绝计算，请在国务院公布次年安排后录入。",
        )


def _may_edit_calendar(request: HttpRequest) -> bool:
    """Django's model permission is not enough: the calendar is the node administrator's."""
    try:
        require_role(request.user, Role.NODE_ADMIN)
    except TongbanError:
        return False
    return True


class CalendarEditingAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and _may_edit_calendar(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and _may_edit_calendar(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A missing day would silently fall back to the weekday rule; edit it instead.
        return False

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        _warn_coverage(request)
        return super().changelist_view(request, extra_context)


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "is_working_day", "name"]


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarEditingAdmin):
    form = CalendarDayForm
    list_display = ["date", "weekday", "is_working_day", "kind", "name", "source", "updated_at"]
    list_filter = ["is_working_day", "kind", "source"]
    search_fields = ["name"]
    date_hierarchy = "date"
    readonly_fields = ["kind", "source", "updated_at"]

    @admin.display(description="星期")
    def weekday(self, obj: CalendarDay) -> str:
        return "一二三四五六日"[obj.date.weekday()]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.readonly_fields)
        return [*fields, "date"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: CalendarDay, form: Any, change: bool) -> None:
        try:
            saved = calendar_day_set(
                actor=request.user,
                day=obj.date,
                is_working_day=obj.is_working_day,
                name=obj.name,
            )
        except TongbanError as exc:
            messages.error(request, exc.message)
            return
        obj.kind, obj.source, obj.updated_at = saved.kind, saved.source, saved.updated_at


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ["year", "complete"]


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarEditingAdmin):
    form = CalendarYearForm
    list_display = ["year", "complete", "source", "loaded_at", "updated_at"]
    list_filter = ["complete", "source"]
    readonly_fields = ["source", "loaded_at", "updated_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(self.readonly_fields)
        return [*fields, "year"] if obj is not None else fields

    def save_model(self, request: HttpRequest, obj: CalendarYear, form: Any, change: bool) -> None:
        try:
            saved = calendar_year_set(actor=request.user, year=obj.year, complete=obj.complete)
        except TongbanError as exc:
            messages.error(request, exc.message)
            return
        obj.source, obj.updated_at = saved.source, saved.updated_at


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "status", "run_at", "attempts", "max_attempts", "locked_by"]
    list_filter = ["status", "name"]
    search_fields = ["name", "dedupe_key"]
    date_hierarchy = "run_at"
    actions = ["retry_now"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in Job._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="立即重试所选失败或已放弃的任务")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        try:
            n = job_requeue(actor=request.user, job_ids=queryset.values_list("pk", flat=True))
        except TongbanError as exc:
            messages.error(request, exc.message)
            return
        messages.success(request, f"已重新排队 {n} 个任务")
