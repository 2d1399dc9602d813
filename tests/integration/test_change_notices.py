"""Commits seen across processes: on PostgreSQL a commit is announced (NOTIFY in its
transaction) and every serving process's listener marks its caches stale, so another
process's reservation or import is seen within 50 ms, not after the 1 s recheck. SQLite
keeps the recheck.

Two ``Database`` objects on one database stand for two processes: each has its own engine,
caches and sender name.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from accord.api.app import create_app
from accord.config import Settings
from accord.io.files import read_dataset
from accord.planning.promise import PromiseRequest
from accord.services.company import RECHECK_SECONDS, CompanyStore
from accord.services.datasets import store_dataset
from accord.services.promise import Desk, quick_inquiry, refresh
from accord.services.reservations import reserve
from accord.storage.database import Database
from accord.storage.notify import ChangeListener

TINY = Path(__file__).parent.parent / "data" / "tiny"
BIG = PromiseRequest("PUMP-300", 400, dt.date(2026, 11, 20), "NORDWIND")
FRESH_WITHIN = 0.05  # seconds

postgres_only = pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


@pytest.fixture
def company(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    store_dataset(database, read_dataset(TINY), "tiny")
    yield database
    database.dispose()


@pytest.fixture
def other(db_url: str, company: Database) -> Iterator[Database]:
    """A second process on the same database, listening."""
    database = Database(db_url)
    listener = database.listener()
    assert listener is not None
    listener.start()
    assert listener.listening.wait(10), "the listener did not connect"
    yield database
    listener.stop()
    assert not listener.running
    database.dispose()


def test_sqlite_has_no_listener_and_keeps_the_periodic_recheck(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'accord.db'}")
    assert db.listener() is None
    assert RECHECK_SECONDS == 1.0
    db.dispose()


@postgres_only
def test_another_process_s_reservation_is_seen_within_50_ms(
    company: Database, other: Database
) -> None:
    store, desk = CompanyStore(other, 365), Desk()
    refresh(store, desk)
    before = quick_inquiry(store, desk, BIG)  # from the caches, fresh for RECHECK_SECONDS
    assert before is not None and before.verdict == "on_time"

    made = reserve(company, CompanyStore(company, 365).current().snapshot, Desk(), BIG)
    time.sleep(FRESH_WITHIN)
    assert quick_inquiry(store, desk, BIG) is None  # stale: refresh first
    ids = [r["id"] for r in desk.holding(other)]
    assert ids == [made.reservation.id]
    refresh(store, desk)
    after = quick_inquiry(store, desk, BIG)
    assert after is not None and after.verdict == "late"


@postgres_only
def test_another_process_s_import_is_seen_within_50_ms(company: Database, other: Database) -> None:
    store = CompanyStore(other, 365)
    assert store.current().version == 1
    store_dataset(company, read_dataset(TINY), "tiny again")
    time.sleep(FRESH_WITHIN)
    assert store.cached() is None
    assert store.current().version == 2


def _counting(db: Database) -> tuple[ChangeListener, list[float], threading.Event]:
    seen: list[float] = []
    changed = threading.Event()

    def on_change() -> None:
        seen.append(time.monotonic())
        changed.set()

    return ChangeListener(db.engine, "someone else", on_change), seen, changed


@postgres_only
def test_only_commits_that_change_cached_reads_are_announced(company: Database) -> None:
    listener, seen, changed = _counting(company)
    listener.start()
    try:
        assert listener.listening.wait(10) and changed.wait(1)  # once on connecting
        seen.clear()
        changed.clear()
        with company.unit_of_work(write=True) as uow:  # rolled back: nothing to see
            uow.connection.execute(text("SELECT 1"))
        with company.unit_of_work(write=True, log_only=True) as uow:  # a log: no cache reads it
            uow.commit()
        assert not changed.wait(0.3)
        with company.unit_of_work(write=True) as uow:
            sent = time.monotonic()
            uow.commit()
        assert changed.wait(1)
        assert len(seen) == 1 and seen[0] - sent < FRESH_WITHIN
    finally:
        listener.stop()


@postgres_only
def test_a_lost_listener_connection_is_opened_again_and_marks_changed(
    company: Database,
) -> None:
    listener, _, changed = _counting(company)
    listener.start()
    try:
        assert listener.listening.wait(10) and changed.wait(1)
        changed.clear()
        with company.engine.connect() as conn:
            cut = conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE query = 'LISTEN accord_changes' AND datname = current_database()"
                )
            ).all()
            conn.commit()
        assert cut == [(True,)]
        assert changed.wait(10), "not listening again"  # marks changed on reconnecting
        assert listener.listening.is_set()
        changed.clear()
        with company.unit_of_work(write=True) as uow:
            uow.commit()
        assert changed.wait(1)
    finally:
        listener.stop()
    assert not listener.running


@postgres_only
def test_the_app_listens_while_it_serves_and_stops_on_shutdown(
    db_url: str, company: Database
) -> None:
    app = create_app(Settings(database_url=db_url), company)
    with TestClient(app):
        listener = app.state.change_listener
        assert listener.running and listener.listening.wait(10)
    assert not listener.running
    assert "accord-change-listener" not in {t.name for t in threading.enumerate()}
