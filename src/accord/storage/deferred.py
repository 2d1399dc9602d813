"""A stored dataset's tables, some read from the database only when first asked for.

The history tables hold millions of rows (3 years of weekly sales for 20,000 SKUs) that the
deal desk and the plan never read; a long-running process starts without them and reads
each on first use, from the same dataset version.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterator, Mapping
from typing import Any

from accord.domain.dataset import TABLES, Row
from accord.errors import Conflict
from accord.storage import repository
from accord.storage.database import Database


class DeferredTables(Mapping[str, tuple[Row, ...]]):
    """``loaded`` tables plus ``deferred`` ones (name -> row count) read when first asked
    for; a deferred read finding another dataset version stored raises ``Conflict``."""

    def __init__(
        self,
        db: Database,
        version: int,
        loaded: Mapping[str, tuple[Row, ...]],
        deferred: Mapping[str, int],
    ) -> None:
        self._db = db
        self._version = version
        self._tables = dict(loaded)
        self._deferred = {name for name, count in deferred.items() if count > 0}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> tuple[Row, ...]:
        rows = self._tables.get(name)
        if rows is not None:
            return rows
        if name not in self._deferred:
            raise KeyError(name)
        with self._lock:
            if name not in self._tables:
                self._tables[name] = self._read(name)
            return self._tables[name]

    def _read(self, name: str) -> tuple[Row, ...]:
        with self._db.unit_of_work() as uow:
            if uow.current_version() != self._version:
                raise Conflict(
                    f"the dataset changed while its {name} table was being read; try again"
                )
            return repository.read_table(uow.connection, name)

    def __iter__(self) -> Iterator[str]:
        return (name for name in TABLES if name in self._tables or name in self._deferred)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __reduce__(self) -> tuple[Any, ...]:
        # Sent to another process (a Dask worker): as a plain dict of every table.
        return (dict, (dict(self.items()),))


def load_deferring(db: Database, defer: Collection[str]) -> tuple[DeferredTables, int] | None:
    """The stored dataset's tables with ``defer`` left to be read on first use, and its
    version; None when nothing is stored."""
    with db.unit_of_work() as uow:
        info = uow.dataset_info()
        if info is None:
            return None
        loaded = repository.read_tables(uow.connection, [n for n in TABLES if n not in defer])
        deferred = {name: info.row_counts.get(name, 0) for name in defer}
    return DeferredTables(db, info.version, loaded, deferred), info.version
