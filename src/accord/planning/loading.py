"""The load of a company: free capacity and free stock after open orders and reservations.

``LoadState.after_orders(snapshot)`` builds the arrays once per snapshot (see
``planning/kernels.py`` for their meaning) and places every open order in loading order
(priority, then due date); ``commit`` adds one more demand (a reservation) incrementally;
``place`` answers where a demand would land without changing anything (it saves the few
rows it touches and puts them back). ``copy`` gives an independent state to try things on.
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
from accord.planning.kernels import NO_DAY, drawable, first_day_with

log = logging.getLogger(__name__)

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Compiled dispatchers take the arrays positionally; typed loosely for the checker.
_produce: Any = kernels.produce
_load_orders: Any = kernels.load_orders
_commit_demand: Any = kernels.commit_demand
_commit_lines: Any = kernels.commit_lines
_try_produce: Any = kernels.try_produce
_inquire_any: Any = kernels.inquire_any

MAX_TREE_NODES = 10_000  # per product: a BOM that explodes further is rejected


@dataclass(frozen=True, slots=True)
class Trees:
    """Every product's BOM tree in pre-order (node 0 the product), CSR by product."""

    start: IntArray
    sku: IntArray
    parent: IntArray  # node index within the tree, -1 for the root
    mult: FloatArray  # per parent unit
    cum_mult: FloatArray  # per unit of the root


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
    for root in range(n):
        if b_start[root] == b_start[root + 1]:
            skus.append(root)
            parents.append(-1)
            mults.append(1.0)
            cums.append(1.0)
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
        start.append(len(skus))
    return Trees(
        start=np.array(start, dtype=np.int64),
        sku=np.array(skus, dtype=np.int64),
        parent=np.array(parents, dtype=np.int64),
        mult=np.array(mults, dtype=np.float64),
        cum_mult=np.array(cums, dtype=np.float64),
    )


@dataclass(frozen=True, slots=True)
class Placement:
    """Where one demand lands. ``day`` is the delivery day (None: beyond the horizon)."""

    sku: int
    quantity: float
    day: int | None
    from_stock: float  # units delivered from stock
    made: float  # units made (or, for a product without routing, none)
    stock_day: int | None  # first day the whole quantity could come from stock alone
    made_day: int | None  # the day production (incl. lead time) would deliver the rest
    step_ready: tuple[int, ...]  # per routing step of the product: day its input was ready
    step_start: tuple[int, ...]  # first day it found free minutes
    step_end: tuple[int, ...]  # day it ended (NO_DAY when beyond the horizon)
    node_ready: tuple[int, ...]  # per BOM tree node: day its supply was ready
    node_short: tuple[float, ...]  # per BOM tree node: units made or bought (not from stock)


