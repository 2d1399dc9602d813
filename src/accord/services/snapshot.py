"""Building the snapshot (``accord.domain.snapshot.Snapshot``, where its arrays are
described) from a dataset, and a cache of snapshots per dataset version, as-of date and
horizon.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

import numpy as np

from accord.allocation import paused_gc
from accord.domain import arrays, company
from accord.domain.calendar import daily_capacity, prefix_sums
from accord.domain.dataset import TABLES, Dataset
from accord.domain.model import (
    Product,
)
from accord.domain.sales import OpportunityLine
from accord.domain.snapshot import FloatArray, IntArray, Snapshot
from accord.errors import BadInput

A = TypeVar("A", bound=np.ndarray[Any, Any])
T = TypeVar("T")

DEFAULT_HORIZON_DAYS = 365

# The tables a snapshot is built from (a test checks it reads no other); the rest, the
# histories above all, can be read later, when an analysis asks for them.
SNAPSHOT_TABLES = frozenset(
    {
        "settings", "products", "resources", "calendar_exceptions", "routings", "bom",
        "supply", "customers", "orders", "opportunities", "opportunity_lines", "inventory",
    }
)  # fmt: skip
DEFERRED_TABLES = tuple(name for name in TABLES if name not in SNAPSHOT_TABLES)


def resolve_as_of(dataset: Dataset, as_of: dt.date | None) -> dt.date:
    """The explicit date, else the dataset's ``settings.as_of``, else today."""
    if as_of is not None:
        return as_of
    try:
        return dataset.as_of() or dt.date.today()
    except ValueError as exc:
        raise BadInput(f"settings: as_of is not a date: {exc}") from exc


def build_snapshot(
    dataset: Dataset, as_of: dt.date | None = None, horizon_days: int = DEFAULT_HORIZON_DAYS
) -> Snapshot:
    """Build the frozen view of ``dataset`` at ``as_of`` over ``horizon_days`` days.

    Raises ``BadInput`` when a row cannot become a domain object or names something that
    does not exist (a dataset that passed import validation never does).
    """
    if isinstance(horizon_days, bool) or not isinstance(horizon_days, int) or horizon_days < 1:
        raise BadInput(f"horizon_days must be a whole number >= 1, got {horizon_days!r}")
    day0 = resolve_as_of(dataset, as_of)
    try:
        with paused_gc():
            return _build(dataset, day0, horizon_days)
    except ValueError as exc:  # includes company.RowError
        raise BadInput(str(exc)) from exc


def _build(dataset: Dataset, as_of: dt.date, horizon: int) -> Snapshot:
    rows = dataset.rows
    products = company.build_rows("products", rows("products"), company.product_from_row)
    resources = company.build_rows("resources", rows("resources"), company.resource_from_row)
    exceptions = company.build_rows(
        "calendar_exceptions", rows("calendar_exceptions"), company.calendar_exception_from_row
    )
    steps = company.build_rows("routings", rows("routings"), company.routing_step_from_row)
    bom_lines = company.build_rows("bom", rows("bom"), company.bom_line_from_row)
    supply = company.build_rows("supply", rows("supply"), company.supply_from_row)
    customers = company.build_rows("customers", rows("customers"), company.customer_from_row)
    orders = company.build_rows("orders", rows("orders"), company.order_from_row)
    opportunities = company.build_rows(
        "opportunities", rows("opportunities"), company.opportunity_from_row
    )
    products_by_sku = company.by_key(products, lambda p: p.sku)
    opportunities_by_id = company.by_key(opportunities, lambda o: o.opportunity_id)
    lines = company.build_rows(
        "opportunity_lines",
        rows("opportunity_lines"),
        company.opportunity_line_maker(products_by_sku, opportunities_by_id),
    )
    inventory = company.inventory_from_rows(rows("inventory"))

    sku_index = MappingProxyType({p.sku: i for i, p in enumerate(products)})
    resource_index = MappingProxyType({r.resource: i for i, r in enumerate(resources)})
    calendar = daily_capacity(resources, exceptions, as_of, horizon)
    routings = arrays.routing_arrays(steps, sku_index, resource_index)
    boms = arrays.bom_arrays(bom_lines, sku_index)
    receipts = arrays.receipt_arrays(supply, sku_index, as_of, horizon)
    book = arrays.order_book([o for o in orders if o.status == "open"], sku_index, as_of)
    on_hand = np.zeros(len(products), dtype=np.float64)
    if inventory:
        held = arrays.lookup(sku_index, list(inventory), "inventory sku")
        on_hand[held] = np.fromiter(inventory.values(), dtype=np.float64, count=len(held))

    def per_product(values: list[float]) -> FloatArray:
        return np.array(values, dtype=np.float64)

    unit_price = per_product([p.unit_price for p in products])
    material_cost = per_product([p.material_cost for p in products])
    return Snapshot(
        dataset=dataset,
        as_of=as_of,
        horizon=horizon,
        dates=_ro(np.arange(np.datetime64(as_of, "D"), np.datetime64(as_of, "D") + horizon)),
        settings=company.settings_from(dataset),
        products=products,
        products_by_sku=products_by_sku,
        resources=resources,
        resources_by_id=company.by_key(resources, lambda r: r.resource),
        calendar_exceptions=exceptions,
        routings=_group([steps[i] for i in routings.order.tolist()], routings.start, products),
        bom=_group([bom_lines[i] for i in boms.order.tolist()], boms.start, products),
        supply=supply,
        inventory=MappingProxyType(inventory),
        customers=customers,
        customers_by_id=company.by_key(customers, lambda c: c.customer),
        orders=orders,
        open_orders=book.orders,
        opportunities=opportunities,
        opportunities_by_id=opportunities_by_id,
        opportunity_lines=lines,
        lines_by_opportunity=_lines_by_opportunity(lines),
        sku_index=sku_index,
        resource_index=resource_index,
        capacity=_ro(calendar.regular),
        overtime_capacity=_ro(calendar.overtime),
        capacity_prefix=_ro(prefix_sums(calendar.regular)),
        routing_start=_ro(routings.start),
        routing_resource=_ro(routings.resource),
        routing_minutes=_ro(routings.minutes),
        routing_setup=_ro(routings.setup),
        bom_start=_ro(boms.start),
        bom_component=_ro(boms.component),
        bom_qty=_ro(boms.quantity),
        on_hand=_ro(on_hand),
        receipt_sku=_ro(receipts.sku),
        receipt_day=_ro(receipts.day),
        receipt_qty=_ro(receipts.quantity),
        order_sku=_ro(book.sku),
        order_qty=_ro(book.quantity),
        order_due_day=_ro(book.due_day),
        order_priority=_ro(book.priority),
        unit_price=_ro(unit_price),
        material_cost=_ro(material_cost),
        throughput_per_unit=_ro(unit_price - material_cost),
        lead_time_days=_ro(np.array([p.lead_time_days for p in products], dtype=np.int32)),
        lot_size=_ro(per_product([p.lot_size for p in products])),
        safety_stock=_ro(per_product([p.safety_stock for p in products])),
    )


