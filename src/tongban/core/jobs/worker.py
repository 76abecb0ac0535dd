"""The worker loop behind ``tongban worker``."""

from __future__ import annotations

import importlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from tongban.core.jobs.queue import claim, run_job
from tongban.core.jobs.registry import load_handlers
from tongban.core.jobs.schedule import Periodic, schedule_due

logger = logging.getLogger("tongban.jobs")


def default_periodic() -> list[Periodic]:
    module = importlib.import_module("tongban.core.job_handlers")
    return list(module.PERIODIC)


def run_worker(
    *,
    once: bool,
    worker_id: str,
    poll_seconds: float,
    stop: threading.Event | None = None,
    periodic: list[Periodic] | None = None,
    clock: Callable[[], datetime] = timezone.now,
) -> int:
    """Run due jobs one at a time; return how many ran.

    ``once``: queue due periodic runs, run every job that is due, then return.
    Otherwise poll every ``poll_seconds`` until ``stop`` is set; a job in progress
    always finishes first (the command sets ``stop`` on SIGTERM/SIGINT).
    """
    load_handlers()
    stop = stop or threading.Event()
    schedules = default_periodic() if periodic is None else periodic
    ran = 0
    next_schedule = 0.0
    while not stop.is_set():
        try:
            if time.monotonic() >= next_schedule:
                schedule_due(schedules, clock())
                next_schedule = time.monotonic() + poll_seconds
            job = claim(worker_id=worker_id, now=clock())
            if job is not None:
                run_job(job, worker_id=worker_id, now=clock)
                ran += 1
        except DatabaseError:
            if once:
                raise
            # Database restarting or unreachable: a job caught mid-way keeps its lease
            # and is reclaimed when that expires. Reconnect on the next round.
            logger.exception("worker %s: database error, retrying in %ss", worker_id, poll_seconds)
            _release_connection(force=True)
            stop.wait(poll_seconds)
            continue
        _release_connection()
        if job is None:
            if once:
                break
            stop.wait(poll_seconds)
    return ran


def _release_connection(*, force: bool = False) -> None:
    # Between jobs: drop a connection that broke or outlived CONN_MAX_AGE. Never inside
    # an outer transaction (tests run the worker inside one).
    if connection.in_atomic_block:
        return
    if force:
        connection.close()
    else:
        close_old_connections()
