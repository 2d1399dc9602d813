"""The database a process works on: its engine, migrated once, and units of work on it.

It also counts the commits this process made (``commits``), so a cached read can tell at
once that this process changed the database (see ``Recheck``). On PostgreSQL each of those
commits is announced to the other processes (``storage/notify.py``), and ``listener()``
gives the thread that counts theirs here too (``mark_changed``).
"""

from __future__ import annotations

import threading
import time
import uuid
from types import TracebackType

from sqlalchemy import Connection, Engine

from accord.errors import DatabaseBusy
from accord.storage import notify
from accord.storage.engine import DEFAULT_LIMITS, Limits, make_engine
from accord.storage.migrate import upgrade
from accord.storage.unit_of_work import UnitOfWork

# The health probe's own connections: two at most, short waits.
PROBE_LIMITS = Limits(lock=1.0, statement=2.0, connect=2.0, pool=1.0, pool_size=1)

# How long folding the log after an import waits for readers of the old pages.
FOLD_WAIT_MS = 2_000


class Database:
    def __init__(self, url: str, limits: Limits = DEFAULT_LIMITS) -> None:
        self.url = url
        self.limits = limits
        self.engine: Engine = make_engine(url, limits)
        self.commits = 0
        self._commits_lock = threading.Lock()
        # SQLite has one writer at a time, and a writer waiting for its lock sleeps in
        # steps of up to 100 ms: threads of this process queue here instead, in order.
        self._write_lock = WriteLock(limits.lock) if url.startswith("sqlite") else None
        # Names this Database's commits in announcements: its listener skips its own.
        self.sender = uuid.uuid4().hex
        self._announces = self.engine.dialect.name == "postgresql"
        self._probe_engine: Engine | None = None

    def probe(self) -> int | None:
        """The stored dataset's version, read on a small pool of its own with short limits:
        health answers even while every connection of the main pool waits on a lock."""
        if self._probe_engine is None:
            self._probe_engine = make_engine(self.url, PROBE_LIMITS)
        with UnitOfWork(self._probe_engine) as uow:
            return uow.current_version()

    @property
    def shown_url(self) -> str:
        """The URL as it may be shown (the dataset's source, a log line): no password."""
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        upgrade(self.engine)
        self._committed()

    def unit_of_work(self, *, write: bool = False, log_only: bool = False) -> UnitOfWork:
        """``log_only``: the work only appends to logs (checks, promises, audit) that no
        cache reads, so its commit does not make cached reads due (see ``Recheck``)."""
        return UnitOfWork(
            self.engine,
            write=write,
            on_commit=None if log_only else self._committed,
            write_lock=self._write_lock,
            before_commit=self._announce if self._announces and not log_only else None,
        )

    def _committed(self) -> None:
        with self._commits_lock:
            self.commits += 1

    def _announce(self, conn: Connection) -> None:
        notify.announce(conn, self.sender)

    def mark_changed(self) -> None:
        """Another process committed: every cached read of this one is due (``Recheck``)."""
        self._committed()

    def listener(self) -> notify.ChangeListener | None:
        """PostgreSQL: a (not yet started) thread that calls ``mark_changed`` on every commit
        another process announces. SQLite: None (the periodic recheck sees those)."""
        if not self._announces:
            return None
        return notify.ChangeListener(self.engine, self.sender, self.mark_changed)

    def fold_log(self) -> None:
        """SQLite: copy the write-ahead log into the database file and empty it.

        After a big import the log is as large as the data, and every process that opens
        the file reads it whole to index it, until a later write resets it. Readers still
        on the old pages are waited for a moment (writers wait meanwhile), then the log is
        left to a later checkpoint. PostgreSQL: nothing to do.
        """
        if not self.url.startswith("sqlite"):
            return
        raw = self.engine.raw_connection()
        try:
            sqlite = raw.driver_connection
            assert sqlite is not None
            sqlite.execute(f"PRAGMA busy_timeout = {FOLD_WAIT_MS}")
            try:
                sqlite.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                sqlite.execute(f"PRAGMA busy_timeout = {self.limits.lock_ms}")
        finally:
            raw.close()

    def dispose(self) -> None:
        self.engine.dispose()
        if self._probe_engine is not None:
            self._probe_engine.dispose()


class WriteLock:
    """This process's SQLite writers one at a time, each waiting at most ``seconds`` for
    the one before (then DatabaseBusy), as SQLite's busy timeout bounds the wait for other
    processes."""

    def __init__(self, seconds: float) -> None:
        self._lock = threading.RLock()
        self._seconds = seconds

    def __enter__(self) -> None:
        if not self._lock.acquire(timeout=self._seconds):
            raise DatabaseBusy(
                f"another write of this server has held the database for over "
                f"{self._seconds:g} s: try again"
            )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._lock.release()


class Recheck:
    """When a value cached from the database must be read again: after any commit by this
    process (or, on PostgreSQL with a listener, one announced by another), after ``seconds``
    (to see other processes' commits without a listener: SQLite, a lost connection), or at
    a moment the value itself names (a reservation expiring).

        token = recheck.start()      # before reading
        value = read(db)
        recheck.done(token)          # fresh until the next commit or ``seconds``
    """

    def __init__(self, db: Database, seconds: float) -> None:
        self._db = db
        self._seconds = seconds
        self._commits = -1
        self._until = 0.0

    def due(self) -> bool:
        return self._commits != self._db.commits or time.monotonic() >= self._until

    def start(self) -> int:
        return self._db.commits

    def done(self, token: int, until: float | None = None) -> None:
        """Mark the value read after ``start()`` returned ``token`` as fresh; ``until`` (a
        ``time.monotonic()`` moment) shortens its life."""
        limit = time.monotonic() + self._seconds
        self._until = limit if until is None else min(limit, until)
        self._commits = token

    def expire(self) -> None:
        self._until = 0.0
