"""A long-running process reads the history tables on first use, from the same version."""

from __future__ import annotations

import pickle
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from accord.domain.dataset import Dataset, Row
from accord.errors import Conflict
from accord.io.files import read_dataset
from accord.services.datasets import load_stored, load_stored_deferring, store_dataset
from accord.services.snapshot import DEFERRED_TABLES, SNAPSHOT_TABLES, build_snapshot
from accord.storage.database import Database

TINY = Path(__file__).parent.parent / "data" / "tiny"


class Recording(Mapping[str, tuple[Row, ...]]):
    """Tables that remember which were read."""

    def __init__(self, tables: Mapping[str, tuple[Row, ...]]) -> None:
        self.tables, self.read = tables, set()

    def __getitem__(self, name: str) -> tuple[Row, ...]:
        self.read.add(name)
        return self.tables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)


def test_the_snapshot_reads_only_its_tables():
    tables = Recording(read_dataset(TINY).tables)
    build_snapshot(Dataset(tables=tables))
    assert tables.read <= SNAPSHOT_TABLES
    assert "demand_history" in DEFERRED_TABLES and "orders" not in DEFERRED_TABLES


@pytest.fixture
def db(db_url) -> Iterator[Database]:
    database = Database(db_url)
    database.migrate()
    store_dataset(database, read_dataset(TINY), "tiny")
    yield database
    database.dispose()


def test_deferred_tables_are_read_on_first_use_and_equal_the_whole_load(db):
    whole, version = load_stored(db)
    deferred, same_version = load_stored_deferring(db)
    assert same_version == version
    assert "demand_history" not in deferred.tables._tables  # type: ignore[attr-defined]
    assert list(deferred.tables) == list(whole.tables)  # every table present, in order
    assert deferred.rows("demand_history") == whole.rows("demand_history")
    assert deferred == whole
    assert pickle.loads(pickle.dumps(deferred)) == whole  # a Dask worker gets every row


def test_a_deferred_read_of_a_replaced_dataset_is_a_conflict(db):
    deferred, _ = load_stored_deferring(db)
    store_dataset(db, read_dataset(TINY), "again")  # a new version
    with pytest.raises(Conflict, match="demand_history"):
        deferred.rows("demand_history")
    assert deferred.rows("orders")  # what was loaded stays usable
