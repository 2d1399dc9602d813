"""Database trouble over the API and the command line: the disk full or a lock held past
its limit is answered 503 in the one error shape with ``Retry-After``, nothing is written,
and the next request after the trouble succeeds; the CLI prints one line and exits 1."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from accord.api.app import create_app
from accord.config import Settings
from accord.io.files import read_dataset
from accord.services.datasets import store_dataset
from accord.services.reservations import list_reservations
from accord.services.runtime import open_database
from accord.storage.database import Database

from .conftest import TINY, reads_as

ASK = {"sku": "PUMP-200", "quantity": 10, "requested_date": "2026-12-30"}


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[TestClient, Database, str]]:
    path = tmp_path / "accord.db"
    settings = Settings(database_url=f"sqlite:///{path}", db_lock_timeout_seconds=0.3)
    db = open_database(settings)
    store_dataset(db, read_dataset(TINY), "tiny")
    with TestClient(create_app(settings, db)) as client:
        yield reads_as(client, "reader"), db, str(path)
    db.dispose()


@contextmanager
def disk_full(db: Database) -> Iterator[None]:
    """SQLite's own SQLITE_FULL on every connection of ``db``: the file may not grow."""

    def cap(dbapi_connection, _record) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    db.engine.dispose()
    event.listen(db.engine, "connect", cap)
    try:
        yield
    finally:
        event.remove(db.engine, "connect", cap)
        db.engine.dispose()


@contextmanager
def write_lock_held(path: str) -> Iterator[None]:
    """Another process's writer (a raw connection) holds the database's write lock."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


def _trouble(response, code: str) -> dict:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) >= 1
    error = response.json()["error"]
    assert error["code"] == code and error["details"][0]["retry_after_seconds"] >= 1
    return error


def test_a_full_disk_is_told_and_nothing_is_written(served):
    client, db, _ = served
    before = len(list_reservations(db))
    with disk_full(db):
        # Large enough that the rows need a new page of the file.
        asks = [{**ASK, "customer": "C" * 3000} for _ in range(3)]
        answers = [client.post("/api/v1/reservations", json=a) for a in asks]
    full = [a for a in answers if a.status_code == 503]
    assert full, [a.status_code for a in answers]
    assert "disk is full" in _trouble(full[0], "disk_full")["message"]
    assert len(list_reservations(db)) == before + sum(a.status_code == 201 for a in answers)
    assert client.post("/api/v1/reservations", json=ASK).status_code == 201  # room again


def test_a_lock_held_past_its_limit_is_busy_and_then_it_works(served):
    client, db, path = served
    with write_lock_held(path):
        started = time.monotonic()
        answer = client.post("/api/v1/reservations", json=ASK)
        waited = time.monotonic() - started
        _trouble(answer, "database_busy")
        assert waited < 3, waited
        # Reads go on meanwhile (WAL: readers never wait for the writer).
        assert client.get("/api/v1/health").status_code == 200
        assert client.get("/api/v1/reservations").status_code == 200
    assert list_reservations(db) == []
    assert client.post("/api/v1/reservations", json=ASK).status_code == 201


def test_the_command_line_prints_one_line_and_exits_1(served, tmp_path):
    _, _, path = served
    env = {
        "ACCORD_DATABASE_URL": f"sqlite:///{path}",
        "ACCORD_DB_LOCK_TIMEOUT_SECONDS": "0.3",
        "PATH": "/usr/bin:/bin",
    }
    with write_lock_held(path):
        done = subprocess.run(
            [sys.executable, "-m", "accord.cli", "users", "add", "bea", "--role", "sales",
             "--password", "correct horse battery"],
            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert lines == ["error: the database is busy (a lock or a statement waited past its "
                     "limit): try again"], done.stderr  # fmt: skip
    assert "Traceback" not in done.stderr and done.stdout == ""