class LoadState:
    """Free capacity and free stock of one snapshot, mutable, owned by one thread."""

    def __init__(self, snapshot: Snapshot, trees: Trees) -> None:
        self.snapshot = snapshot
        self.trees = trees
        s = snapshot
        self.cap: FloatArray = np.ascontiguousarray(s.capacity, dtype=np.float64)
        self.free: FloatArray = self.cap.copy()
        self.first_free: IntArray = first_free_days(self.free)
        self.r_start = s.routing_start.astype(np.int64)
        self.r_res = s.routing_resource.astype(np.int64)
        self.r_min = np.asarray(s.routing_minutes, dtype=np.float64)
        self.r_setup = np.asarray(s.routing_setup, dtype=np.float64)
        self.lead = s.lead_time_days.astype(np.int64)
        self.stock_row, self.avail = _stock_curves(s)
        self.order_day: IntArray = np.zeros(0, dtype=np.int64)
        self.committed = 0  # demands added after the open orders
        self.commitments: list[tuple[int, float]] = []  # those demands: (sku, quantity)
        self.memo: dict[str, Any] = {}  # derived figures, keyed by ``committed`` by users
        self._touched: dict[int, tuple[IntArray, IntArray]] = {}
        self._width = int(np.max(np.diff(trees.start))) if len(trees.start) > 1 else 1
        self._steps = int(np.max(np.diff(self.r_start), initial=1))
        days = self.cap.shape[1]
        self._save_free = np.empty((4, days))
        self.step_ready = np.zeros(self._steps, dtype=np.int64)  # of the last commit_fast
        self.step_start = np.zeros(self._steps, dtype=np.int64)
        self._save_first = np.empty(4, dtype=np.int64)
        self._save_avail = np.empty((4, days))

    @classmethod
    def after_orders(cls, snapshot: Snapshot, trees: Trees | None = None) -> LoadState:
        state = cls(snapshot, trees or bom_trees(snapshot))
        state.place_orders(0, len(snapshot.order_sku))
        return state

    def place_orders(self, lo: int, hi: int) -> None:
        """Place open order lines ``lo:hi`` (in loading order) and record their days."""
        s = self.snapshot
        if len(self.order_day) != len(s.order_sku):
            self.order_day = np.zeros(len(s.order_sku), dtype=np.int64)
        _load_orders(
            *self._kernel_args(),
            s.order_sku[lo:hi].astype(np.int64),
            np.asarray(s.order_qty[lo:hi], dtype=np.float64),
            s.order_due_day[lo:hi].astype(np.int64),
            self.order_day[lo:hi],
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
            self.r_setup, self.lead, t.start, t.sku, t.parent, t.mult, self.stock_row,
            self.avail,
        )  # fmt: skip

    def has_supply_route(self, sku: int) -> bool:
        """Made (a routing or a BOM) rather than only taken from stock."""
        return bool(
            self.r_start[sku + 1] > self.r_start[sku]
            or self.trees.start[sku + 1] - self.trees.start[sku] > 1
        )

    def drawable_now(self, sku: int) -> float:
        k = int(self.stock_row[sku])
        return float(drawable(self.avail[k], 0)) if k >= 0 else 0.0

    def place(self, sku: int, quantity: float, *, commit: bool = False) -> Placement:
        """Earliest delivery of ``quantity`` of product ``sku`` from now (SPEC §5.2 step 1).

        Stock alone (on the first day enough is free) or stock now plus the rest made,
        whichever is sooner. With ``commit`` the load stays (a reservation); without it
        every touched row is put back.
        """
        if not quantity > 0:
            raise BadInput(f"quantity must be > 0, got {quantity!r}")
        k = int(self.stock_row[sku])
        horizon = self.cap.shape[1]
        a, b = int(self.trees.start[sku]), int(self.trees.start[sku + 1])
        steps = int(self.r_start[sku + 1] - self.r_start[sku])
        node_ready = np.zeros(b - a, dtype=np.float64)
        node_short = np.zeros(b - a, dtype=np.float64)
        s_ready = np.full(max(steps, 1), NO_DAY, dtype=np.int64)
        s_start = np.full(max(steps, 1), NO_DAY, dtype=np.int64)
        s_end = np.full(max(steps, 1), NO_DAY, dtype=np.int64)
        made_day: int | None = None
        if not commit:  # an inquiry: one compiled call that puts every row back
            rows, stock_rows = self._scratch_rows(sku)
            stock_day, have, d = _try_produce(
                *self._kernel_args(), sku, quantity, rows, stock_rows,
                self._save_free, self._save_first, self._save_avail,
                node_ready, node_short, s_ready, s_start, s_end,
            )  # fmt: skip
            made_day = None if d == NO_DAY else int(d + self.lead[sku])
            use_stock = stock_day != NO_DAY and (made_day is None or stock_day <= made_day)
        else:
            stock_day = int(first_day_with(self.avail[k], 0, quantity)) if k >= 0 else NO_DAY
            have = float(drawable(self.avail[k], 0)) if k >= 0 else 0.0
            if stock_day != 0 and self.has_supply_route(sku):
                rows, stock_rows = self._rows(sku)
                saved = (self.free[rows], self.first_free[rows], self.avail[stock_rows])
                d, _ = _produce(
                    *self._kernel_args(), sku, quantity - have, 0,
                    node_ready, node_short, s_ready, s_start, s_end,
                )  # fmt: skip
                made_day = None if d == NO_DAY else int(d + self.lead[sku])
                use_stock = stock_day != NO_DAY and (made_day is None or stock_day <= made_day)
                if use_stock:
                    self.free[rows], self.first_free[rows], self.avail[stock_rows] = saved
            else:
                use_stock = stock_day != NO_DAY
        if use_stock:
            day: int | None = stock_day
            from_stock, made = quantity, 0.0
        else:
            day = made_day
            from_stock, made = have, quantity - have
        if commit:
            if day is not None and k >= 0 and from_stock > 0:
                kernels.draw(self.avail[k], min(day, horizon - 1), from_stock)
            self.committed += 1
            self.commitments.append((sku, quantity))
        return Placement(
            sku=sku,
            quantity=quantity,
            day=day,
            from_stock=from_stock,
            made=made,
            stock_day=None if stock_day == NO_DAY else stock_day,
            made_day=made_day,
            step_ready=tuple(s_ready[:steps].tolist()),
            step_start=tuple(s_start[:steps].tolist()),
            step_end=tuple(s_end[:steps].tolist()),
            node_ready=tuple(int(x) for x in node_ready.tolist()),
            node_short=tuple(node_short.tolist()),
        )

    def _scratch_rows(self, sku: int) -> tuple[IntArray, IntArray]:
        """``_rows(sku)``, with the scratch arrays grown to save them."""
        rows, stock_rows = self._rows(sku)
        if (
            rows.shape[0] > self._save_free.shape[0]
            or stock_rows.shape[0] > self._save_avail.shape[0]
        ):
            self._grow_scratch(rows.shape[0], stock_rows.shape[0])
        return rows, stock_rows

    def earliest_day(self, sku: int, quantity: float) -> int | None:
        """The delivery day ``place`` would give, without its details (the hot path: one
        compiled call, also for a product asked about for the first time)."""
        if "_any_rows" not in self.__dict__:
            self._make_inquiry_scratch()
        day = _inquire_any(
            *self._kernel_args(), sku, quantity, self._any_marks, self._any_stock_marks,
            self._any_stamp, self._any_rows, self._any_stock_rows,
            self._any_free, self._any_first, self._any_avail,
        )  # fmt: skip
        return None if day == NO_DAY else int(day)

    def _make_inquiry_scratch(self) -> None:
        # Room for every resource row and the widest BOM tree: no resizing per question.
        n_rows, days = self.cap.shape
        width = max(self._width, 1)
        self._any_marks = np.zeros(n_rows, dtype=np.int64)
        self._any_stock_marks = np.zeros(self.avail.shape[0], dtype=np.int64)
        self._any_stamp = np.zeros(1, dtype=np.int64)
        self._any_rows = np.empty(n_rows, dtype=np.int64)
        self._any_stock_rows = np.empty(width, dtype=np.int64)
        self._any_free = np.empty((n_rows, days))
        self._any_first = np.empty(n_rows, dtype=np.int64)
        self._any_avail = np.empty((width, days))

    def commit_fast(self, sku: int, quantity: float) -> int | None:
        """``place(sku, quantity, commit=True).day`` without the details but the step days
        (``step_ready`` / ``step_start``, for the binding resource): for batches."""
        rows, stock_rows = self._scratch_rows(sku)
        day = _commit_demand(
            *self._kernel_args(), sku, quantity, rows, stock_rows,
            self._save_free, self._save_first, self._save_avail,
            self.step_ready, self.step_start,
        )  # fmt: skip
        self.committed += 1
        self.commitments.append((sku, quantity))
        return None if day == NO_DAY else int(day)

    def commit_many(self, skus: IntArray, quantities: FloatArray) -> tuple[IntArray, IntArray]:
        """``commit_fast`` for each line in order, in one compiled call: the delivery days
        (NO_DAY beyond the horizon) and per line the routing step its lot waited for
        longest (-1: it never waited)."""
        days = np.empty(len(skus), dtype=np.int64)
        waited = np.empty(len(skus), dtype=np.int64)
        _commit_lines(
            *self._kernel_args(), skus.astype(np.int64), quantities.astype(np.float64),
            days, waited,
        )  # fmt: skip
        self.committed += len(skus)
        self.commitments.extend(zip(skus.tolist(), quantities.tolist(), strict=True))
        return days, waited

    def _grow_scratch(self, rows: int, stock_rows: int) -> None:
        days = self.cap.shape[1]
        rows = max(rows, self._save_free.shape[0])
        stock_rows = max(stock_rows, self._save_avail.shape[0])
        self._save_free = np.empty((rows, days))
        self._save_first = np.empty(rows, dtype=np.int64)
        self._save_avail = np.empty((stock_rows, days))

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


