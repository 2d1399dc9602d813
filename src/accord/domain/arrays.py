"""The company as flat index arrays for the engines' hot loops.

Products and resources are numbered by their position in the dataset; per-product lists
(routing steps, BOM lines) are stored CSR-style: the items of product ``i`` are
``start[i]:start[i + 1]`` of the item arrays. Building is vectorised: Python touches each
row once to read its fields, numpy does the sorting and grouping.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.domain.model import BomLine, RoutingStep, SupplyReceipt
from accord.domain.sales import Order

IntArray = NDArray[np.int32]
FloatArray = NDArray[np.float64]


def lookup(index: Mapping[str, int], keys: list[str], what: str) -> IntArray:
    try:
        return np.array([index[k] for k in keys], dtype=np.int32)
    except KeyError as exc:
        raise ValueError(f"unknown {what} {exc.args[0]!r}") from None


def csr_start(group: IntArray, groups: int) -> IntArray:
    """Offsets of each group in items sorted by group: ``start[g]:start[g + 1]``."""
    start = np.zeros(groups + 1, dtype=np.int32)
    np.cumsum(np.bincount(group, minlength=groups), out=start[1:])
    return start


@dataclass(frozen=True, slots=True)
class Routings:
    """Routing steps of every product in step order, CSR by product index."""

    order: NDArray[np.intp]  # position in the input of each sorted step
    start: IntArray  # [products + 1]
    resource: IntArray  # [steps] resource index
    minutes: FloatArray  # [steps] minutes per unit
    setup: FloatArray  # [steps] setup minutes per lot


def routing_arrays(
    steps: Sequence[RoutingStep], sku_index: Mapping[str, int], resource_index: Mapping[str, int]
) -> Routings:
    sku = lookup(sku_index, [s.sku for s in steps], "routing sku")
    resource = lookup(resource_index, [s.resource for s in steps], "routing resource")
    step = np.array([s.step for s in steps], dtype=np.int64)
    order = np.lexsort((step, sku))
    return Routings(
        order=order,
        start=csr_start(sku, len(sku_index)),
        resource=resource[order],
        minutes=np.array([s.minutes_per_unit for s in steps], dtype=np.float64)[order],
        setup=np.array([s.setup_minutes for s in steps], dtype=np.float64)[order],
    )


@dataclass(frozen=True, slots=True)
class Boms:
    """BOM lines of every product (in dataset order within a product), CSR by product."""

    order: NDArray[np.intp]
    start: IntArray  # [products + 1]
    component: IntArray  # [lines] component product index
    quantity: FloatArray  # [lines] quantity per parent unit


def bom_arrays(lines: Sequence[BomLine], sku_index: Mapping[str, int]) -> Boms:
    sku = lookup(sku_index, [b.sku for b in lines], "BOM sku")
    component = lookup(sku_index, [b.component for b in lines], "BOM component")
    order = np.argsort(sku, kind="stable")
    return Boms(
        order=order,
        start=csr_start(sku, len(sku_index)),
        component=component[order],
        quantity=np.array([b.quantity_per for b in lines], dtype=np.float64)[order],
    )


@dataclass(frozen=True, slots=True)
class Receipts:
    """Scheduled receipts sorted by day, then product, then dataset order."""

    sku: IntArray
    day: IntArray  # 0 for overdue ones; ``horizon`` for those beyond the horizon
    quantity: FloatArray


def receipt_arrays(
    supply: Sequence[SupplyReceipt], sku_index: Mapping[str, int], as_of: dt.date, horizon: int
) -> Receipts:
    sku = lookup(sku_index, [s.sku for s in supply], "supply sku")
    origin = as_of.toordinal()
    raw_day = np.array([s.date.toordinal() - origin for s in supply], dtype=np.int64)
    # An overdue receipt is still expected, so at the earliest: today. One beyond the
    # horizon keeps a sentinel day so engines can still count it (``day < horizon``).
    day = np.clip(raw_day, 0, horizon).astype(np.int32)
    order = np.lexsort((sku, day))
    quantity = np.array([s.quantity for s in supply], dtype=np.float64)
    return Receipts(sku=sku[order], day=day[order], quantity=quantity[order])


@dataclass(frozen=True, slots=True)
class OrderBook:
    """Open order lines in loading order: priority, commitment date (the promised date
    where one is set, else the due date), order id, line (SPEC §5.2)."""

    orders: tuple[Order, ...]
    sku: IntArray
    quantity: FloatArray
    due_day: IntArray  # commitment date, days from as-of; negative when overdue
    priority: IntArray


def order_book(
    open_orders: Sequence[Order], sku_index: Mapping[str, int], as_of: dt.date
) -> OrderBook:
    if not open_orders:
        empty_i, empty_f = np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
        return OrderBook((), empty_i, empty_f, empty_i.copy(), empty_i.copy())
    sku = lookup(sku_index, [o.sku for o in open_orders], "order sku")
    origin = as_of.toordinal()
    due = np.array([o.commit_date.toordinal() - origin for o in open_orders], dtype=np.int32)
    priority = np.array([o.priority for o in open_orders], dtype=np.int32)
    line = np.array([o.line for o in open_orders], dtype=np.int64)
    order_id = np.array([o.order_id for o in open_orders], dtype=np.str_)
    order = np.lexsort((line, order_id, due, priority))
    return OrderBook(
        orders=tuple([open_orders[i] for i in order.tolist()]),
        sku=sku[order],
        quantity=np.array([o.quantity for o in open_orders], dtype=np.float64)[order],
        due_day=due[order],
        priority=priority[order],
    )
