"""The S&OP supply plan (SPEC §5.4): a linear program over the demand plan, solved by HiGHS.

Formulation
-----------
Sets
    P items (SKUs, or families at ``level="family"``), R resources (machines and crews),
    C ⊆ R crews, T periods t = 0..T-1 (weeks or months, the first containing as-of).
Data
    d[p,t] demand (``demand_plan``: max(forecast, firm + likely)); q[p,t] scheduled
    receipts; I0[p] stock on hand; a[p,r] minutes per unit (routing minutes + setup/lot);
    K[r,t], O[r,t] regular and overtime minutes of machine r in period t (its calendar
    summed over the period's days from as-of); k[c,t], o[c,t] the same per worker of crew
    c; W0[c] workers today, [Wmin, Wmax] their limits; costs: m material, h holding,
    b backlog, s subcontract (per unit), smax subcontract limit per period, rc regular and
    oc overtime cost per minute (per worker-minute for a crew), hc hire, lc layoff,
    v unit price; e[p] minimum ending inventory.
Variables (all ≥ 0)
    x[p,t] made, u[p,t] subcontracted, I[p,t] inventory at the end of t, B[p,t] backlog at
    the end of t; g[r,t] regular and z[r,t] overtime minutes used; W[c,t] workers,
    H[c,t] hired, L[c,t] laid off in t.
Objective (cost)
    minimise Σ rc[r]·g[r,t] over machines + Σ rc[c]·k[c,t]·W[c,t] over crews (a crew is
    paid for all its workers' regular minutes) + Σ oc·z + Σ hc·H + Σ lc·L + Σ h·I + Σ b·B
    + Σ m·x + Σ s·u, plus M[p]·B[p,T-1] for demand left unmet at the end (only possible
    with ending backlog allowed): M is twice the dearest way to supply a unit
    (``sop_model.unmet_penalty``), so the cheapest plan gives up demand only when no
    capacity can meet it. M is not a cost paid: reports show the costs of the kinds above.
Objective (profit)
    maximise revenue of demand served − cost, where the demand served is Σ d − B[p,T-1];
    solved as minimise cost + Σ v[p]·B[p,T-1] (the revenue Σ v·d is a constant), so demand
    whose price does not pay for its supply is left unmet (with ending backlog allowed).
Constraints
    (1) inventory balance: I[p,t] − B[p,t] = I[p,t-1] − B[p,t-1] + x[p,t] + u[p,t] + q[p,t]
        − d[p,t], with I[p,-1] = I0[p] and B[p,-1] = 0 (overdue orders are demand of t=0).
    (2) load: Σ_p a[p,r]·x[p,t] = g[r,t] + z[r,t], the minutes each resource works.
    (3) regular capacity: g[r,t] ≤ K[r,t] for a machine, g[c,t] ≤ k[c,t]·W[c,t] for a crew;
        the dual of this row is what one more regular minute is worth (shadow price).
    (4) overtime: z[r,t] ≤ O[r,t] for a machine (a bound), z[c,t] ≤ o[c,t]·W[c,t] for a crew.
    (5) workforce: W[c,t] = W[c,t-1] + H[c,t] − L[c,t], with W[c,-1] = W0[c];
        Wmin ≤ W ≤ Wmax; H = 0 without a hire cost, L = 0 without a layoff cost.
    (6) subcontracting: u[p,t] ≤ smax[p]; u = 0 for an item without a subcontract cost.
    (7) end conditions: I[p,T-1] ≥ e[p]; B[p,T-1] = 0 unless ending backlog is allowed.
    (8) backlog is unserved demand: B[p,t] ≤ Σ_{s≤t} d[p,s].
    (S) strategies only: x[p,t] + u[p,t] = target[p,t] (``accord.planning.strategies``).
With ``integer=True`` W, H and L are whole numbers (a MIP: no shadow prices).

The model is built from numpy arrays (``sop_model``), solved by ``planning.lp`` (HiGHS' dual
simplex unless ``solver`` names another), and read back into ``SupplyPlan``
(``sop_result``). Infeasible models are diagnosed by relaxing the end conditions, then the
strategy targets, and the error names the constraint family that cannot be met.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from accord.domain.snapshot import Snapshot
from accord.planning import lp
from accord.planning.demand_plan import DemandParams, Period, demand_plan
from accord.planning.sop_data import SupplyData, supply_data
from accord.planning.sop_model import EndConditions, build_model
from accord.planning.sop_result import SupplyPlan, read_plan
from accord.planning.strategies import StrategyComparison, supply_target

log = logging.getLogger(__name__)

OBJECTIVES = ("cost", "profit")
LEVELS = ("sku", "family")
STRATEGIES = ("optimal", "level", "chase")


@dataclass(frozen=True, slots=True)
class SopParams:
    """What to plan and how. ``periods``/``period`` default to 12 of the dataset's period."""

    objective: str = "cost"
    strategy: str = "optimal"
    period: str | None = None
    periods: int = 12
    integer: bool = False
    allow_ending_backlog: bool = False
    level: str = "sku"
    solver: lp.Solver = "auto"
    time_limit: float | None = None
    # The stored statistical forecast, (sku, period_start) -> units; user cells override it.
    statistical: Mapping[tuple[str, dt.date], float] | None = field(
        default=None, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective must be one of {OBJECTIVES}, got {self.objective!r}")
        if self.strategy not in STRATEGIES:
            raise ValueError(f"strategy must be one of {STRATEGIES}, got {self.strategy!r}")
        if self.level not in LEVELS:
            raise ValueError(f"level must be one of {LEVELS}, got {self.level!r}")
        if self.solver not in lp.SOLVERS:
            raise ValueError(f"solver must be one of {lp.SOLVERS}, got {self.solver!r}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise ValueError(f"time_limit must be > 0 seconds, got {self.time_limit!r}")
        DemandParams(self.period or "month", self.periods)  # validates both

    def demand_params(self, snapshot: Snapshot) -> DemandParams:
        return DemandParams(self.period or snapshot.settings.period, self.periods, self.statistical)


def plan_supply(snapshot: Snapshot, params: SopParams | None = None) -> SupplyPlan:
    """The supply plan of ``snapshot`` (the module docstring's formulation) under
    ``params.strategy``: the optimum, or a classic plan costed the same way."""
    params = params or SopParams()
    demand = demand_plan(snapshot, params.demand_params(snapshot))
    data = supply_data(snapshot, demand, params.level)
    return plan_strategy(data, demand.periods, params, params.strategy)


def plan_strategy(
    data: SupplyData, periods: tuple[Period, ...], params: SopParams, strategy: str
) -> SupplyPlan:
    """The plan of ``strategy`` (``optimal``, ``level`` or ``chase``) over ``data``."""
    if strategy == "optimal":
        return solve_plan(data, periods, params)
    return solve_plan(data, periods, params, supply_target(data, strategy), strategy)


def compare_strategies(snapshot: Snapshot, params: SopParams | None = None) -> StrategyComparison:
    """The optimal, level and chase plans of the same demand, side by side; a classic plan
    that capacity cannot carry out is reported as infeasible with the reason."""
    params = params or SopParams()
    demand = demand_plan(snapshot, params.demand_params(snapshot))
    return compare_plans(supply_data(snapshot, demand, params.level), demand.periods, params)


def compare_plans(
    data: SupplyData, periods: tuple[Period, ...], params: SopParams
) -> StrategyComparison:
    plans = [plan_strategy(data, periods, params, "optimal")]
    infeasible: dict[str, str] = {}
    for strategy in STRATEGIES[1:]:
        try:
            plans.append(plan_strategy(data, periods, params, strategy))
        except lp.Infeasible as exc:
            infeasible[strategy] = exc.message
    return StrategyComparison(tuple(plans), infeasible)


def solve_plan(
    data: SupplyData,
    periods: tuple[Period, ...],
    params: SopParams,
    supply_target: NDArray[np.float64] | None = None,
    strategy: str = "optimal",
) -> SupplyPlan:
    """Build, solve and read the plan; raise ``lp.Infeasible`` naming what cannot be met."""
    started = time.perf_counter()
    end = EndConditions(allow_ending_backlog=params.allow_ending_backlog)
    model, lay = build_model(
        data,
        profit=params.objective == "profit",
        integer=params.integer,
        end=end,
        supply_target=supply_target,
        solver=params.solver,
        time_limit=params.time_limit,
    )
    built = time.perf_counter() - started
    try:
        solution = lp.solve(model)
    except lp.Infeasible as exc:
        raise _diagnose(data, params, supply_target, strategy) from exc
    log.info("%s plan: build %.3f s, solve %.3f s", strategy, built, solution.seconds)
    return read_plan(
        data,
        periods,
        lay,
        solution,
        strategy=strategy,
        objective=params.objective,
        build_seconds=built,
    )


def _feasible(data: SupplyData, end: EndConditions, target: NDArray[np.float64] | None) -> bool:
    model, _ = build_model(data, end=end, supply_target=target)
    try:
        lp.solve(model)
    except lp.Infeasible:
        return False
    return True


def _diagnose(
    data: SupplyData,
    params: SopParams,
    target: NDArray[np.float64] | None,
    strategy: str,
) -> lp.Infeasible:
    """Which constraint family makes the plan impossible, found by relaxing them in turn."""
    relaxed = EndConditions(allow_ending_backlog=True, enforce_min_ending_inventory=False)
    if _feasible(data, relaxed, target):
        if not params.allow_ending_backlog and _feasible(
            data, EndConditions(allow_ending_backlog=True), target
        ):
            return lp.Infeasible(
                "no feasible plan: (7) end conditions: the demand cannot all be met by the end"
                " of the horizon within capacity, overtime, hiring and subcontracting limits;"
                " plan with allow_ending_backlog (--allow-ending-backlog) to see what stays"
                " unmet"
            )
        return lp.Infeasible(
            "no feasible plan: (7) end conditions: the minimum ending inventories cannot be"
            " reached within capacity, overtime, hiring and subcontracting limits"
        )
    if target is not None and _feasible(data, relaxed, None):
        return lp.Infeasible(
            f"no feasible {strategy} plan: (S) its supply targets exceed the capacity"
            " (regular + overtime minutes, workers within limits, subcontracting)"
        )
    return lp.Infeasible(
        "no feasible plan: (3)-(5) capacity and workforce limits: today's workers lie outside"
        " min_workers..max_workers with no hire or layoff cost to change them"
    )
