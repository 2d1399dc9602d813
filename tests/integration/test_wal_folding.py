"""After an import on SQLite the write-ahead log is folded into the file and emptied, so the
next process to open the file does not read a log as large as the data; a reader still on
the old pages makes the import give up folding after a moment, not fail or wait long."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from accord.io.files import read_dataset
from accord.services.datasets import load_stored, store_dataset
from accord.storage import database as database_module
from accord.storage.database import Database

TINY = Path(__file__).parent.parent / "data" / "tiny"


def _log_bytes(path: Path) -> int:
    log = Path(f"{path}-wal")
    return log.stat().st_size if log.exists() else 0


def test_an_import_leaves_an_empty_log(tmp_path):
    path = tmp_path / "accord.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    dataset = read_dataset(TINY)
    store_dataset(db, dataset, "tiny")
    assert _log_bytes(path) == 0  # while the engine's connections are still open
    assert load_stored(db)[0] == dataset
    db.dispose()


def test_a_reader_on_the_old_pages_leaves_the_log_for_later(tmp_path, monkeypatch):
    monkeypatch.setattr(database_module, "FOLD_WAIT_MS", 200)
    path = tmp_path / "accord.db"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    store_dataset(db, read_dataset(TINY), "first")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT version FROM dataset_meta").fetchone() == (1,)
    started = time.monotonic()
    assert store_dataset(db, read_dataset(TINY), "second") == 2
    assert time.monotonic() - started < 10  # not the busy wait of a writer
    assert _log_bytes(path) > 0  # the reader pinned the log
    assert reader.execute("SELECT version FROM dataset_meta").fetchone() == (1,)
    reader.execute("COMMIT")
    reader.close()
    assert load_stored(db)[1] == 2
    with db.engine.connect() as conn:  # the pool's connections keep the usual wait
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == db.limits.lock_ms
    db.dispose()
