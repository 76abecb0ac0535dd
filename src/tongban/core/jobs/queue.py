"""The durable job queue: enqueue, claim with a lease, finish, fail with backoff.

Claiming is atomic on both databases: PostgreSQL skips rows other workers have locked
(``FOR UPDATE SKIP LOCKED``); SQLite runs every transaction as ``BEGIN IMMEDIATE``
(settings), so one writer at a time selects and marks a job. A job runs at least once;
handlers must be idempotent.
"""

from __future__ import annotations

import logging
import random
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tongban.accounts.models import Role
from tongban.accounts.services import require_role
from tongban.core.actors import Actor
from tongban.core.jobs.registry import (
    DEFAULT_LEASE_SECONDS,
    LANE_DEFAULT,
    LANES,
    HandlerSpec,
    get_handler,
    lane_names,
    load_handlers,
)
from tongban.core.models import UNFINISHED, Job, JobStatus

logger = logging.getLogger("tongban.jobs")

BACKOFF_BASE_SECONDS = 10.0
BACKOFF_CAP_SECONDS = 3600.0
ERROR_MAX_CHARS = 4000


def enqueue(
    name: str,
    payload: dict[str, Any] | None = None,
    *,
    run_at: datetime | None = None,
    dedupe_key: str | None = None,
    max_attempts: int = 5,
) -> Job:
    """Queue a job. Call it inside the transaction of the state change it follows, so the
    job exists exactly when that change committed.

    With ``dedupe_key``, an unfinished job with the same key is returned instead of
    queueing a second one.
    """
    load_handlers()
    spec = get_handler(name)
    if spec is None:
        raise ValueError(f"no job handler registered for {name!r}")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    fields: dict[str, Any] = {
        "name": name,
        "payload": payload or {},
        "run_at": run_at or timezone.now(),
        "max_attempts": max_attempts,
        "dedupe_key": dedupe_key or None,
        "priority": spec.priority,
    }
    with transaction.atomic():
        if dedupe_key:
            existing = _unfinished(dedupe_key)
            if existing is not None:
                return existing
        try:
            with transaction.atomic():  # savepoint: a concurrent twin may win the insert
                return Job.objects.create(**fields)
        except IntegrityError:
            existing = _unfinished(dedupe_key) if dedupe_key else None
            if existing is None:
                raise
            return existing


def enqueue_many(
    jobs: Iterable[tuple[str, dict[str, Any]]],
    *,
    run_at: datetime | None = None,
    max_attempts: int = 5,
) -> list[Job]:
    """Queue many jobs (``(name, payload)`` pairs) with one insert, inside the caller's
    transaction like :func:`enqueue`. No dedupe keys: each pair is a new job."""
    load_handlers()
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    when = run_at or timezone.now()
    pairs = list(jobs)
    specs: dict[str, HandlerSpec] = {}
    for name, _ in pairs:
        spec = get_handler(name)
        if spec is None:
            raise ValueError(f"no job handler registered for {name!r}")
        specs[name] = spec
    rows = [
        Job(
            name=name,
            payload=payload,
            run_at=when,
            max_attempts=max_attempts,
            priority=specs[name].priority,
        )
        for name, payload in pairs
    ]
    return Job.objects.bulk_create(rows) if rows else []


def _unfinished(dedupe_key: str) -> Job | None:
    return Job.objects.filter(dedupe_key=dedupe_key, status__in=UNFINISHED).first()


def _in_lane(qs: QuerySet[Job], lane: str | None) -> QuerySet[Job]:
    """Only ``lane``'s jobs (None: every job). The default lane is every name not
    registered to another lane, so a job of an unknown name still runs (and fails)."""
    if lane is None:
        return qs
    if lane == LANE_DEFAULT:
        others = [n for other in LANES if other != LANE_DEFAULT for n in lane_names(other)]
        return qs.exclude(name__in=others) if others else qs
    return qs.filter(name__in=lane_names(lane))


def _next(now: datetime, lane: str | None) -> Job | None:
    """The job to run now: first one whose worker's lease expired (a crashed worker's —
    it has waited longest), else the first waiting job by (priority, run_at, id). Two
    plain queries, each an ordered walk of a partial index (``core_job_leased``,
    ``core_job_ready``): an OR of both sorted in memory cost ~20 ms a claim once tens of
    thousands of jobs waited (ADR 0003 addendum)."""
    abandoned = Job.objects.filter(status=JobStatus.RUNNING, locked_until__lt=now).order_by(
        "locked_until", "id"
    )
    waiting = Job.objects.filter(
        status__in=[JobStatus.QUEUED, JobStatus.FAILED], run_at__lte=now
    ).order_by("priority", "run_at", "id")
    for qs in (_in_lane(abandoned, lane), _in_lane(waiting, lane)):
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True)
        job = qs.first()
        if job is not None:
            return job
    return None


