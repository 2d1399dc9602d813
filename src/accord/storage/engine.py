"""Engine setup: SQLite pragmas for several processes on one file, or PostgreSQL; every
wait on the database bounded (``Limits``), so a locked table or a hung server gives a clear
"busy" or "unavailable" answer in seconds instead of a request that never returns.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///accord.db"


@dataclass(frozen=True, slots=True)
class Limits:
    """How long the database may keep a caller waiting, in seconds (settings ``db_*``).

    ``lock``: for a lock (PostgreSQL ``lock_timeout``, the reservation lock included;
    SQLite's busy timeout, the wait for another writer); ``statement``: for one statement
    (PostgreSQL ``statement_timeout``; 0: none); ``connect``: to open a connection;
    ``pool``: for a free connection of the pool."""

    lock: float = 10.0
    statement: float = 30.0
    connect: float = 5.0
    pool: float = 10.0
    pool_size: int = 10

    @property
    def lock_ms(self) -> int:
        return max(1, round(self.lock * 1000))


DEFAULT_LIMITS = Limits()

# Execution option read by the SQLite ``begin`` hook: ``"IMMEDIATE"`` takes the write lock
# when the transaction starts. PostgreSQL ignores it.
BEGIN_MODE = "accord_sqlite_begin"


def make_engine(url: str = DEFAULT_URL, limits: Limits = DEFAULT_LIMITS, **kwargs: Any) -> Engine:
    """An engine for ``url``: ``sqlite:///file.db`` or ``postgresql+psycopg://...``.

    Create one per process (not before a fork): connections are not shared across processes.
    """
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", partial(_sqlite_on_connect, limits.lock_ms))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    options = f"-c lock_timeout={limits.lock_ms} -c statement_timeout={_ms(limits.statement)}"
    return create_engine(
        url,
        pool_pre_ping=True,  # a connection from before a restart is replaced, not used
        pool_size=limits.pool_size,
        max_overflow=limits.pool_size,
        pool_timeout=limits.pool,
        # libpq counts whole seconds (at least 2) per address it tries.
        connect_args={"connect_timeout": max(2, round(limits.connect)), "options": options},
        **kwargs,
    )


def allow_long_work(conn: Connection) -> None:
    """PostgreSQL: this transaction's statements may run as long as they need and wait up
    to 5 minutes for a lock (another import or migration) (an import's COPY of millions of rows, a
    migration); its size is bounded by the upload limits instead. SQLite: nothing to do."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL statement_timeout = 0")
        conn.exec_driver_sql("SET LOCAL lock_timeout = '300s'")


def _ms(seconds: float) -> int:
    return max(0, round(seconds * 1000))


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _sqlite_on_connect(busy_ms: int, dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling does not BEGIN before SELECT (reads in
    # one transaction could see different commits) and cannot BEGIN IMMEDIATE; switch it off
    # and let the ``begin`` hook emit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {busy_ms}")  # first: WAL switch may wait
        # WAL: readers never block the writer nor see its uncommitted rows. The mode is
        # stored in the file, so only a new file needs the switch.
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            _switch_to_wal(cursor, busy_ms)
        cursor.execute("PRAGMA foreign_keys = ON")
        # NORMAL is durable against a killed process in WAL mode (only power loss may drop
        # the last commits), and much faster than FULL.
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any, busy_ms: int) -> None:
    # Switching needs the file to itself, and SQLite answers "locked" at once (no busy
    # wait) when another new connection is switching or writing at the same moment.
    deadline = time.monotonic() + busy_ms / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(BEGIN_MODE, "DEFERRED")
    if mode not in ("DEFERRED", "IMMEDIATE"):
        raise ValueError(f"{BEGIN_MODE} must be DEFERRED or IMMEDIATE, not {mode!r}")
    conn.exec_driver_sql(f"BEGIN {mode}")
