"""The best product mix by linear programming, and the greedy mixes it is compared with.

Formulation (SPEC §5.5):

- Sets: products ``i`` with demand in the horizon; resources ``r``.
- Data: ``T_i`` throughput per unit (price − material cost); ``a_ri`` minutes of ``r`` per
  unit of ``i`` (components and spread setups included, ``unit_minutes``); ``cap_r`` regular
  minutes of ``r`` in the horizon; ``d_i`` demand; ``f_i`` firm orders (``f_i <= d_i``).
- Variables: ``x_i`` units of ``i`` to make and sell in the horizon.
- Objective: maximise ``Σ_i T_i x_i`` (total throughput; operating expense is fixed).
- Constraints: (1) ``Σ_i a_ri x_i <= cap_r`` for every resource;
  (2) ``f_i <= x_i <= d_i``. When the firm orders alone do not fit, (2) becomes
  ``0 <= x_i <= d_i`` and the result says the firm lower bounds were dropped.

The greedy mixes fill products one at a time in a fixed order, each as far as every resource
it uses still has minutes: first the firm orders, then the rest of the demand. The naive
"highest margin first" order is by throughput per unit; "constraint first" is by throughput
per minute of one resource. Both are feasible points of the LP, so the LP never does worse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accord.domain.snapshot import FloatArray
from accord.planning import lp

# Units below this are solver noise, not a decision.
EPS = 1e-7


@dataclass(frozen=True, eq=False)
class Mix:
    """Quantities per product (same order as the inputs) and their throughput."""

    quantity: FloatArray
    throughput: float
    firm_kept: bool = True  # False: firm lower bounds did not fit and were dropped
    shadow_price: FloatArray | None = None  # [R] value of one more minute (LP only)


def _check(
    throughput: FloatArray, minutes: FloatArray, capacity: FloatArray, demand: FloatArray
) -> None:
    r, s = minutes.shape
    if throughput.shape != (s,) or demand.shape != (s,) or capacity.shape != (r,):
        raise ValueError("mix inputs: throughput and demand need one entry per product column")
    if (demand < 0).any() or (capacity < 0).any() or (minutes < 0).any():
        raise ValueError("mix inputs: demand, capacity and minutes must be >= 0")


def best_mix(
    throughput: FloatArray,
    minutes: FloatArray,
    capacity: FloatArray,
    demand: FloatArray,
    firm: FloatArray | None = None,
    integer: bool = False,
) -> Mix:
    """Solve the LP of the module docstring (a MIP with whole units when ``integer``)."""
    _check(throughput, minutes, capacity, demand)
    firm = np.zeros_like(demand) if firm is None else np.minimum(firm, demand)
    used = np.flatnonzero(demand > 0)
    if used.size == 0:
        return Mix(np.zeros_like(demand), 0.0, shadow_price=np.zeros_like(capacity))
    sub = minutes[:, used]
    rows, cols = np.nonzero(sub)
    a = lp.SparseMatrix.from_triplets(rows, cols, sub[rows, cols], sub.shape)
    upper = np.floor(demand[used] + EPS) if integer else demand[used]
    lower = np.minimum(np.ceil(firm[used] - EPS) if integer else firm[used], upper)
    rows_lo = np.full(len(capacity), -np.inf)

    def solve(col_lower: FloatArray) -> Mix:
        model = lp.LinearProgram(
            cost=throughput[used],
            col_lower=col_lower,
            col_upper=upper,
            matrix=a,
            row_lower=rows_lo,
            row_upper=capacity.astype(np.float64),
            integrality=np.full(len(used), integer) if integer else None,
            maximize=True,
        )
        solution = lp.solve(model)
        x = np.zeros_like(demand)
        x[used] = np.clip(np.where(np.abs(solution.x) < EPS, 0.0, solution.x), 0.0, upper)
        duals = np.abs(solution.row_dual) if len(solution.row_dual) else None
        return Mix(x, float(throughput @ x), shadow_price=duals)

    if not lower.any():
        return solve(lower)
    try:
        return solve(lower)
    except lp.Infeasible:
        mix = solve(np.zeros_like(lower))
        return Mix(mix.quantity, mix.throughput, False, mix.shadow_price)


def greedy_mix(
    order: list[int] | np.ndarray,
    throughput: FloatArray,
    minutes: FloatArray,
    capacity: FloatArray,
    demand: FloatArray,
    firm: FloatArray | None = None,
    integer: bool = False,
) -> Mix:
    """Fill products in ``order``: firm orders first, then the rest of demand, each as far as
    every resource it uses still has minutes (whole units when ``integer``)."""
    _check(throughput, minutes, capacity, demand)
    firm = np.zeros_like(demand) if firm is None else np.minimum(firm, demand)
    left = capacity.astype(np.float64).copy()
    x = np.zeros_like(demand)
    for target in (firm, demand):
        for i in order:
            want = target[i] - x[i]
            if want <= 0:
                continue
            uses = minutes[:, i] > 0
            fits = float(np.min(left[uses] / minutes[uses, i])) if uses.any() else np.inf
            take = max(0.0, min(want, fits))
            if integer:
                take = float(np.floor(take + EPS))
            x[i] += take
            left -= minutes[:, i] * take
            np.maximum(left, 0.0, out=left)  # rounding must not leave -1e-13 minutes
    return Mix(x, float(throughput @ x))


def margin_first_order(throughput: FloatArray) -> list[int]:
    """Highest throughput per unit first (ties: input order)."""
    return sorted(range(len(throughput)), key=lambda i: -throughput[i])


def rate_first_order(throughput: FloatArray, constraint_minutes: FloatArray) -> list[int]:
    """Highest throughput per minute of one resource first; products that do not use it
    first of all (by throughput per unit)."""

    def key(i: int) -> tuple[int, float]:
        m = constraint_minutes[i]
        return (0, -throughput[i]) if m <= 0 else (1, -throughput[i] / m)

    return sorted(range(len(throughput)), key=key)
