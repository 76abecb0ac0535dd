"""Periodic jobs: a schedule in code, from which the worker queues each due run once.

A run is identified by its period (``periodic:<name>:<scheduled time>``), stored as the
job's dedupe key. Only the latest due period is queued, so a worker that was down for
three days runs a daily job once, not three times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from tongban.core.jobs.queue import enqueue
from tongban.core.models import Job

# Serialises schedulers on PostgreSQL (SQLite's IMMEDIATE transactions already do).
_PG_LOCK_KEY = 0x74625F6A6F6273  # "tb_jobs"


@dataclass(frozen=True)
class Daily:
    """Every day at hour:minute local time."""

    hour: int
    minute: int = 0
    tz: str = "Asia/Shanghai"

    def latest(self, now: datetime) -> datetime:
        zone = ZoneInfo(self.tz)
        local = now.astimezone(zone)
        at = datetime.combine(local.date(), time(self.hour, self.minute), tzinfo=zone)
        if at > local:
            at = datetime.combine(
                local.date() - timedelta(days=1), time(self.hour, self.minute), tzinfo=zone
            )
        return at


@dataclass(frozen=True)
class Every:
    """Every ``seconds``, aligned to the Unix epoch (so all workers agree on periods)."""

    seconds: int

    def latest(self, now: datetime) -> datetime:
        ts = int(now.timestamp()) // self.seconds * self.seconds
        return datetime.fromtimestamp(ts, tz=UTC)


@dataclass(frozen=True)
class Periodic:
    name: str
    schedule: Daily | Every
    max_attempts: int = 3

    def key(self, at: datetime) -> str:
        return f"periodic:{self.name}:{at.isoformat()}"


def schedule_due(periodic: list[Periodic], now: datetime) -> list[Job]:
    """Queue the latest due run of every periodic job not queued before. Returns new jobs."""
    created: list[Job] = []
    if not periodic:
        return created
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])
        for p in periodic:
            at = p.schedule.latest(now)
            key = p.key(at)
            # Any status: a finished run of this period must not run again.
            if Job.objects.filter(dedupe_key=key).exists():
                continue
            created.append(
                enqueue(
                    p.name,
                    {"scheduled_for": at.isoformat()},
                    run_at=at,
                    dedupe_key=key,
                    max_attempts=p.max_attempts,
                )
            )
    return created
