"""Process-local copies of the licence rows verification reads, kept correct by
PostgreSQL LISTEN/NOTIFY (docs/adr/0012, addendum "status feed").

Verification reads a licence row (its signed bytes and its current status) on every
call. On PostgreSQL that read is a network round trip that costs about as much as the
SM2 check itself, and nothing in it changes unless the licence row (or its type) is
written. So each process keeps the rows it has read, and one listening connection per
process is told of every write: triggers on ``licences_licence`` and
``licences_licencetype`` (migration 0003) send ``NOTIFY tongban_licence_changed`` for any
UPDATE, DELETE or TRUNCATE, whoever makes it (the services, the admin, a bulk expiry, a
hand-edited row). Any notification empties the whole copy: writes are rare (suspend,
revoke, cancel, expire, renew) and a full reload is cheap.

Rules that keep it correct:
- Before every use the listening connection is drained (a non-blocking read, about a
  microsecond). If the listener is missing or broken the copy is dropped and rows are
  read from the database until a new listener is up. A kept row is read again after
  ``ROW_MAX_AGE_SECONDS`` whatever happens, which bounds staleness should the listener
  die silently.
- A row read while a notification arrived is not kept (generation check).
- Inside a transaction (``atomic``) the database is always read: a write of the same
  transaction is visible to it but notified only at commit.
- The services that change a licence empty this process's copy when they commit, so
  the process that revokes sees it at once; other processes see it when the
  notification reaches them (well under a millisecond on one host).
- SQLite has no NOTIFY and no round trip: it always reads the database.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import connection, connections

from tongban.config import CONFIG

log = logging.getLogger(__name__)

CHANNEL = "tongban_licence_changed"
MAX_ROWS = 50_000  # about 2 KB a row: at most ~100 MB per process, then start over
# A kept row is read again after this long even if nothing was notified: the bound on
# staleness should the listener die without the socket saying so (a silent network
# partition between this process and the database).
ROW_MAX_AGE_SECONDS = 2.0
_RETRY_SECONDS = 5.0
_clock = time.monotonic


class RowFeed:
    """The copy of one process. Thread-safe; every method is cheap."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, Any] = {}
        self._listener: Any = None
        self._pid = os.getpid()
        self._next_try = 0.0
        self.generation = 0

    # --- the listening connection ---------------------------------------------------

    def _connect(self) -> None:
        import psycopg

        now = time.monotonic()
        if now < self._next_try:
            return
        self._next_try = now + _RETRY_SECONDS
        try:
            params = connection.get_connection_params()
            conn = psycopg.Connection.connect(**params, autocommit=True)
            conn.execute(f"LISTEN {CHANNEL}")
        except Exception as exc:  # the copy stays off; verification reads the database
            log.warning("licence row feed: no listener (%s); reading rows each time", exc)
            return
        self._listener = conn
        self._rows.clear()  # nothing read before LISTEN may be trusted
        self.generation += 1

    def _drain(self) -> bool:
        """Apply every notification that has arrived; False when there is no listener."""
        if self._pid != os.getpid():  # forked (gunicorn): the parent's socket is not ours
            self._pid, self._listener, self._next_try = os.getpid(), None, 0.0
            self._rows.clear()
        if self._listener is None:
            self._connect()
            if self._listener is None:
                return False
        pg = self._listener.pgconn
        try:
            pg.consume_input()
            changed = False
            while pg.notifies() is not None:
                changed = True
        except Exception as exc:
            log.warning("licence row feed: listener lost (%s)", exc)
            self._drop_listener()
            return False
        if changed:
            self._rows.clear()
            self.generation += 1
        return True

    def _drop_listener(self) -> None:
        conn, self._listener = self._listener, None
        self._rows.clear()
        self.generation += 1
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    # --- use ------------------------------------------------------------------------

    def row(self, key: str, fetch: Callable[[str], Any]) -> Any:
        """The row for ``key`` from the copy, or ``fetch(key)`` (kept when no change was
        notified while it was read)."""
        with self._lock:
            if not self._drain():
                return fetch(key)
            hit = self._rows.get(key)
            if hit is not None and _clock() - hit[0] < ROW_MAX_AGE_SECONDS:
                return hit[1]
            generation = self.generation
        read_at = _clock()
        value = fetch(key)
        if value is None:
            return None
        with self._lock:
            if self._drain() and self.generation == generation:
                if len(self._rows) >= MAX_ROWS:
                    self._rows.clear()
                self._rows[key] = (read_at, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._rows.clear()
            self.generation += 1

    def wait(self, timeout: float, *, since: int | None = None) -> bool:
        """Block until the copy has been emptied after generation ``since`` (default: now)
        by a notification or a lost listener, or ``timeout`` passes (tests and tools)."""
        import select

        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                before = self.generation if since is None else since
                listening = self._drain()
                if self.generation != before:
                    return True
                if not listening:
                    return False
                sock = self._listener.pgconn.socket
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            select.select([sock], [], [], left)

    def close(self) -> None:
        with self._lock:
            self._drop_listener()

    @property
    def listening(self) -> bool:
        return self._listener is not None

    def __len__(self) -> int:
        return len(self._rows)


FEED = RowFeed()


def feed_applies() -> bool:
    """Whether the copy may serve the current call (PostgreSQL, outside a transaction,
    enabled in the configuration)."""
    if not CONFIG.licence_row_feed:
        return False
    db = connections["default"]  # one thread-local look-up instead of two
    return db.vendor == "postgresql" and not db.in_atomic_block


def feed_clear_on_commit() -> None:
    """Called by every service that writes a licence row: this process drops its copy
    when the write commits (other processes are told by the trigger's NOTIFY)."""
    from django.db import transaction

    transaction.on_commit(FEED.clear)