def _stock_curves(s: Snapshot) -> tuple[IntArray, FloatArray]:
    """``stock_row`` per product and ``avail[K, D]``: on hand - safety stock + receipts so far."""
    horizon = s.horizon
    inside = s.receipt_day < horizon
    has_stock = (s.on_hand > 0) | (s.safety_stock > 0)
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
    args = (
        cap,
        free,
        first,
        i1,
        z,
        one,
        one,
        z,
        i1,
        z,
        np.array([-1], dtype=np.int64),
        one,
        z,
        avail,
    )
    _produce(*args, 0, 1.0, 0, np.zeros(1), np.zeros(1), z.copy(), z.copy(), z.copy())
    _load_orders(*args, z, one, z, np.zeros(1, dtype=np.int64))
    kernels.first_day_with(avail[0], 0, 1.0)
    rows = np.zeros(1, dtype=np.int64)
    scratch = (np.empty((1, 2)), np.empty(1, dtype=np.int64), np.empty((1, 2)))
    _commit_demand(*args, 0, 1.0, rows, rows, *scratch, z.copy(), z.copy())
    _commit_lines(*args, z.copy(), np.zeros(1), z.copy(), z.copy())
    _try_produce(
        *args, 0, 1.0, rows, rows, *scratch, np.zeros(1), np.zeros(1), z.copy(), z.copy(), z.copy()
    )
    marks = (np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64))
    _inquire_any(*args, 0, 1.0, *marks, z.copy(), z.copy(), *scratch)
