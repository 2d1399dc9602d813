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
from accord.services.datasets import load_stored_deferring
from accord.services.snapshot import SnapshotCache, build_snapshot
from accord.storage.database import Database, Recheck


@dataclass(frozen=True)
class Company:
    """One consistent view: the dataset, its stored version (None for a file) and snapshot."""

    dataset: Dataset
    version: int | None
    source: str
    snapshot: Snapshot


# How long a process trusts its cached dataset version without asking the database: a
# commit by this process is seen at once, one by another process (the CLI, a second
# server) within this. On PostgreSQL a serving process sees those at once too (its
# listener marks the caches stale, ``storage/notify.py``): this is then only the fallback
# while the listener is not connected.
RECHECK_SECONDS = 1.0


class CompanyStore:
    """The stored company for a long-running process (the app).

    It asks the database for the current version (one small query) after this process
    commits anything (or, with a listener on PostgreSQL, another process does) or
    ``RECHECK_SECONDS`` after it last asked, and loads the dataset only when the version
    changed; snapshots are cached per (version, as-of, horizon).
    """

    def __init__(self, db: Database, horizon_days: int) -> None:
        self.db = db
        self.horizon_days = horizon_days
        self._snapshots = SnapshotCache()
        self._lock = threading.Lock()
        self._loaded: tuple[int, Dataset] | None = None
        self._recheck = Recheck(db, RECHECK_SECONDS)

    def current(self, as_of: dt.date | None = None) -> Company:
        with self._lock:
            if self._recheck.due():
                token = self._recheck.start()
                with self.db.unit_of_work() as uow:
                    version = uow.current_version()
                if self._loaded is None or self._loaded[0] != version:
                    dataset, version = load_stored_deferring(self.db)
                    self._loaded = (version, dataset)
                self._recheck.done(token)
            assert self._loaded is not None  # load_stored raised when there is no dataset
            version, dataset = self._loaded
        snapshot = self._snapshots.get(dataset, version, as_of, self.horizon_days)
        return Company(dataset, version, self.db.shown_url, snapshot)

    def recheck_now(self) -> bool:
        """Make the cached company fresh if that takes only the version query (no dataset
        to load, no other caller loading one); False when ``current`` must be called."""
        if self._loaded is None or not self._lock.acquire(blocking=False):
            return False
        try:
            if self._recheck.due():
                token = self._recheck.start()
                with self.db.unit_of_work() as uow:
                    if uow.current_version() != self._loaded[0]:
                        return False
                self._recheck.done(token)
            return True
        finally:
            self._lock.release()

    def current_version(self) -> int | None:
        """The stored dataset's version, None when none is stored (always asks)."""
        with self.db.unit_of_work() as uow:
            return uow.current_version()

    def cached(self, as_of: dt.date | None = None) -> Company | None:
        """The company when answering needs no database read and no snapshot build (the
        fast path of the app's hottest routes), else None: then call ``current``."""
        loaded = self._loaded
        if loaded is None or self._recheck.due():
            return None
        version, dataset = loaded
        snapshot = self._snapshots.peek(dataset, version, as_of, self.horizon_days)
        return None if snapshot is None else Company(dataset, version, self.db.shown_url, snapshot)


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