def claim(*, worker_id: str, now: datetime | None = None, lane: str | None = None) -> Job | None:
    """Take the next due job (or one whose worker's lease expired) and mark it running;
    only ``lane``'s jobs when given (registry.LANES)."""
    now = now or timezone.now()
    while True:
        with transaction.atomic():
            job = _next(now, lane)
            if job is None:
                return None
            if job.status == JobStatus.RUNNING:
                note = f"执行进程 {job.locked_by} 的租约已过期（进程可能已崩溃）"
                if job.attempts >= job.max_attempts:
                    # It took its worker down on every attempt: stop trying.
                    _finish(job, JobStatus.DEAD, now, error=note)
                    logger.error("job %s dead after lease expiry", job)
                    continue
                job.last_error = note
            spec = get_handler(job.name)
            lease = spec.lease_seconds if spec else DEFAULT_LEASE_SECONDS
            job.status = JobStatus.RUNNING
            job.attempts += 1
            job.locked_by = worker_id
            job.locked_until = now + timedelta(seconds=lease)
            job.save(
                update_fields=["status", "attempts", "locked_by", "locked_until", "last_error"]
            )
            return job


def _finish(job: Job, status: str, now: datetime, *, error: str = "") -> None:
    job.status = status
    job.finished_at = now
    job.locked_until = None
    if error:
        job.last_error = error[-ERROR_MAX_CHARS:]
    job.save(update_fields=["status", "finished_at", "locked_until", "last_error"])


def _owned(job: Job, worker_id: str) -> QuerySet[Job]:
    return Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, locked_by=worker_id)


def complete(job: Job, *, worker_id: str, now: datetime | None = None) -> bool:
    """Mark the job done. False when this worker had lost the job (lease taken over)."""
    now = now or timezone.now()
    n = _owned(job, worker_id).update(status=JobStatus.DONE, finished_at=now, locked_until=None)
    if n:
        job.status, job.finished_at, job.locked_until = JobStatus.DONE, now, None
    return bool(n)


def backoff_seconds(attempts: int, rng: Callable[[], float] = random.random) -> float:
    """Delay before attempt ``attempts + 1``: exponential, capped, with jitter in [½, 1]
    of the step so that jobs failing together do not retry together."""
    step = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** max(0, attempts - 1))
    return step * (0.5 + 0.5 * rng())


def fail(
    job: Job,
    *,
    worker_id: str,
    error: str,
    now: datetime | None = None,
    rng: Callable[[], float] = random.random,
) -> str:
    """Record a failed attempt: retry later with backoff, or give up ('dead')."""
    now = now or timezone.now()
    error = error[-ERROR_MAX_CHARS:]
    if job.attempts >= job.max_attempts:
        fields: dict[str, Any] = {"status": JobStatus.DEAD, "finished_at": now}
    else:
        retry_at = now + timedelta(seconds=backoff_seconds(job.attempts, rng))
        fields = {"status": JobStatus.FAILED, "run_at": retry_at}
    fields.update(last_error=error, locked_until=None)
    if _owned(job, worker_id).update(**fields):
        for key, value in fields.items():
            setattr(job, key, value)
    return str(fields["status"])


def run_job(job: Job, *, worker_id: str, now: Callable[[], datetime] = timezone.now) -> bool:
    """Run a claimed job's handler and record the outcome. True when it succeeded."""
    spec = get_handler(job.name)
    try:
        if spec is None:
            raise LookupError(f"no job handler registered for {job.name!r}")
        spec.func(dict(job.payload))
    except Exception:
        error = traceback.format_exc(limit=20)
        status = fail(job, worker_id=worker_id, error=error, now=now())
        logger.warning("job %s failed (attempt %s, now %s)", job, job.attempts, status)
        return False
    if not complete(job, worker_id=worker_id, now=now()):
        logger.warning("job %s finished after its lease was taken over", job)
    return True


def job_requeue(*, actor: Actor, job_ids: Iterable[int], now: datetime | None = None) -> int:
    """An administrator retries failed or dead jobs now, with a fresh set of attempts.
    A job whose dedupe key is taken by a newer unfinished job is left alone."""
    require_role(actor, Role.NODE_ADMIN)
    now = now or timezone.now()
    n = 0
    with transaction.atomic():
        for job in Job.objects.select_for_update().filter(
            pk__in=list(job_ids), status__in=[JobStatus.FAILED, JobStatus.DEAD]
        ):
            try:
                with transaction.atomic():
                    Job.objects.filter(pk=job.pk).update(
                        status=JobStatus.QUEUED, attempts=0, run_at=now, finished_at=None
                    )
                    n += 1
            except IntegrityError:
                continue
    return n


def jobs_prune(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Delete finished (done) jobs older than ``older_than``; dead ones stay for review."""
    cutoff = (now or timezone.now()) - older_than
    deleted, _ = Job.objects.filter(status=JobStatus.DONE, finished_at__lt=cutoff).delete()
    return deleted
