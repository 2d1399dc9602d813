"""Database trouble, caused for real on both databases, is told as such: busy (a lock or a
statement past its limit, the pool empty), unavailable (nothing listening, no file) or disk
full, and anything else is left a bug (``storage/faults.py``). The limits of ``Limits``
hold: nothing waits past them."""

from __future__ import annotations

import errno
import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from accord.errors import DatabaseBusy, DatabaseUnavailable, DiskFull
from accord.storage import deal_repository
from accord.storage.engine import BEGIN_MODE, Limits, make_engine
from accord.storage.faults import database_fault

POSTGRES_ONLY = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
SHORT = Limits(lock=0.3, statement=0.3, connect=2, pool=0.3, pool_size=1)


def _raised(work) -> BaseException:
    with pytest.raises(Exception) as caught:
        work()
    return caught.value


@POSTGRES_ONLY  # SQLite has no statement timeout; its waits are for locks
def test_a_statement_past_its_limit_is_busy(db_url):
    engine = make_engine(db_url, SHORT)
    started = time.monotonic()
    with engine.connect() as conn:
        error = _raised(lambda: conn.execute(text("SELECT pg_sleep(5)")))
    assert time.monotonic() - started < 2
    assert isinstance(database_fault(error), DatabaseBusy)
    engine.dispose()


def test_the_reservation_lock_waits_only_its_limit(db_url):
    """Another writer holds the reservation lock (PostgreSQL's advisory lock, SQLite's
    write lock): the second one is refused as busy after the lock limit, not queued."""
    holder, waiter = make_engine(db_url), make_engine(db_url, SHORT)
    with holder.connect() as held:
        held.execution_options(**{BEGIN_MODE: "IMMEDIATE"})  # SQLite: the write lock
        held.begin()
        deal_repository.lock_reservations(held)  # PostgreSQL: the advisory lock
        started = time.monotonic()
        with waiter.connect() as conn:

            def take() -> None:
                conn.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
                conn.begin()
                deal_repository.lock_reservations(conn)

            error = _raised(take)
        waited = time.monotonic() - started
        held.rollback()
    assert 0.2 < waited < 2, waited
    fault = database_fault(error)
    assert isinstance(fault, DatabaseBusy) and fault.status == 503
    holder.dispose()
    waiter.dispose()


@POSTGRES_ONLY  # the pool limit is PostgreSQL's (SQLite connections are files)
def test_an_empty_pool_is_busy(db_url):
    engine = make_engine(db_url, SHORT)
    first, second = engine.connect(), engine.connect()  # pool_size 1 and 1 more at a peak
    started = time.monotonic()
    error = _raised(engine.connect)
    assert time.monotonic() - started < 2
    assert isinstance(database_fault(error), DatabaseBusy)
    first.close()
    second.close()
    engine.dispose()


def test_nothing_listening_is_unavailable(tmp_path):
    down = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none", SHORT)
    assert isinstance(database_fault(_raised(down.connect)), DatabaseUnavailable)
    missing = make_engine(f"sqlite:///{tmp_path / 'no' / 'such' / 'folder.db'}")
    assert isinstance(database_fault(_raised(missing.connect)), DatabaseUnavailable)


def test_a_full_sqlite_file_is_disk_full(tmp_path):
    """SQLite's own SQLITE_FULL: the file may not grow past its page limit."""
    engine = make_engine(f"sqlite:///{tmp_path / 'small.db'}")
    with engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t (x BLOB)")
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        conn.exec_driver_sql(f"PRAGMA max_page_count = {int(pages) + 1}")
        error = _raised(lambda: conn.execute(text("INSERT INTO t VALUES (randomblob(1000000))")))
    assert isinstance(database_fault(error), DiskFull)
    assert "disk is full" in str(error)
    engine.dispose()


def test_a_locked_sqlite_file_is_busy_without_sqlalchemy(tmp_path):
    path = tmp_path / "raw.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN IMMEDIATE")
    waiter = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    error = _raised(lambda: waiter.execute("BEGIN IMMEDIATE"))
    assert isinstance(database_fault(error), DatabaseBusy)
    holder.rollback()


def test_a_full_disk_under_a_file_write_and_an_error_raised_from_one():
    full = OSError(errno.ENOSPC, "No space left on device")
    assert isinstance(database_fault(full), DiskFull)
    try:
        try:
            raise full
        except OSError as cause:
            raise RuntimeError("writing the export failed") from cause
    except RuntimeError as wrapped:
        assert isinstance(database_fault(wrapped), DiskFull)


def test_a_bug_is_not_trouble(db_url):
    engine = make_engine(db_url)
    with engine.connect() as conn:
        error = _raised(lambda: conn.execute(text("SELECT * FROM no_such_table")))
    assert database_fault(error) is None
    assert database_fault(ValueError("no")) is None
    assert database_fault(OSError(errno.ENOENT, "gone")) is None
    engine.dispose()


def test_a_lock_held_by_another_thread_of_this_process_is_bounded(tmp_path):
    """SQLite's writers of one process queue on its write lock: that wait is bounded too."""
    from accord.storage.database import Database

    db = Database(f"sqlite:///{tmp_path / 'accord.db'}", SHORT)
    db.migrate()
    inside, leave = threading.Event(), threading.Event()

    def hold() -> None:
        with db.unit_of_work(write=True):
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    inside.wait(10)
    started = time.monotonic()
    with pytest.raises(DatabaseBusy), db.unit_of_work(write=True):
        pass
    assert time.monotonic() - started < 2
    leave.set()
    thread.join()
    with db.unit_of_work(write=True) as uow:  # free again
        uow.commit()
    db.dispose()
