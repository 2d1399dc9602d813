"""Unit of work: one connection, one transaction, rolled back unless committed.

with UnitOfWork(engine, write=True) as uow:
    version = uow.replace_dataset(dataset, source="upload.xlsx")
    uow.commit()
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, Self

from sqlalchemy import Connection, Engine

from accord.domain.dataset import Dataset
from accord.progress import Progress
from accord.storage import repository
from accord.storage.engine import BEGIN_MODE


class UnitOfWork:
    """A transaction on ``engine`` with the repository functions bound to it.

    ``write=True`` on SQLite takes the database write lock at the start (BEGIN IMMEDIATE),
    so a job that reads and then writes waits for other writers instead of failing; use it
    for every job that writes. Without it the work reads one consistent snapshot (SQLite WAL,
    PostgreSQL REPEATABLE READ) and never waits for writers.
    """

    def __init__(
        self,
        engine: Engine,
        *,
        write: bool = False,
        on_commit: Callable[[], None] | None = None,
        write_lock: AbstractContextManager[Any] | None = None,
        before_commit: Callable[[Connection], None] | None = None,
    ) -> None:
        self._engine = engine
        self._write = write
        self._on_commit = on_commit
        self._before_commit = before_commit  # last statement of the transaction (NOTIFY)
        self._lock = write_lock if write else None
        self._conn: Connection | None = None

    def __enter__(self) -> Self:
        if self._lock is not None:
            self._lock.__enter__()
        try:
            self._conn = self._begin()
        except BaseException:
            self._release()
            raise
        return self

    def _begin(self) -> Connection:
        conn = self._engine.connect()
        if self._write:
            conn.execution_options(**{BEGIN_MODE: "IMMEDIATE"})
        elif conn.dialect.name == "postgresql":
            # Every read sees one snapshot, as SQLite's WAL gives anyway: no half-imported mix.
            conn.execution_options(isolation_level="REPEATABLE READ")
        conn.begin()
        return conn

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.__exit__(None, None, None)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self.connection, None
        try:
            conn.rollback()  # a no-op after commit()
        finally:
            conn.close()
            self._release()

    @property
    def connection(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("the unit of work is not open: use it in a with block")
        return self._conn

    def commit(self) -> None:
        if self._before_commit is not None:
            self._before_commit(self.connection)
        self.connection.commit()
        if self._on_commit is not None:
            self._on_commit()

    def rollback(self) -> None:
        self.connection.rollback()

    def replace_dataset(
        self, dataset: Dataset, source: str, progress: Progress | None = None
    ) -> int:
        return repository.replace_dataset(self.connection, dataset, source, progress)

    def load_dataset(self) -> Dataset | None:
        return repository.load_dataset(self.connection)

    def current_version(self) -> int | None:
        return repository.current_version(self.connection)

    def dataset_info(self) -> repository.DatasetInfo | None:
        return repository.dataset_info(self.connection)
