"""The durable job queue and the worker, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, connection, transaction

from tongban.accounts.models import Role
from tongban.core.actors import SYSTEM
from tongban.core.errors import PermissionDenied
from tongban.core.jobs import (
    Daily,
    Every,
    Periodic,
    backoff_seconds,
    claim,
    complete,
    enqueue,
    enqueue_many,
    fail,
    job_handler,
    job_requeue,
    jobs_prune,
    run_job,
    run_lanes,
    run_worker,
    schedule_due,
)
from tongban.core.jobs.queue import BACKOFF_BASE_SECONDS, BACKOFF_CAP_SECONDS
from tongban.core.jobs.registry import (
    DEFAULT_LEASE_SECONDS,
    LANE_DEFAULT,
    LANE_FEDERATION,
    PRIORITY_FEDERATION,
    unregister,
)
from tongban.core.models import Job, JobStatus
from tongban.testing import make_user

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai

calls: list[dict[str, Any]] = []
calls_lock = threading.Lock()


def _fixed(at: datetime) -> Callable[[], datetime]:
    return lambda: at


@pytest.fixture(autouse=True)
def handlers() -> Iterator[None]:
    @job_handler("test.record")
    def record(payload: dict[str, Any]) -> None:
        with calls_lock:
            calls.append(payload)

    @job_handler("test.boom", lease_seconds=60)
    def boom(payload: dict[str, Any]) -> None:
        raise RuntimeError("设备故障")

    calls.clear()
    yield
    unregister("test.record")
    unregister("test.boom")


@pytest.mark.django_db
class TestQueue:
    def test_enqueue_many_is_one_insert_of_new_jobs(self, django_assert_num_queries: Any) -> None:
        with django_assert_num_queries(1):
            jobs = enqueue_many(
                [("test.record", {"n": 1}), ("test.boom", {"n": 2}), ("test.record", {"n": 3})],
                run_at=T0,
                max_attempts=2,
            )
        assert len(jobs) == 3
        rows = list(Job.objects.order_by("pk").values_list("name", "payload", "status"))
        assert rows == [
            ("test.record", {"n": 1}, JobStatus.QUEUED),
            ("test.boom", {"n": 2}, JobStatus.QUEUED),
            ("test.record", {"n": 3}, JobStatus.QUEUED),
        ]
        assert set(Job.objects.values_list("run_at", "max_attempts")) == {(T0, 2)}
        assert enqueue_many([]) == []
        with pytest.raises(ValueError, match="no job handler"):
            enqueue_many([("test.record", {}), ("test.missing", {})])
        with pytest.raises(ValueError, match="max_attempts"):
            enqueue_many([("test.record", {})], max_attempts=0)
        assert Job.objects.count() == 3
        got = claim(worker_id="w1", now=T0)
        assert got is not None and run_job(got, worker_id="w1") and calls == [{"n": 1}]

    def test_enqueue_claim_done(self) -> None:
        job = enqueue("test.record", {"case": "A1"}, run_at=T0)
        assert (job.status, job.attempts, job.max_attempts) == (JobStatus.QUEUED, 0, 5)
        assert claim(worker_id="w1", now=T0 - timedelta(seconds=1)) is None  # not due yet
        got = claim(worker_id="w1", now=T0)
        assert got is not None and got.pk == job.pk
        assert (got.status, got.attempts, got.locked_by) == (JobStatus.RUNNING, 1, "w1")
        assert got.locked_until == T0 + timedelta(seconds=DEFAULT_LEASE_SECONDS)
        assert claim(worker_id="w2", now=T0) is None  # leased to w1
        assert run_job(got, worker_id="w1")
        assert calls == [{"case": "A1"}]
        job.refresh_from_db()
        assert job.status == JobStatus.DONE and job.finished_at and job.locked_until is None

    def test_jobs_run_in_due_order(self) -> None:
        late = enqueue("test.record", {"n": 2}, run_at=T0)
        early = enqueue("test.record", {"n": 1}, run_at=T0 - timedelta(minutes=5))
        first = claim(worker_id="w", now=T0)
        second = claim(worker_id="w", now=T0)
        assert first is not None and second is not None
        assert [first.pk, second.pk] == [early.pk, late.pk]

    def test_a_higher_priority_job_runs_before_older_normal_ones(self) -> None:
        @job_handler("test.urgent", priority=PRIORITY_FEDERATION)
        def urgent(payload: dict[str, Any]) -> None:
            calls.append(payload)

        try:
            older = [
                enqueue("test.record", {"n": i}, run_at=T0 - timedelta(minutes=9)) for i in range(3)
            ]
            bulk = enqueue_many([("test.record", {"n": 9}), ("test.urgent", {"n": 10})], run_at=T0)
            push = enqueue("test.urgent", {"n": 11}, run_at=T0, dedupe_key="peer:b")
            assert (older[0].priority, bulk[1].priority, push.priority) == (5, 1, 1)
            # Not yet due: the priority does not jump the clock.
            later = enqueue("test.urgent", {"n": 12}, run_at=T0 + timedelta(minutes=1))
            order = []
            while (job := claim(worker_id="w", now=T0)) is not None:
                order.append(job.pk)
            assert order == [bulk[1].pk, push.pk, *(j.pk for j in older), bulk[0].pk]
            assert later.pk not in order
        finally:
            unregister("test.urgent")

    def test_an_abandoned_job_is_taken_before_waiting_ones(self) -> None:
        stuck = enqueue("test.record", {"n": 1}, run_at=T0)
        assert claim(worker_id="crashed", now=T0) is not None
        after = T0 + timedelta(seconds=DEFAULT_LEASE_SECONDS + 1)
        waiting = enqueue("test.record", {"n": 2}, run_at=T0)
        first = claim(worker_id="w", now=after)
        second = claim(worker_id="w", now=after)
        assert first is not None and second is not None
        assert (first.pk, second.pk) == (stuck.pk, waiting.pk)

    def test_enqueue_rejects_unknown_handlers_and_bad_attempts(self) -> None:
        with pytest.raises(ValueError):
            enqueue("test.no_such_handler")
        with pytest.raises(ValueError):
            enqueue("test.record", max_attempts=0)
        assert not Job.objects.exists()

    def test_enqueue_belongs_to_the_callers_transaction(self) -> None:
        with pytest.raises(RuntimeError), transaction.atomic():
            enqueue("test.record", {"n": 1})
            raise RuntimeError("state change failed")
        assert not Job.objects.exists()

    def test_failure_retries_with_backoff_then_dead(self) -> None:
        job = enqueue("test.boom", run_at=T0, max_attempts=3)
        now = T0
        for attempt in (1, 2):
            got = claim(worker_id="w", now=now)
            assert got is not None and got.attempts == attempt
            assert got.locked_until == now + timedelta(seconds=60)  # the handler's lease
            assert not run_job(got, worker_id="w", now=_fixed(now))
            job.refresh_from_db()
            assert job.status == JobStatus.FAILED
            assert "设备故障" in job.last_error and "RuntimeError" in job.last_error
            step = BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)
            assert now + timedelta(seconds=step / 2) <= job.run_at <= now + timedelta(seconds=step)
            assert claim(worker_id="w", now=job.run_at - timedelta(microseconds=1)) is None
            now = job.run_at
        got = claim(worker_id="w", now=now)
        assert got is not None and got.attempts == 3
        assert not run_job(got, worker_id="w")
        job.refresh_from_db()
        assert job.status == JobStatus.DEAD and job.finished_at is not None
        assert claim(worker_id="w", now=now + timedelta(days=1)) is None

    def test_backoff_grows_exponentially_with_jitter_and_a_cap(self) -> None:
        assert backoff_seconds(1, rng=lambda: 0.0) == BACKOFF_BASE_SECONDS / 2
        assert backoff_seconds(1, rng=lambda: 1.0) == BACKOFF_BASE_SECONDS
        assert backoff_seconds(4, rng=lambda: 1.0) == BACKOFF_BASE_SECONDS * 8
        assert backoff_seconds(40, rng=lambda: 1.0) == BACKOFF_CAP_SECONDS
        assert backoff_seconds(40, rng=lambda: 0.0) == BACKOFF_CAP_SECONDS / 2

    def test_dedupe_among_unfinished_jobs(self) -> None:
        a = enqueue("test.record", {"n": 1}, run_at=T0, dedupe_key="remind:A1")
        b = enqueue("test.record", {"n": 2}, run_at=T0, dedupe_key="remind:A1")
        assert a.pk == b.pk and Job.objects.count() == 1
        got = claim(worker_id="w", now=T0)
        assert got is not None
        # Still unfinished while running.
        assert enqueue("test.record", dedupe_key="remind:A1").pk == a.pk
        run_job(got, worker_id="w")
        c = enqueue("test.record", {"n": 3}, run_at=T0, dedupe_key="remind:A1")
        assert c.pk != a.pk and Job.objects.count() == 2

    def test_database_enforces_the_dedupe_key(self) -> None:
        enqueue("test.record", dedupe_key="k")
        with pytest.raises(IntegrityError), transaction.atomic():
            Job.objects.create(name="test.record", run_at=T0, dedupe_key="k")
        # A finished job does not block the key.
        Job.objects.filter(dedupe_key="k").update(status=JobStatus.DONE)
        Job.objects.create(name="test.record", run_at=T0, dedupe_key="k")

    def test_expired_lease_is_reclaimed(self) -> None:
        job = enqueue("test.record", {"n": 1}, run_at=T0)
        crashed = claim(worker_id="crashed", now=T0)
        assert crashed is not None
        lease_end = T0 + timedelta(seconds=DEFAULT_LEASE_SECONDS)
        assert claim(worker_id="w2", now=lease_end) is None  # lease still valid
        later = lease_end + timedelta(seconds=1)
        taken = claim(worker_id="w2", now=later)
        assert taken is not None and taken.pk == job.pk
        assert (taken.attempts, taken.locked_by) == (2, "w2")
        assert "crashed" in taken.last_error
        # The first worker coming back to life cannot finish or fail it any more.
        assert not complete(crashed, worker_id="crashed", now=later)
        fail(crashed, worker_id="crashed", error="late", now=later)
        assert run_job(taken, worker_id="w2")
        job.refresh_from_db()
        assert (job.status, job.locked_by, job.attempts) == (JobStatus.DONE, "w2", 2)

    def test_a_job_that_keeps_killing_its_worker_ends_dead(self) -> None:
        job = enqueue("test.record", run_at=T0, max_attempts=2)
        now = T0
        for _ in range(2):
            assert claim(worker_id="w", now=now) is not None
            now += timedelta(seconds=DEFAULT_LEASE_SECONDS + 1)
        assert claim(worker_id="w", now=now) is None
        job.refresh_from_db()
        assert job.status == JobStatus.DEAD and "租约已过期" in job.last_error

    def test_unregistered_handler_counts_as_a_failure(self) -> None:
        job = enqueue("test.record", run_at=T0, max_attempts=1)
        got = claim(worker_id="w", now=T0)
        assert got is not None
        unregister("test.record")
        assert not run_job(got, worker_id="w")
        job.refresh_from_db()
        assert job.status == JobStatus.DEAD and "no job handler" in job.last_error

    def test_requeue_by_an_administrator(self) -> None:
        job = enqueue("test.boom", run_at=T0, max_attempts=1)
        got = claim(worker_id="w", now=T0)
        assert got is not None
        run_job(got, worker_id="w")
        clerk = make_user("clerk-jobs", Role.CLERK, "140400")
        with pytest.raises(PermissionDenied):
            job_requeue(actor=clerk, job_ids=[job.pk])
        assert job_requeue(actor=SYSTEM, job_ids=[job.pk], now=T0) == 1
        job.refresh_from_db()
        assert (job.status, job.attempts, job.finished_at) == (JobStatus.QUEUED, 0, None)
        assert job_requeue(actor=SYSTEM, job_ids=[job.pk], now=T0) == 0  # only failed/dead

    def test_prune_keeps_recent_and_dead_jobs(self) -> None:
        old = enqueue("test.record")
        recent = enqueue("test.record")
        dead = enqueue("test.record")
        Job.objects.filter(pk=old.pk).update(status=JobStatus.DONE, finished_at=T0)
        Job.objects.filter(pk=recent.pk).update(
            status=JobStatus.DONE, finished_at=T0 + timedelta(days=29)
        )
        Job.objects.filter(pk=dead.pk).update(status=JobStatus.DEAD, finished_at=T0)
        assert jobs_prune(older_than=timedelta(days=30), now=T0 + timedelta(days=31)) == 1
        assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, dead.pk}


@pytest.mark.django_db
class TestPeriodic:
    def test_daily_latest_occurrence_in_shanghai_time(self) -> None:
        daily = Daily(0, 5, "Asia/Shanghai")
        # 2026-03-01 00:04 in Shanghai is 2026-02-28 16:04 UTC: yesterday's run is due.
        at = daily.latest(datetime(2026, 2, 28, 16, 4, tzinfo=UTC))
        assert at.isoformat() == "2026-02-28T00:05:00+08:00"
        at = daily.latest(datetime(2026, 2, 28, 16, 5, tzinfo=UTC))
        assert at.isoformat() == "2026-03-01T00:05:00+08:00"

    def test_every_is_aligned_to_the_epoch(self) -> None:
        at = Every(600).latest(datetime(2026, 3, 2, 1, 17, 30, tzinfo=UTC))
        assert at == datetime(2026, 3, 2, 1, 10, tzinfo=UTC)

    def test_each_period_is_queued_once(self) -> None:
        periodic = [Periodic("test.record", Daily(0, 5))]
        now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 Shanghai
        [job] = schedule_due(periodic, now)
        assert job.dedupe_key == "periodic:test.record:2026-03-02T00:05:00+08:00"
        assert job.payload == {"scheduled_for": "2026-03-02T00:05:00+08:00"}
        assert job.max_attempts == 3
        assert schedule_due(periodic, now + timedelta(hours=1)) == []
        # Done runs are not run again in the same period ...
        got = claim(worker_id="w", now=now)
        assert got is not None and run_job(got, worker_id="w")
        assert schedule_due(periodic, now + timedelta(hours=2)) == []
        # ... the next period gets its own run, and missed periods are not replayed.
        [nxt] = schedule_due(periodic, now + timedelta(days=3))
        assert nxt.dedupe_key == "periodic:test.record:2026-03-05T00:05:00+08:00"
        assert Job.objects.count() == 2

    def test_worker_once_queues_and_runs_the_daily_catalogue_refresh(self) -> None:
        ran = run_worker(once=True, worker_id="w", poll_seconds=0)
        assert ran >= 1
        job = Job.objects.get(name="catalog.refresh_current")
        assert job.status == JobStatus.DONE
        assert job.dedupe_key and job.dedupe_key.startswith("periodic:")
        assert run_worker(once=True, worker_id="w", poll_seconds=0) == 0


@pytest.mark.django_db
class TestWorker:
    def test_once_drains_due_jobs_and_leaves_future_ones(self) -> None:
        for i in range(3):
            enqueue("test.record", {"n": i})
        enqueue("test.boom", max_attempts=1)
        future = enqueue("test.record", {"n": 99}, run_at=datetime(2099, 1, 1, tzinfo=UTC))
        assert run_worker(once=True, worker_id="w", poll_seconds=0, periodic=[]) == 4
        assert sorted(c["n"] for c in calls) == [0, 1, 2]
        assert Job.objects.filter(status=JobStatus.DONE).count() == 3
        assert Job.objects.get(name="test.boom").status == JobStatus.DEAD
        future.refresh_from_db()
        assert future.status == JobStatus.QUEUED

    def test_stop_lets_the_current_job_finish(self) -> None:
        stop = threading.Event()

        @job_handler("test.stopper")
        def stopper(payload: dict[str, Any]) -> None:
            stop.set()
            calls.append(payload)

        try:
            enqueue("test.stopper", {"n": 1})
            enqueue("test.record", {"n": 2})
            assert (
                run_worker(once=False, worker_id="w", poll_seconds=60, stop=stop, periodic=[]) == 1
            )
        finally:
            unregister("test.stopper")
        assert calls == [{"n": 1}]
        assert Job.objects.get(name="test.stopper").status == JobStatus.DONE
        assert Job.objects.get(name="test.record").status == JobStatus.QUEUED

    def test_a_database_error_does_not_kill_a_long_running_worker(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        import tongban.core.jobs.worker as worker_module

        stop = threading.Event()
        real_claim = worker_module.claim
        outages = iter([True])

        def flaky_claim(**kwargs: Any) -> Job | None:
            if next(outages, False):
                raise OperationalError("server closed the connection unexpectedly")
            job = real_claim(**kwargs)
            stop.set()  # one job is enough
            return job

        monkeypatch.setattr(worker_module, "claim", flaky_claim)
        enqueue("test.record", {"n": 1})
        assert run_worker(once=False, worker_id="w", poll_seconds=0, stop=stop, periodic=[]) == 1
        assert calls == [{"n": 1}]
        with pytest.raises(OperationalError):
            outages = iter([True])
            run_worker(once=True, worker_id="w", poll_seconds=0, periodic=[])

    def test_worker_command_once(self) -> None:
        enqueue("test.record", {"n": 1})
        out = StringIO()
        call_command("worker", "--once", "--id", "cmd", stdout=out)
        assert "共执行" in out.getvalue()
        assert Job.objects.get(name="test.record").locked_by == "cmd"

    def test_worker_command_exits_gracefully_on_sigterm(self) -> None:
        @job_handler("test.sigterm")
        def sigterm(payload: dict[str, Any]) -> None:
            os.kill(os.getpid(), signal.SIGTERM)  # arrives while the job is running
            calls.append(payload)

        previous = signal.getsignal(signal.SIGTERM)
        try:
            enqueue("test.sigterm", {"n": 1})
            enqueue("test.record", {"n": 2}, run_at=datetime(2099, 1, 1, tzinfo=UTC))
            out, err = StringIO(), StringIO()
            call_command(
                "worker", "--poll", "30", "--id", "sig", "--lane", "all", stdout=out, stderr=err
            )
        finally:
            unregister("test.sigterm")
        assert "SIGTERM" in err.getvalue()
        assert calls == [{"n": 1}]  # the job finished after the signal
        assert Job.objects.get(name="test.sigterm").status == JobStatus.DONE
        assert signal.getsignal(signal.SIGTERM) == previous


def _two_workers_run_each_job_once(total: int) -> None:
    for i in range(total):
        enqueue("test.record", {"i": i})
    seen: dict[str, int] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            seen[name] = run_worker(once=True, worker_id=name, poll_seconds=0, periodic=[])
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"t{k}",)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert sorted(c["i"] for c in calls) == list(range(total))  # each exactly once
    assert sum(seen.values()) == total
    assert Job.objects.filter(status=JobStatus.DONE, attempts=1).count() == total


@pytest.mark.django_db(transaction=True, available_apps=["tongban.core"])
def test_two_worker_threads_claim_50_jobs_each_exactly_once() -> None:
    _two_workers_run_each_job_once(50)


@pytest.mark.django_db(transaction=True, available_apps=["tongban.core"])
def test_lanes_run_side_by_side_so_a_slow_push_holds_up_no_local_job() -> None:
    """``tongban worker`` runs a thread per lane: while a federation job waits on its
    peer, the default lane runs this node's jobs; each lane claims only its own."""
    local_ran = threading.Event()
    stop = threading.Event()

    @job_handler("test.slow_peer", lane=LANE_FEDERATION, priority=PRIORITY_FEDERATION)
    def slow_peer(payload: dict[str, Any]) -> None:
        # Holds its lane until the default lane has run the local job (or 30 s).
        calls.append({"peer_saw_local": local_ran.wait(timeout=30)})

    @job_handler("test.local")
    def local(payload: dict[str, Any]) -> None:
        local_ran.set()
        calls.append(payload)

    try:
        enqueue("test.slow_peer", {})
        enqueue("test.local", {"n": 1})
        # A lane never takes another lane's job.
        assert claim(worker_id="x", lane=LANE_FEDERATION).name == "test.slow_peer"  # type: ignore[union-attr]
        Job.objects.filter(name="test.slow_peer").update(status=JobStatus.QUEUED)
        assert claim(worker_id="x", lane=LANE_DEFAULT).name == "test.local"  # type: ignore[union-attr]
        Job.objects.filter(name="test.local").update(status=JobStatus.QUEUED)

        def stop_when_done() -> None:
            while Job.objects.filter(status=JobStatus.DONE).count() < 2:
                time.sleep(0.05)
            connection.close()
            stop.set()

        watcher = threading.Thread(target=stop_when_done, daemon=True)
        watcher.start()
        ran = run_lanes(worker_id="w", poll_seconds=0.05, stop=stop, periodic=[])
        watcher.join(timeout=5)
    finally:
        unregister("test.slow_peer")
        unregister("test.local")
    assert ran == 2
    assert {"peer_saw_local": True} in calls and {"n": 1} in calls
    lanes = dict(Job.objects.values_list("name", "locked_by"))
    assert lanes == {"test.slow_peer": "w/federation", "test.local": "w/default"}


@pytest.mark.django_db(transaction=True, available_apps=["tongban.core"])
def test_a_lane_that_dies_stops_the_worker_with_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import tongban.core.jobs.worker as worker_module

    real_claim = worker_module.claim

    def broken_federation_lane(**kwargs: Any) -> Job | None:
        if kwargs.get("lane") == LANE_FEDERATION:
            raise ValueError("a bug in the federation lane")
        return real_claim(**kwargs)

    monkeypatch.setattr(worker_module, "claim", broken_federation_lane)
    stop = threading.Event()
    with pytest.raises(RuntimeError, match="lane federation stopped"):
        run_lanes(worker_id="w", poll_seconds=0.05, stop=stop, periodic=[])
    assert stop.is_set()  # the default lane was told to stop too
