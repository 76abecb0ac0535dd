"""Background jobs of 电子监察 (scheduled in ``tongban.core.job_handlers.PERIODIC``)."""

from __future__ import annotations

from typing import Any

from tongban.core.jobs import job_handler


@job_handler("supervision.scan")
def scan(payload: dict[str, Any]) -> None:
    """Every morning: evaluate all open cases (raise, resolve, notify)."""
    from django.utils import timezone

    from tongban.core.calendar_store import work_calendar
    from tongban.supervision.scanner import cards_scan
    from tongban.supervision.stats import stats_refresh

    today, cal = timezone.localdate(), work_calendar()
    cards_scan(today=today, cal=cal)
    stats_refresh(today=today, cal=cal)


@job_handler("supervision.monthly_report")
def monthly_report(payload: dict[str, Any]) -> None:
    """Daily; generates last month's 月通报 for every supervised region that has none yet
    (so a worker that was down on the 1st still produces it)."""
    from django.utils import timezone

    from tongban.supervision.report import reports_generate_due

    reports_generate_due(today=timezone.localdate())
