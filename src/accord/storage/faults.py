"""Database trouble in words: which driver failures mean the database is down, busy
(a lock or a statement past its limit, every connection in use) or out of disk, so the
edges answer them as ``DatabaseTrouble`` (503 with ``Retry-After``; the CLI one line, exit 1)
instead of an unexpected error.

Anything else (a broken query, a constraint) is a bug: ``database_fault`` gives None.
"""

from __future__ import annotations

import errno
import sqlite3

import psycopg
from sqlalchemy import exc as sa

from accord.errors import DatabaseBusy, DatabaseTrouble, DatabaseUnavailable, DiskFull

# SQLite's primary result codes (the low byte of the extended code).
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 5, 6, 10, 13, 14

_BUSY = "the database is busy (a lock or a statement waited past its limit): try again"
_POOL = "every database connection is in use: try again"
_DOWN = "the database is not answering (down, restarting or unreachable): try again shortly"
_FULL = "the database's disk is full: nothing was written; free some space and try again"


def database_fault(error: BaseException) -> DatabaseTrouble | None:
    """The trouble ``error`` (or an error it was raised from) stands for, or None."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _fault_of(current)
        if found is not None:
            return found
        current = current.__cause__ or current.__context__
    return None


def _fault_of(error: BaseException) -> DatabaseTrouble | None:
    if isinstance(error, DatabaseTrouble):
        return error
    if isinstance(error, sa.TimeoutError):  # the pool had no connection in time
        return DatabaseBusy(_POOL)
    if isinstance(error, sa.DBAPIError):
        if error.connection_invalidated:
            return DatabaseUnavailable(_DOWN)
        return _fault_of(error.orig) if error.orig is not None else None
    if isinstance(error, psycopg.Error):
        return _postgres_fault(error)
    if isinstance(error, sqlite3.Error):
        return _sqlite_fault(error)
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return DiskFull(_FULL)
    return None


def _postgres_fault(error: psycopg.Error) -> DatabaseTrouble | None:
    state = error.sqlstate or ""
    if state in ("57014", "55P03", "40P01"):  # statement or lock timeout, deadlock
        return DatabaseBusy(_BUSY)
    if state == "53100":
        return DiskFull(_FULL)
    if state.startswith(("08", "57P", "53")):  # connection, shutdown, out of resources
        return DatabaseUnavailable(_DOWN)
    if not state and isinstance(error, psycopg.OperationalError):  # refused, closed
        return DatabaseUnavailable(_DOWN)
    return None


def _sqlite_fault(error: sqlite3.Error) -> DatabaseTrouble | None:
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(error).lower()
    if primary == _SQLITE_FULL or "disk is full" in text:
        return DiskFull(_FULL)
    if primary in (_SQLITE_BUSY, _SQLITE_LOCKED) or "is locked" in text:
        return DatabaseBusy(_BUSY)
    if primary in (_SQLITE_IOERR, _SQLITE_CANTOPEN) or "unable to open" in text:
        return DatabaseUnavailable(_DOWN)
    return None
