"""Durable background jobs on the database (SQLite or PostgreSQL), run by ``tongban worker``.

Queue work with :func:`enqueue` inside the transaction of the change it follows; register
handlers with :func:`job_handler` in an app's ``job_handlers`` module; periodic runs are
listed in ``tongban.core.job_handlers.PERIODIC``. See docs/adr/0003-job-queue.md.
"""

from tongban.core.jobs.queue import (
    backoff_seconds,
    claim,
    complete,
    enqueue,
    enqueue_many,
    fail,
    job_requeue,
    jobs_prune,
    run_job,
)
from tongban.core.jobs.registry import get_handler, job_handler, load_handlers
from tongban.core.jobs.schedule import Daily, Every, Periodic, schedule_due
from tongban.core.jobs.worker import run_lanes, run_worker

__all__ = [
    "Daily",
    "Every",
    "Periodic",
    "backoff_seconds",
    "claim",
    "complete",
    "enqueue",
    "enqueue_many",
    "fail",
    "get_handler",
    "job_handler",
    "job_requeue",
    "jobs_prune",
    "load_handlers",
    "run_job",
    "run_lanes",
    "run_worker",
    "schedule_due",
]
