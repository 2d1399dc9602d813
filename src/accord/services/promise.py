"""Capable-to-promise for the CLI and the API: the load state of the company (open orders,
then reservations holding capacity), kept per process and brought up to date
incrementally, and the inquiry use case (which changes nothing).

The reservations holding capacity are cached per process as the company is (see
``storage.database.Recheck``): read again after any commit by this process, and when the
next one expires; after one by another process at once on PostgreSQL (the listener of
``storage/notify.py`` in a serving process), else within ``RECHECK_SECONDS``.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from accord.domain.snapshot import Snapshot
from accord.planning.loading import LoadState, bom_trees, warm_up
from accord.planning.promise import Promise, PromiseRequest, company_average, promise
from accord.planning.reliability import Delivery, reliability_report
from accord.services.company import RECHECK_SECONDS, CompanyStore
from accord.storage import deal_repository
from accord.storage.database import Database, Recheck

T = TypeVar("T")


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
        self._holdings: _Holdings | None = None

    def warm(self) -> None:
        if not self._warm:
            warm_up()
            self._warm = True

    def _entry(self, snapshot: Snapshot) -> _Entry:
        entry = self._entries.get(id(snapshot))
        if entry is None or entry.snapshot is not snapshot:
            self.warm()
            base = LoadState.after_orders(snapshot, bom_trees(snapshot))
            apply_lead_time_floor(base)
            entry = _Entry(snapshot, base, base.copy(), (), company_average(base))
            self._entries[id(snapshot)] = entry
            while len(self._entries) > self._max:
                del self._entries[next(iter(self._entries))]
        return entry

    def holding(self, db: Database | None, now: dt.datetime | None = None) -> list[dict[str, Any]]:
        """The reservations holding capacity now (cached, see the module's docstring), or
        at the explicit moment ``now`` (read afresh: tests)."""
        if db is None:
            return []
        if now is not None:
            return holding_reservations(db, now)
        holdings = self._holdings
        if holdings is None or holdings.db is not db:
            holdings = self._holdings = _Holdings(db)
        return holdings.rows()

    def ready(self, snapshot: Snapshot) -> bool:
        """Whether the load state of ``snapshot`` is built."""
        entry = self._entries.get(id(snapshot))
        return entry is not None and entry.snapshot is snapshot

    def answer_now(
        self,
        snapshot: Snapshot,
        db: Database | None,
        ask: Callable[[LoadState, float | None], T],
    ) -> T | None:
        """``ask(state, average)`` at once when that needs no database read, no waiting
        for another caller and no state to build; else None (then use ``using``)."""
        holdings = self._holdings
        rows = [] if db is None else None if holdings is None else holdings.fresh(db)
        if rows is None or not self._lock.acquire(blocking=False):
            return None
        try:
            if not self.ready(snapshot):
                return None
            with self.using(snapshot, rows) as (state, average):
                return ask(state, average)
        finally:
            self._lock.release()

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


def apply_lead_time_floor(state: LoadState) -> None:
    """With the setting ``learned_lead_time_floor``, every promise is at least the learned
    lead time of its product (SPEC §5.9: the 85th percentile of the lead times deliveries
    actually took) after the as-of date; the load does not move."""
    snapshot = state.snapshot
    if not snapshot.settings.learned_lead_time_floor:
        return
    dataset = snapshot.dataset
    if not dataset.has("deliveries"):
        return
    report = reliability_report(
        snapshot.orders,
        [Delivery.from_row(r) for r in dataset.rows("deliveries")],
        (),
        {},
        (),
        snapshot.as_of,
    )
    for sku, days in report.learned_lead_times.items():
        index = snapshot.sku_index.get(sku)
        if index is not None:
            state.floor[index] = math.ceil(days - 1e-9)


def apply_reservation(state: LoadState, row: dict[str, Any]) -> None:
    """Load one reservation (its product may be gone from a newer dataset: then skip it)."""
    sku = state.snapshot.sku_index.get(row["sku"])
    if sku is not None and row["quantity"] > 0:
        state.place(sku, float(row["quantity"]), commit=True)


class _Holdings:
    """The cached reservations holding capacity of one database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._recheck = Recheck(db, RECHECK_SECONDS)
        self._rows: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def fresh(self, db: Database) -> list[dict[str, Any]] | None:
        return None if db is not self.db or self._recheck.due() else self._rows

    def rows(self) -> list[dict[str, Any]]:
        with self._lock:
            if self._recheck.due():
                token = self._recheck.start()
                now = utc_now()
                self._rows = holding_reservations(self.db, now)
                self._recheck.done(token, _next_expiry(self._rows, now))
            return self._rows


def _next_expiry(rows: Sequence[dict[str, Any]], now: dt.datetime) -> float | None:
    """The ``time.monotonic()`` moment the first active reservation expires."""
    expiries = [_utc(r["expires_at"]) for r in rows if r["status"] == "active"]
    if not expiries:
        return None
    return time.monotonic() + max(0.0, (min(expiries) - now).total_seconds())


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite gives back naive datetimes; they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


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
    """The answer to one question; nothing is stored or committed. ``now`` (for tests)
    reads the reservations holding at that moment instead of the cached ones."""
    with desk.using(snapshot, desk.holding(db, now)) as (state, average):
        return promise(state, request, company_average=average, with_resequence=with_resequence)


def quick_inquiry(store: CompanyStore, desk: Desk, request: PromiseRequest) -> Promise | None:
    """The answer when everything it needs is cached and the desk is free, else None (then
    call ``inquire``): an async server answers it on its event loop without a thread."""
    company = store.cached()
    if company is None:
        return None
    return desk.answer_now(
        company.snapshot,
        store.db,
        lambda state, average: promise(state, request, company_average=average),
    )


def refresh(store: CompanyStore, desk: Desk) -> None:
    """Bring the cached company and reservations up to date, and build the load state of a
    new snapshot (the desk is held only then, so answers go on meanwhile)."""
    company = store.current()
    rows = desk.holding(store.db)
    if not desk.ready(company.snapshot):
        with desk.using(company.snapshot, rows):
            pass


def refresh_now(store: CompanyStore, desk: Desk) -> bool:
    """``refresh`` when it takes only two small reads (the dataset version, the
    reservations): cheap enough for an event loop. False when ``refresh`` is needed."""
    if not store.recheck_now():
        return False
    company = store.cached()
    if company is None or not desk.ready(company.snapshot):
        return False
    desk.holding(store.db)
    return True


def prepare(store: CompanyStore, desk: Desk) -> bool:
    """Load the stored company and build its load state (compiling the kernels), so the
    first question is answered as fast as the next; False when no company is stored."""
    if store.current_version() is None:
        return False
    refresh(store, desk)
    return True
