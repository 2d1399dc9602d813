"""Engine setup: SQLite pragmas for several processes on one file, or PostgreSQL."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

DEFAULT_URL = "sqlite:///accord.db"

# A writer waits this long for another process's write transaction (e.g. a big import)
# before SQLite reports "database is locked".
BUSY_TIMEOUT_MS = 60_000

# Execution option read by the SQLite ``begin`` hook: ``"IMMEDIATE"`` takes the write lock
# when the transaction starts. PostgreSQL ignores it.
BEGIN_MODE = "accord_sqlite_begin"


def make_engine(url: str = DEFAULT_URL, **kwargs: Any) -> Engine:
    """An engine for ``url``: ``sqlite:///file.db`` or ``postgresql+psycopg://...``.

    Create one per process (not before a fork): connections are not shared across processes.
    """
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def is_sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling does not BEGIN before SELECT (reads in
    # one transaction could see different commits) and cannot BEGIN IMMEDIATE; switch it off
    # and let the ``begin`` hook emit BEGIN.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")  # first: WAL switch may wait
        # WAL: readers never block the writer nor see its uncommitted rows. The mode is
        # stored in the file, so only a new file needs the switch.
        if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            _switch_to_wal(cursor)
        cursor.execute("PRAGMA foreign_keys = ON")
        # NORMAL is durable against a killed process in WAL mode (only power loss may drop
        # the last commits), and much faster than FULL.
        cursor.execute("PRAGMA synchronous = NORMAL")
    finally:
        cursor.close()


def _switch_to_wal(cursor: Any) -> None:
    # Switching needs the file to itself, and SQLite answers "locked" at once (no busy
    # wait) when another new connection is switching or writing at the same moment.
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
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
