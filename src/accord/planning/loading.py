"""The load of a company: free capacity and free stock after open orders and reservations.

``LoadState.after_orders(snapshot)`` builds the arrays once per snapshot (see
``planning/kernels.py`` for their meaning) and places every open order line as the
promise rule says (docs/models/promise-rule.md: by its date as late as it can start, else
as early as it can); ``place(..., commit=True)`` adds one more demand (a reservation);
``place`` alone answers where a demand would land without changing anything. Every one of
them is the one rule of ``kernels._supply``. ``copy`` gives an independent state to try
things on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.domain.snapshot import Snapshot
from accord.errors import BadInput
from accord.planning import kernels
from accord.planning.kernels import NO_DAY, first_day_with

log = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Compiled dispatchers take the arrays positionally; typed loosely for the checker.
_supply_demand: Any = kernels.supply_demand
_load_orders: Any = kernels.load_orders
_commit_lines: Any = kernels.commit_lines
_inquire: Any = kernels.inquire
_largest_by: Any = kernels.largest_by

MAX_TREE_NODES = 10_000  # per product: a BOM that explodes further is rejected


@dataclass(frozen=True, slots=True)
class Trees:
    """Every product's BOM tree in pre-order (node 0 the product), CSR by product."""

    start: IntArray
    sku: IntArray
    parent: IntArray  # node index within the tree, -1 for the root
    mult: FloatArray  # per parent unit
    cum_mult: FloatArray  # per unit of the root
    end: IntArray  # node index within the tree where the node's subtree ends


