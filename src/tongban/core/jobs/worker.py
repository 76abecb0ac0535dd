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
from tongban.core.jobs.registry import LANE_DEFAULT, LANES, load_handlers
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
    lane: str | None = None,
) -> int:
    """Run due jobs one at a time; return how many ran.

    ``once``: queue due periodic runs, run every job that is due, then return.
    Otherwise poll every ``poll_seconds`` until ``stop`` is set; a job in progress
    always finishes first (the command sets ``stop`` on SIGTERM/SIGINT). ``lane``: only
    that lane's jobs (None: all); periodic runs are queued by the default lane.
    """
    load_handlers()
    stop = stop or threading.Event()
    schedules = default_periodic() if periodic is None else periodic
    if lane not in (None, LANE_DEFAULT):
        schedules = []
    ran = 0
    next_schedule = 0.0
    while not stop.is_set():
        try:
            if time.monotonic() >= next_schedule:
                schedule_due(schedules, clock())
                next_schedule = time.monotonic() + poll_seconds
            job = claim(worker_id=worker_id, now=clock(), lane=lane)
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


def run_lanes(
    *,
    worker_id: str,
    poll_seconds: float,
    stop: threading.Event,
    periodic: list[Periodic] | None = None,
) -> int:
    """``tongban worker``: one thread per lane (registry.LANES) until ``stop`` is set;
    returns how many jobs ran in all. A lane whose thread dies stops the others too and
    raises here, so the process exits with an error and its supervisor restarts it whole."""
    counts: dict[str, int] = {}
    failed: list[str] = []

    def lane_loop(lane: str) -> None:
        try:
            counts[lane] = run_worker(
                once=False,
                worker_id=f"{worker_id}/{lane}",
                poll_seconds=poll_seconds,
                stop=stop,
                periodic=periodic,
                lane=lane,
            )
        except BaseException:
            logger.exception("worker %s: lane %s stopped", worker_id, lane)
            failed.append(lane)
            stop.set()
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=lane_loop, args=(lane,), name=f"worker-{lane}", daemon=True)
        for lane in LANES
    ]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        for t in threads:
            t.join(timeout=0.5)
    if failed:
        raise RuntimeError(f"worker {worker_id}: lane {', '.join(failed)} stopped on an error")
    return sum(counts.values())


def _release_connection(*, force: bool = False) -> None:
    # Between jobs: drop a connection that broke or outlived CONN_MAX_AGE. Never inside
    # an outer transaction (tests run the worker inside one).
    if connection.in_atomic_block:
        return
    if force:
        connection.close()
    else:
        close_old_connections()
