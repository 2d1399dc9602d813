"""Capable-to-promise for the CLI and the API: the load state of the company (open orders,
then reservations holding capacity), kept per process and brought up to date
incrementally, and the inquiry use case (which changes nothing).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from accord.domain.snapshot import Snapshot
from accord.planning.loading import LoadState, bom_trees, warm_up
from accord.planning.promise import Promise, PromiseRequest, company_average, promise
from accord.storage import deal_repository
from accord.storage.database import Database


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(slots=True)
class _Entry:
    snapshot: Snapshot
    base: LoadState  # after open orders only
    state: LoadState  # after open orders and ``loaded`` reservations
    loaded: tuple[int, ...]
    average: float | None


class Desk:
    """Load states of recent snapshots for one process. Use a state only inside ``using``
    (one caller at a time: answering moves rows and puts them back)."""

    def __init__(self, max_snapshots: int = 2) -> None:
        self._lock = threading.RLock()
        self._entries: dict[int, _Entry] = {}
        self._max = max_snapshots
        self._warm = False

    def warm(self) -> None:
        if not self._warm:
            warm_up()
            self._warm = True

    def _entry(self, snapshot: Snapshot) -> _Entry:
        entry = self._entries.get(id(snapshot))
        if entry is None or entry.snapshot is not snapshot:
            self.warm()
            base = LoadState.after_orders(snapshot, bom_trees(snapshot))
            entry = _Entry(snapshot, base, base.copy(), (), company_average(base))
            self._entries[id(snapshot)] = entry
            while len(self._entries) > self._max:
                del self._entries[next(iter(self._entries))]
        return entry

    @contextmanager
    def using(
        self, snapshot: Snapshot, reservations: Sequence[dict[str, Any]]
    ) -> Iterator[tuple[LoadState, float | None]]:
        """The state after open orders and ``reservations`` (rows, oldest first), and the
        company's average throughput per constraint minute."""
        with self._lock:
            entry = self._entry(snapshot)
            ids = tuple(int(r["id"]) for r in reservations)
            if ids[: len(entry.loaded)] != entry.loaded:
                entry.state, entry.loaded = entry.base.copy(), ()
            for row in reservations[len(entry.loaded) :]:
                apply_reservation(entry.state, row)
            entry.loaded = ids
            yield entry.state, entry.average


def apply_reservation(state: LoadState, row: dict[str, Any]) -> None:
    """Load one reservation (its product may be gone from a newer dataset: then skip it)."""
    sku = state.snapshot.sku_index.get(row["sku"])
    if sku is not None and row["quantity"] > 0:
        state.place(sku, float(row["quantity"]), commit=True)


def holding_reservations(
    db: Database | None, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    if db is None:
        return []
    with db.unit_of_work() as uow:
        return deal_repository.loaded_reservations(uow.connection, now or utc_now())


def inquire(
    snapshot: Snapshot,
    desk: Desk,
    request: PromiseRequest,
    db: Database | None = None,
    *,
    now: dt.datetime | None = None,
    with_resequence: bool = False,
) -> Promise:
    """The answer to one question; nothing is stored or committed."""
    reservations = holding_reservations(db, now)
    with desk.using(snapshot, reservations) as (state, average):
        return promise(state, request, company_average=average, with_resequence=with_resequence)