def bom_trees(snapshot: Snapshot) -> Trees:
    """Expand each product's BOM (a DAG) into a tree; a cycle is bad input."""
    n = len(snapshot.products)
    b_start = snapshot.bom_start.tolist()
    comp = snapshot.bom_component.tolist()
    qty = snapshot.bom_qty.tolist()
    start = [0]
    skus: list[int] = []
    parents: list[int] = []
    mults: list[float] = []
    cums: list[float] = []
    ends: list[int] = []
    for root in range(n):
        if b_start[root] == b_start[root + 1]:
            skus.append(root)
            parents.append(-1)
            mults.append(1.0)
            cums.append(1.0)
            ends.append(1)
            start.append(len(skus))
            continue
        base = len(skus)
        stack: list[tuple[int, int, float, float, tuple[int, ...]]] = [(root, -1, 1.0, 1.0, ())]
        while stack:
            sku, parent, mult, cum, path = stack.pop()
            if sku in path:
                name = snapshot.products[root].sku
                raise BadInput(
                    f"the BOM of {name} contains a cycle through {snapshot.products[sku].sku}"
                )
            node = len(skus) - base
            if node >= MAX_TREE_NODES:
                raise BadInput(f"the BOM of {snapshot.products[root].sku} has too many nodes")
            skus.append(sku)
            parents.append(parent)
            mults.append(mult)
            cums.append(cum)
            for j in range(b_start[sku + 1] - 1, b_start[sku] - 1, -1):
                stack.append((comp[j], node, qty[j], cum * qty[j], (*path, sku)))
        size = len(skus) - base
        sizes = [1] * size
        for i in range(size - 1, 0, -1):  # pre-order read backwards: children first
            sizes[parents[base + i]] += sizes[i]
        ends.extend(i + sizes[i] for i in range(size))
        start.append(len(skus))
    return Trees(
        start=np.array(start, dtype=np.int64),
        sku=np.array(skus, dtype=np.int64),
        parent=np.array(parents, dtype=np.int64),
        mult=np.array(mults, dtype=np.float64),
        cum_mult=np.array(cums, dtype=np.float64),
        end=np.array(ends, dtype=np.int64),
    )


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one demand lands. ``day`` is the delivery day (None: it cannot be delivered
    within the horizon: short); ``supply_day`` the day the load gives before the learned
    lead-time floor (the same unless the floor applies)."""

    sku: int
    quantity: float
    day: int | None
    from_stock: float  # units delivered from stock
    made: float  # units made or bought (not from stock)
    stock_day: int | None  # first day the whole quantity could come from stock alone
    made_day: int | None  # the day the part made or bought is ready (None: none)
    step_ready: tuple[int, ...]  # per routing step of the product: day its input was ready
    step_start: tuple[int, ...]  # first day it found free minutes
    step_end: tuple[int, ...]  # day it ended (NO_DAY when not made)
    node_ready: tuple[int, ...]  # per BOM tree node: day its supply was ready
    node_short: tuple[float, ...]  # per BOM tree node: units made or bought (not from stock)
    bought: bool = False  # the product has no routing and no BOM: bought after its lead time
    supply_day: int | None = None
    floor_days: int = 0  # the learned lead-time floor that applied (0: none)

    @property
    def binding_step(self) -> int:
        """The routing step that binds (``kernels.binding_step``), -1 when none."""
        return int(
            kernels.binding_step(
                np.array(self.step_ready, dtype=np.int64),
                np.array(self.step_start, dtype=np.int64),
                np.array(self.step_end, dtype=np.int64),
            )
        )


@dataclass(frozen=True, slots=True)
class Commits:
    """Lines placed and kept by ``LoadState.commit_many``: per line the delivery day
    (NO_DAY: short) and binding routing step (-1: none), and the minutes each line took as
    (line, resource, day, minutes) entries."""

    days: IntArray
    waited: IntArray
    entry_line: IntArray
    entry_resource: IntArray
    entry_day: IntArray
    entry_minutes: FloatArray


class LoadState:
    """Free capacity and free stock of one snapshot, mutable, owned by one thread."""

    def __init__(self, snapshot: Snapshot, trees: Trees) -> None:
        self.snapshot = snapshot
        self.trees = trees
        s = snapshot
        # A copy: options add capacity inside a trial, and the snapshot's arrays are read-only.
        self.cap: FloatArray = np.array(s.capacity, dtype=np.float64)
        self.free: FloatArray = self.cap.copy()
        self.first_free: IntArray = first_free_days(self.free)
        self.r_start = s.routing_start.astype(np.int64)
        self.r_res = s.routing_resource.astype(np.int64)
        self.r_min = np.array(s.routing_minutes, dtype=np.float64)  # writable: one signature
        self.r_setup = np.array(s.routing_setup, dtype=np.float64)
        self.lead = s.lead_time_days.astype(np.int64)
        self.lot = np.array(s.lot_size, dtype=np.float64)
        self.stock_row, self.avail = _stock_curves(s, self.made_mask())
        # The learned lead-time floor per product (days from as-of; 0: none), SPEC §5.9.
        self.floor: IntArray = np.zeros(len(s.products), dtype=np.int64)
        self.order_day: IntArray = np.zeros(0, dtype=np.int64)
        self.order_step: IntArray = np.zeros(0, dtype=np.int64)
        self.committed = 0  # demands added after the open orders
        self.commitments: list[tuple[int, float]] = []  # those demands: (sku, quantity)
        self.memo: dict[str, Any] = {}  # derived figures, keyed by ``committed`` by users
        self._touched: dict[int, tuple[IntArray, IntArray]] = {}

    @classmethod
    def after_orders(cls, snapshot: Snapshot, trees: Trees | None = None) -> LoadState:
        state = cls(snapshot, trees or bom_trees(snapshot))
        state.place_orders(0, len(snapshot.order_sku))
        return state

    def made_mask(self) -> NDArray[np.bool_]:
        """Per product: made (a routing or a BOM) rather than bought or only stocked."""
        made: NDArray[np.bool_] = np.diff(self.r_start) > 0
        made |= np.diff(self.trees.start) > 1
        return made

    def place_orders(self, lo: int, hi: int) -> None:
        """Place open order lines ``lo:hi`` (in loading order) and record their planned
        days (NO_DAY: short) and binding routing steps."""
        s = self.snapshot
        if len(self.order_day) != len(s.order_sku):
            self.order_day = np.zeros(len(s.order_sku), dtype=np.int64)
            self.order_step = np.full(len(s.order_sku), -1, dtype=np.int64)
        buffer = s.settings.buffer_days
        _load_orders(
            *self._kernel_args(),
            s.order_sku[lo:hi].astype(np.int64),
            np.asarray(s.order_qty[lo:hi], dtype=np.float64),
            s.order_due_day[lo:hi].astype(np.int64) - buffer,
            self.order_day[lo:hi],
            self.order_step[lo:hi],
        )

    def copy(self) -> LoadState:
        other = LoadState.__new__(LoadState)
        for name, value in vars(self).items():
            setattr(other, name, value.copy() if isinstance(value, np.ndarray) else value)
        other.memo = {}
        other.commitments = list(self.commitments)
        other._touched = self._touched
        return other

    def _kernel_args(self) -> tuple[Any, ...]:
        t = self.trees
        return (
            self.cap, self.free, self.first_free, self.r_start, self.r_res, self.r_min,
            self.r_setup, self.lead, self.lot, t.start, t.sku, t.mult, t.end,
            self.stock_row, self.avail,
        )  # fmt: skip

    def step_resource(self, sku: int, step: int) -> str | None:
        """The resource of routing step ``step`` (0-based, in step order) of product
        ``sku``; None when there is no such step (-1: nothing was made)."""
        first, end = int(self.r_start[sku]), int(self.r_start[sku + 1])
        if step < 0 or first + step >= end:
            return None
        return self.snapshot.resources[int(self.r_res[first + step])].resource

    def has_supply_route(self, sku: int) -> bool:
        """Made (a routing or a BOM) or bought (a lead time) rather than only stocked."""
        return self.is_made(sku) or self.is_bought(sku)

    def is_made(self, sku: int) -> bool:
        return bool(
            self.r_start[sku + 1] > self.r_start[sku]
            or self.trees.start[sku + 1] - self.trees.start[sku] > 1
        )

    def is_bought(self, sku: int) -> bool:
        """No routing, no BOM, but a lead time: ordered any time, arrives after it."""
        return not self.is_made(sku) and int(self.lead[sku]) > 0

    def place(self, sku: int, quantity: float, *, commit: bool = False) -> Placement:
        """Earliest delivery of ``quantity`` of product ``sku`` (the promise rule: stock now,
        every receipt and production combine). With ``commit`` the load stays (a
        reservation); without it every touched row is put back."""
        if not quantity > 0:
            raise BadInput(f"quantity must be > 0, got {quantity!r}")
        k = int(self.stock_row[sku])
        a, b = int(self.trees.start[sku]), int(self.trees.start[sku + 1])
        steps = int(self.r_start[sku + 1] - self.r_start[sku])
        node_ready = np.zeros(b - a, dtype=np.float64)
        node_short = np.zeros(b - a, dtype=np.float64)
        s_ready = np.full(steps, NO_DAY, dtype=np.int64)
        s_start = np.full(steps, NO_DAY, dtype=np.int64)
        s_end = np.full(steps, NO_DAY, dtype=np.int64)
        stock_day = int(first_day_with(self.avail[k], 0, quantity)) if k >= 0 else NO_DAY
        d = int(
            _supply_demand(
                *self._kernel_args(), sku, float(quantity), 0, commit,
                node_ready, node_short, s_ready, s_start, s_end,
            )
        )  # fmt: skip
        if commit:
            self.committed += 1
            self.commitments.append((sku, quantity))
        supply_day = None if d == NO_DAY else d
        short = float(node_short[0]) if supply_day is not None else quantity
        floor = int(self.floor[sku])
        day = supply_day if supply_day is None or floor <= supply_day else floor
        return Placement(
            sku=sku,
            quantity=quantity,
            day=day,
            from_stock=quantity - short if supply_day is not None else 0.0,
            made=short if supply_day is not None else 0.0,
            stock_day=None if stock_day == NO_DAY else stock_day,
            made_day=supply_day if supply_day is not None and short > 0 else None,
            step_ready=tuple(s_ready.tolist()),
            step_start=tuple(s_start.tolist()),
            step_end=tuple(s_end.tolist()),
            node_ready=tuple(int(x) for x in node_ready.tolist()),
            node_short=tuple(node_short.tolist()),
            bought=self.is_bought(sku),
            supply_day=supply_day,
            floor_days=floor if day is not None and floor > (supply_day or 0) else 0,
        )

    def earliest_day(self, sku: int, quantity: float) -> int | None:
        """The delivery day ``place`` would give, without its details (the hot path: one
        compiled call)."""
        day = _inquire(*self._kernel_args(), sku, float(quantity))
        if day == NO_DAY:
            return None
        return max(int(day), int(self.floor[sku]))

    def largest_by(self, sku: int, top: int, bottom: int, due: int) -> int:
        """The largest whole quantity in ``bottom..top`` of ``sku`` deliverable by day
        ``due`` (each asked, from ``top`` down; -1: none), nothing changed."""
        if top < bottom or int(self.floor[sku]) > due:
            return -1
        return int(_largest_by(*self._kernel_args(), sku, top, bottom, due))

    def commit_many(
        self, skus: IntArray, quantities: FloatArray, *, keep: bool = True, entries: bool = True
    ) -> Commits:
        """``place(..., commit=True)`` for each line in order, in one compiled call; with
        ``keep=False`` each line is placed alone on this state and put back (what each
        would take by itself)."""
        days = np.empty(len(skus), dtype=np.int64)
        waited = np.empty(len(skus), dtype=np.int64)
        line, res, day, minutes = _commit_lines(
            *self._kernel_args(), skus.astype(np.int64), quantities.astype(np.float64),
            days, waited, keep, entries,
        )  # fmt: skip
        if keep:
            self.committed += len(skus)
            self.commitments.extend(zip(skus.tolist(), quantities.tolist(), strict=True))
        if len(skus):
            floor = self.floor[skus.astype(np.int64)]
            days = np.where(days == NO_DAY, NO_DAY, np.maximum(days, floor))
        return Commits(days, waited, line, res, day, minutes)

    @contextmanager
    def trial(self, sku: int, extra_rows: IntArray | None = None) -> Iterator[None]:
        """Everything a demand for ``sku`` (and changes to ``extra_rows``) can touch is put
        back on leaving the block, so commits inside it are only tried."""
        rows, stock_rows = self._rows(sku)
        if extra_rows is not None:
            rows = np.union1d(rows, extra_rows).astype(np.int64)
        saved = (
            self.cap[rows], self.free[rows], self.first_free[rows], self.avail[stock_rows],
            self.committed,
        )  # fmt: skip
        try:
            yield
        finally:
            self.cap[rows], self.free[rows], self.first_free[rows], self.avail[stock_rows] = saved[
                :4
            ]
            self.committed = saved[4]
            del self.commitments[saved[4] :]
            self.memo.pop("mean_working_day", None)  # capacity may have been added

    def add_capacity(self, rows: IntArray, minutes: FloatArray) -> None:
        """Add ``minutes[len(rows), days]`` (from day 0) to the capacity of ``rows``."""
        days = minutes.shape[1]
        self.memo.pop("mean_working_day", None)  # figures of the calendar, see reasons
        self.cap[rows, :days] += minutes
        self.free[rows, :days] += minutes
        self.first_free[rows] = first_free_days(self.free[rows])

    def _rows(self, sku: int) -> tuple[IntArray, IntArray]:
        """The resource rows and stock rows a demand for ``sku`` can change."""
        touched = self._touched.get(sku)
        if touched is None:
            t = self.trees
            nodes = t.sku[t.start[sku] : t.start[sku + 1]]
            res = [self.r_res[self.r_start[c] : self.r_start[c + 1]] for c in nodes.tolist()]
            rows = np.unique(np.concatenate(res)) if res else np.zeros(0, dtype=np.int64)
            stock = self.stock_row[nodes]
            touched = (rows.astype(np.int64), np.unique(stock[stock >= 0]).astype(np.int64))
            self._touched[sku] = touched
        return touched

    @property
    def prefix(self) -> FloatArray:
        """[R, D + 1] running totals of the free minutes (minutes free in days [a, b) are
        ``prefix[:, b] - prefix[:, a]``)."""
        out = np.zeros((self.free.shape[0], self.free.shape[1] + 1))
        np.cumsum(self.free, axis=1, out=out[:, 1:])
        return out

    def load_ratio(self) -> FloatArray:
        """Per resource: minutes loaded ÷ regular minutes over the horizon (0 without any)."""
        total = self.cap.sum(axis=1)
        used = total - self.free.sum(axis=1)
        ratio: FloatArray = np.divide(used, total, out=np.zeros_like(total), where=total > 0)
        return ratio


def first_free_days(free: FloatArray) -> IntArray:
    """Per row: the first day with a free minute (the number of days when none)."""
    has = free > kernels.EPS
    first: IntArray = np.argmax(has, axis=1).astype(np.int64)
    first[~has.any(axis=1)] = free.shape[1]
    return first


def _stock_curves(s: Snapshot, made: NDArray[np.bool_]) -> tuple[IntArray, FloatArray]:
    """``stock_row`` per product and ``avail[K, D]``: on hand - safety stock + receipts so
    far, for products with stock, receipts, safety stock, or lots whose surplus goes to
    stock (made with a lot size above 1)."""
    horizon = s.horizon
    inside = s.receipt_day < horizon
    has_stock = (s.on_hand > 0) | (s.safety_stock > 0) | (made & (s.lot_size > 1))
    has_stock[s.receipt_sku[inside]] = True
    skus = np.flatnonzero(has_stock)
    stock_row = np.full(len(s.products), -1, dtype=np.int64)
    stock_row[skus] = np.arange(len(skus))
    avail = np.zeros((len(skus), horizon), dtype=np.float64)
    avail += (s.on_hand[skus] - s.safety_stock[skus])[:, None]
    if inside.any():
        arrivals = np.zeros_like(avail)
        np.add.at(
            arrivals,
            (stock_row[s.receipt_sku[inside]], s.receipt_day[inside]),
            s.receipt_qty[inside],
        )
        avail += np.cumsum(arrivals, axis=1)
    return stock_row, avail


def warm_up() -> None:
    """Compile (or load from the cache) every kernel once, on a one-day toy state."""
    cap = np.full((1, 2), 60.0)
    free = cap.copy()
    first = np.zeros(1, dtype=np.int64)
    i1 = np.array([0, 1], dtype=np.int64)
    one = np.array([1.0])
    z = np.zeros(1, dtype=np.int64)
    avail = np.zeros((1, 2))
    args = (cap, free, first, i1, z, one, one, z, one, i1, z, one, np.array([1]), z, avail)
    details = (np.zeros(1), np.zeros(1), z.copy(), z.copy(), z.copy())
    _supply_demand(*args, 0, 1.0, 0, False, *details)
    _load_orders(*args, z, one, z, np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64))
    kernels.first_day_with(avail[0], 0, 1.0)
    _commit_lines(*args, z.copy(), np.zeros(1), z.copy(), z.copy(), True, True)
    _inquire(*args, 0, 1.0)
    _largest_by(*args, 0, 1, 0, 0)
    kernels.binding_step(z.copy(), z.copy(), z.copy())
