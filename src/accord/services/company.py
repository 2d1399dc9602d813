"""Where the engines get the company from: the stored dataset (cached by its version) or a
dataset file given with ``--data``, turned into a snapshot at an as-of date.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass
from pathlib import Path

from accord.config import Settings
from accord.domain.dataset import Dataset
from accord.domain.snapshot import Snapshot
from accord.io.files import read_dataset
from accord.services.datasets import load_stored
from accord.services.snapshot import SnapshotCache, build_snapshot
from accord.storage.database import Database


@dataclass(frozen=True)
class Company:
    """One consistent view: the dataset, its stored version (None for a file) and snapshot."""

    dataset: Dataset
    version: int | None
    source: str
    snapshot: Snapshot


class CompanyStore:
    """The stored company for a long-running process (the app).

    Each call asks the database for the current version (one small query) and loads the
    dataset only when it changed; snapshots are cached per (version, as-of, horizon).
    """

    def __init__(self, db: Database, horizon_days: int) -> None:
        self.db = db
        self.horizon_days = horizon_days
        self._snapshots = SnapshotCache()
        self._lock = threading.Lock()
        self._loaded: tuple[int, Dataset] | None = None

    def current(self, as_of: dt.date | None = None) -> Company:
        with self.db.unit_of_work() as uow:
            version = uow.current_version()
        with self._lock:
            if self._loaded is None or self._loaded[0] != version:
                dataset, version = load_stored(self.db)
                self._loaded = (version, dataset)
            version, dataset = self._loaded
        snapshot = self._snapshots.get(dataset, version, as_of, self.horizon_days)
        return Company(dataset, version, self.db.url, snapshot)


def open_company(
    settings: Settings, data: Path | None, as_of: dt.date | None, db: Database | None
) -> Company:
    """The company for one command: from ``data`` when given, else from the database."""
    if data is not None:
        dataset = read_dataset(data)
        return Company(
            dataset, None, str(data), build_snapshot(dataset, as_of, settings.horizon_days)
        )
    if db is None:
        raise ValueError("open_company needs a dataset path or a database")
    return CompanyStore(db, settings.horizon_days).current(as_of)
