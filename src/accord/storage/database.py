"""The database a process works on: its engine, migrated once, and units of work on it."""

from __future__ import annotations

from sqlalchemy import Engine

from accord.storage.engine import make_engine
from accord.storage.migrate import upgrade
from accord.storage.unit_of_work import UnitOfWork


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine: Engine = make_engine(url)

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest migration."""
        upgrade(self.engine)

    def unit_of_work(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, write=write)

    def dispose(self) -> None:
        self.engine.dispose()
