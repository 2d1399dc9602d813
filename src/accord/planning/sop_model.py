"""Building the S&OP supply LP from arrays: the formulation is in ``accord.planning.sop``;
the constraint numbers below are the ones there.

Every variable block is a 2-D array ``[rows, T]`` flattened row by row, so the column of
``x[p, t]`` is ``offset_x + p * T + t``; constraint rows likewise. The coefficient matrix is
assembled as coordinate triplets with numpy index arithmetic (one ``np.concatenate`` per
constraint family) and compressed once: no Python loop over variables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.planning.lp import INF, LinearProgram, Solver, SparseMatrix
from accord.planning.sop_data import SupplyData

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

# Variable blocks in column order; item blocks are [n, T], resource blocks [R, T],
# crew blocks [C, T].
ITEM_BLOCKS = ("made", "sub", "inv", "back")
RESOURCE_BLOCKS = ("reg", "ot")
CREW_BLOCKS = ("workers", "hired", "laid_off")
# Constraint families in row order, with the formulation's numbers.
ROW_FAMILIES = (
    ("balance", "(1) inventory balance"),
    ("load", "(2) load = regular + overtime minutes"),
    ("capacity", "(3) regular capacity"),
    ("crew_overtime", "(4) crew overtime limit"),
    ("workforce", "(5) workforce balance"),
    ("target", "(S) strategy supply target"),
)


@dataclass(frozen=True, slots=True)
class EndConditions:
    allow_ending_backlog: bool = False
    enforce_min_ending_inventory: bool = True


@dataclass(frozen=True, slots=True, eq=False)
class Layout:
    """Where each block of columns and rows starts, and its shape."""

    n: int
    R: int
    C: int
    T: int
    crews: IntArray  # resource index of each crew
    cols: dict[str, int]
    rows: dict[str, int]
    n_cols: int
    n_rows: int

    def block(self, name: str) -> tuple[int, int]:
        """(offset, row count) of a column block."""
        height = self.n if name in ITEM_BLOCKS else self.R if name in RESOURCE_BLOCKS else self.C
        return self.cols[name], height

    def values(self, x: FloatArray, name: str) -> FloatArray:
        offset, height = self.block(name)
        return x[offset : offset + height * self.T].reshape(height, self.T)

    def row_block(self, values: FloatArray, family: str) -> FloatArray:
        height = {
            "balance": self.n,
            "load": self.R,
            "capacity": self.R,
            "crew_overtime": self.C,
            "workforce": self.C,
            "target": self.n,
        }[family]
        start = self.rows[family]
        return values[start : start + height * self.T].reshape(height, self.T)

    def family_of_row(self, row: int) -> str:
        name = ROW_FAMILIES[0][1]
        for family, label in ROW_FAMILIES:
            if row >= self.rows[family]:
                name = label
        return name


def layout(data: SupplyData, with_target: bool) -> Layout:
    n, R, T = data.shape
    crews = np.flatnonzero(data.is_crew).astype(np.int64)
    C = len(crews)
    cols: dict[str, int] = {}
    at = 0
    for name, height in (
        *((b, n) for b in ITEM_BLOCKS),
        *((b, R) for b in RESOURCE_BLOCKS),
        *((b, C) for b in CREW_BLOCKS),
    ):
        cols[name] = at
        at += height * T
    rows: dict[str, int] = {}
    n_rows = 0
    heights = {"balance": n, "load": R, "capacity": R, "crew_overtime": C, "workforce": C}
    heights["target"] = n if with_target else 0
    for family, _ in ROW_FAMILIES:
        rows[family] = n_rows
        n_rows += heights[family] * T
    return Layout(n, R, C, T, crews, cols, rows, at, n_rows)


def build_model(
    data: SupplyData,
    *,
    profit: bool = False,
    integer: bool = False,
    end: EndConditions | None = None,
    supply_target: FloatArray | None = None,
    solver: Solver = "auto",
    time_limit: float | None = None,
) -> tuple[LinearProgram, Layout]:
    """The LP (or MIP) of the formulation over ``data``; ``supply_target`` [n, T] fixes
    made + subcontracted per item and period (constraint S, for the classic strategies)."""
    end = end or EndConditions()
    lay = layout(data, supply_target is not None)
    n, R, T = data.shape
    C = lay.C
    crews = lay.crews
    t = np.arange(T)

    def grid(block: str, height: int) -> IntArray:
        """[height, T] column numbers of a block."""
        out: IntArray = lay.cols[block] + np.arange(height)[:, None] * T + t[None, :]
        return out

    def row_grid(family: str, height: int) -> IntArray:
        out: IntArray = lay.rows[family] + np.arange(height)[:, None] * T + t[None, :]
        return out

    made, sub, inv, back = (grid(b, n) for b in ITEM_BLOCKS)
    reg, ot = (grid(b, R) for b in RESOURCE_BLOCKS)
    workers, hired, laid = (grid(b, C) for b in CREW_BLOCKS)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []

    def add(r: IntArray, c: IntArray, v: FloatArray | float) -> None:
        vals.append(np.broadcast_to(np.asarray(v, dtype=np.float64), r.shape).ravel())
        rows.append(r.ravel())
        cols.append(c.ravel())

    row_lo = np.empty(lay.n_rows)
    row_hi = np.empty(lay.n_rows)

    # (1) inv[t] - back[t] - inv[t-1] + back[t-1] - made[t] - sub[t] = receipts[t] - demand[t]
    bal = row_grid("balance", n)
    add(bal, inv, 1.0)
    add(bal, back, -1.0)
    add(bal[:, 1:], inv[:, :-1], -1.0)
    add(bal[:, 1:], back[:, :-1], 1.0)
    add(bal, made, -1.0)
    add(bal, sub, -1.0)
    rhs = data.receipts - data.demand
    rhs[:, 0] += data.on_hand
    row_lo[bal.ravel()] = row_hi[bal.ravel()] = rhs.ravel()

    # (2) sum_p minutes[p, r] made[p, t] - reg[r, t] - ot[r, t] = 0
    load = row_grid("load", R)
    p_idx, r_idx = np.nonzero(data.minutes)
    add(load[r_idx], made[p_idx], data.minutes[p_idx, r_idx][:, None])
    add(load, reg, -1.0)
    add(load, ot, -1.0)
    row_lo[load.ravel()] = row_hi[load.ravel()] = 0.0

    # (3) machine: reg <= regular; crew: reg - per-worker regular * workers <= 0
    cap = row_grid("capacity", R)
    add(cap, reg, 1.0)
    add(cap[crews], workers, -data.regular[crews])
    row_lo[cap.ravel()] = -INF
    cap_hi = np.where(data.is_crew[:, None], 0.0, data.regular)
    row_hi[cap.ravel()] = cap_hi.ravel()

    # (4) crew: ot - per-worker overtime * workers <= 0 (machines: a column bound)
    cot = row_grid("crew_overtime", C)
    add(cot, ot[crews], 1.0)
    add(cot, workers, -data.overtime[crews])
    row_lo[cot.ravel()] = -INF
    row_hi[cot.ravel()] = 0.0

    # (5) workers[t] - workers[t-1] - hired[t] + laid_off[t] = 0 (t = 0: = workers today)
    wf = row_grid("workforce", C)
    add(wf, workers, 1.0)
    add(wf[:, 1:], workers[:, :-1], -1.0)
    add(wf, hired, -1.0)
    add(wf, laid, 1.0)
    wf_rhs = np.zeros((C, T))
    wf_rhs[:, 0] = data.workers[crews]
    row_lo[wf.ravel()] = row_hi[wf.ravel()] = wf_rhs.ravel()

    # (S) made + sub = target
    if supply_target is not None:
        tgt = row_grid("target", n)
        add(tgt, made, 1.0)
        add(tgt, sub, 1.0)
        row_lo[tgt.ravel()] = row_hi[tgt.ravel()] = supply_target.ravel()

    matrix = SparseMatrix.from_triplets(
        np.concatenate(rows),
        np.concatenate(cols),
        np.concatenate(vals),
        (lay.n_rows, lay.n_cols),
    )
    lower, upper = _bounds(data, lay, end)
    return (
        LinearProgram(
            cost=objective(data, lay, profit),
            col_lower=lower,
            col_upper=upper,
            matrix=matrix,
            row_lower=row_lo,
            row_upper=row_hi,
            integrality=_integrality(lay) if integer and C else None,
            solver=solver,
            time_limit=time_limit,
        ),
        lay,
    )


def objective(data: SupplyData, lay: Layout, profit: bool) -> FloatArray:
    """Cost per unit of each column, plus the price of ending backlog (``unmet_penalty``)."""
    T = lay.T
    crews = lay.crews
    cost = np.zeros(lay.n_cols)

    def put(block: str, per_row: FloatArray) -> None:
        offset, height = lay.block(block)
        values = np.broadcast_to(per_row[:, None] if per_row.ndim == 1 else per_row, (height, T))
        cost[offset : offset + height * T] = values.ravel()

    put("made", data.material)
    put("sub", np.nan_to_num(data.sub_cost))
    put("inv", data.holding)
    back = np.broadcast_to(data.backlog[:, None], (lay.n, T)).copy()
    back[:, -1] += unmet_penalty(data, profit)
    put("back", back)
    put("reg", np.where(data.is_crew, 0.0, data.regular_cost))
    put("ot", data.overtime_cost)
    put("workers", data.regular_cost[crews][:, None] * data.regular[crews])
    put("hired", np.nan_to_num(data.hire_cost[crews]))
    put("laid_off", np.nan_to_num(data.layoff_cost[crews]))
    return cost


def unmet_penalty(data: SupplyData, profit: bool) -> FloatArray:
    """[n] what a unit left in backlog at the end costs in the objective.

    Profit: its price (the revenue not earned), so unprofitable demand stays unserved.
    Cost: more than the dearest way of supplying it (its price, material, subcontracting,
    holding and backlog over the whole horizon, and every minute at regular pay for the
    whole horizon + overtime + hiring and layoff spread over a worker's minutes in a
    period), so demand is left unmet only when no capacity can supply it. Kept close to
    real costs: a far larger penalty slows the interior-point solver.
    """
    if profit:
        return data.price.copy()
    T = data.shape[2]
    per_worker = np.where(data.is_crew, data.regular.max(axis=1, initial=0.0), np.inf)
    staffing = (np.nan_to_num(data.hire_cost) + np.nan_to_num(data.layoff_cost)) / np.maximum(
        per_worker, 1.0
    )
    staffing = np.where(np.isfinite(staffing), staffing, 0.0)
    per_minute = T * data.regular_cost + data.overtime_cost + staffing
    dearest = (
        data.price
        + data.material
        + np.nan_to_num(data.sub_cost)
        + T * (data.holding + data.backlog)
        + data.minutes @ per_minute
    )
    out: FloatArray = 2.0 * dearest + 1.0
    return out


def _bounds(data: SupplyData, lay: Layout, end: EndConditions) -> tuple[FloatArray, FloatArray]:
    T = lay.T
    crews = lay.crews
    lower = np.zeros(lay.n_cols)
    upper = np.full(lay.n_cols, INF)

    def block(array: FloatArray, name: str) -> FloatArray:
        offset, height = lay.block(name)
        out: FloatArray = array[offset : offset + height * T].reshape(height, T)
        return out

    # (6) subcontracting within its limit; not allowed without a subcontract cost.
    block(upper, "sub")[:] = np.where(np.isnan(data.sub_cost), 0.0, data.sub_max)[:, None]
    # Backlog is demand not yet served: never more than the demand so far.
    block(upper, "back")[:] = np.cumsum(data.demand, axis=1)
    # (7) end conditions.
    if end.enforce_min_ending_inventory:
        block(lower, "inv")[:, -1] = data.min_end
    if not end.allow_ending_backlog:
        block(upper, "back")[:, -1] = 0.0
    # Machine overtime within the calendar's overtime minutes (crews: constraint 4).
    ot_upper = block(upper, "ot")
    machines = ~data.is_crew
    ot_upper[machines] = data.overtime[machines]
    # Workers within min/max; hiring and layoffs only where their cost is stated.
    block(lower, "workers")[:] = data.min_workers[crews][:, None]
    block(upper, "workers")[:] = data.max_workers[crews][:, None]
    block(upper, "hired")[np.isnan(data.hire_cost[crews])] = 0.0
    block(upper, "laid_off")[np.isnan(data.layoff_cost[crews])] = 0.0
    return lower, upper


def _integrality(lay: Layout) -> NDArray[np.bool_]:
    flags = np.zeros(lay.n_cols, dtype=bool)
    for name in CREW_BLOCKS:
        offset, height = lay.block(name)
        flags[offset : offset + height * lay.T] = True
    return flags