def _ro(array: A) -> A:
    array.flags.writeable = False
    return array


def _group(
    items: list[T], start: IntArray, products: tuple[Product, ...]
) -> Mapping[str, tuple[T, ...]]:
    """sku -> its slice of CSR-sorted items, for products that have any."""
    bounds = start.tolist()
    return MappingProxyType(
        {
            products[i].sku: tuple(items[bounds[i] : bounds[i + 1]])
            for i in np.flatnonzero(np.diff(start)).tolist()
        }
    )


def _lines_by_opportunity(
    lines: tuple[OpportunityLine, ...],
) -> Mapping[str, tuple[OpportunityLine, ...]]:
    grouped: dict[str, list[OpportunityLine]] = {}
    for line in lines:
        grouped.setdefault(line.opportunity_id, []).append(line)
    return MappingProxyType({k: tuple(v) for k, v in grouped.items()})


@dataclass(slots=True)
class _Entry:
    lock: threading.Lock
    snapshot: Snapshot | None = None


class SnapshotCache:
    """Builds each (dataset version, as-of, horizon) snapshot once and keeps the last few.

    Thread-safe: concurrent callers asking for the same key wait for one build; callers
    asking for different keys build in parallel.
    """

    def __init__(self, max_entries: int = 4) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries}")
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[int, dt.date, int], _Entry] = OrderedDict()

    def get(
        self,
        dataset: Dataset,
        version: int,
        as_of: dt.date | None = None,
        horizon_days: int = DEFAULT_HORIZON_DAYS,
    ) -> Snapshot:
        """The snapshot of ``dataset`` (known to the caller as ``version``)."""
        day0 = resolve_as_of(dataset, as_of)
        key = (version, day0, horizon_days)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                entry = self._entries[key] = _Entry(threading.Lock())
                while len(self._entries) > self.max_entries:
                    self._entries.popitem(last=False)
            self._entries.move_to_end(key)
        with entry.lock:
            if entry.snapshot is None:
                entry.snapshot = build_snapshot(dataset, day0, horizon_days)
            return entry.snapshot

    def peek(
        self,
        dataset: Dataset,
        version: int,
        as_of: dt.date | None = None,
        horizon_days: int = DEFAULT_HORIZON_DAYS,
    ) -> Snapshot | None:
        """The snapshot if it is built already, else None (never builds, never waits)."""
        entry = self._entries.get((version, resolve_as_of(dataset, as_of), horizon_days))
        return None if entry is None else entry.snapshot

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return sum(1 for e in self._entries.values() if e.snapshot is not None)
