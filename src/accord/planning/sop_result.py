"""The supply plan as a result: reading the LP solution back into per-period, per-resource
and per-item figures, with the cost accounting of SPEC §5.4 (one function for the optimum
and the classic strategies, so they compare like for like)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.planning.demand_plan import Period
from accord.planning.lp import LpSolution
from accord.planning.sop_data import SupplyData
from accord.planning.sop_model import Layout

FloatArray = NDArray[np.float64]
COST_KINDS = (
    "regular",
    "overtime",
    "hiring",
    "layoff",
    "holding",
    "backlog",
    "material",
    "subcontract",
)
# Below this a solver's value is noise (interior point leaves tiny residues).
TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True, eq=False)
class SupplyPlan:
    """One supply plan: decisions [items or resources, T] and what they cost."""

    strategy: str
    objective: str
    level: str
    periods: tuple[Period, ...]
    data: SupplyData
    made: FloatArray  # [n, T]
    subcontracted: FloatArray
    inventory: FloatArray
    backlog: FloatArray
    regular_minutes: FloatArray  # [R, T]
    overtime_minutes: FloatArray
    workers: FloatArray  # [R, T]; machines: 0
    hired: FloatArray
    laid_off: FloatArray
    capacity_dual: FloatArray  # [R, T]; value of one more regular minute (empty for a MIP)
    solver: str
    build_seconds: float
    solve_seconds: float
    costs: dict[str, float] = field(default_factory=dict)

    @property
    def total_cost(self) -> float:
        return float(sum(self.costs.values()))

    @property
    def revenue(self) -> float:
        served = self.data.demand.sum(axis=1) - self.backlog[:, -1]
        return float((served * self.data.price).sum())

    @property
    def profit(self) -> float:
        return self.revenue - self.total_cost

    @property
    def regular_capacity(self) -> FloatArray:
        """[R, T] regular minutes available: a crew's per-worker minutes times its workers."""
        d = self.data
        out: FloatArray = np.where(d.is_crew[:, None], d.regular * self.workers, d.regular)
        return out

    def inventory_investment(self) -> FloatArray:
        """[T] units held at the end of each period × material cost."""
        out: FloatArray = (self.inventory * self.data.material[:, None]).sum(axis=0)
        return out

    def today_investment(self) -> float:
        return float((self.data.on_hand * self.data.material).sum())

    def shadow_prices(self) -> list[dict[str, Any]]:
        """Binding regular-capacity rows: what one more minute in that period is worth."""
        if self.capacity_dual.size == 0:
            return []
        rows = []
        for r, t in zip(*np.nonzero(np.abs(self.capacity_dual) > TOLERANCE), strict=True):
            rows.append(
                {
                    "resource": self.data.resources[r],
                    "period_start": self.periods[t].start.isoformat(),
                    "constraint": "regular capacity",
                    "value_per_minute": _num(self.capacity_dual[r, t]),
                }
            )
        rows.sort(key=lambda row: (-row["value_per_minute"], row["resource"], row["period_start"]))
        return rows

    def unmet_demand(self) -> list[dict[str, Any]]:
        """Items still in backlog at the end of the horizon."""
        end = self.backlog[:, -1]
        return [
            {
                "item": self.data.items[i],
                "quantity": _num(end[i]),
                "revenue": _num(end[i] * self.data.price[i]),
            }
            for i in np.flatnonzero(end > TOLERANCE).tolist()
        ]

    def period_rows(self) -> list[dict[str, Any]]:
        d = self.data
        firm, likely, only = d.firm.sum(0), d.likely.sum(0), d.forecast_only.sum(0)
        made, sub = self.made.sum(0), self.subcontracted.sum(0)
        inv, back = self.inventory.sum(0), self.backlog.sum(0)
        investment = self.inventory_investment()
        today = self.today_investment()
        return [
            {
                "period_start": p.start.isoformat(),
                "period_end": p.last_day.isoformat(),
                "demand": {
                    "firm": _num(firm[t]),
                    "likely": _num(likely[t]),
                    "forecast_only": _num(only[t]),
                    "total": _num(firm[t] + likely[t] + only[t]),
                },
                "made": _num(made[t]),
                "subcontracted": _num(sub[t]),
                "inventory": _num(inv[t]),
                "backlog": _num(back[t]),
                "inventory_investment": _num(investment[t]),
                "investment_change": _num(investment[t] - today),
            }
            for t, p in enumerate(self.periods)
        ]

    def resource_rows(self) -> list[dict[str, Any]]:
        d = self.data
        load = self.regular_minutes + self.overtime_minutes
        capacity = self.regular_capacity
        rows = []
        for r, name in enumerate(d.resources):
            crew = bool(d.is_crew[r])
            for t, p in enumerate(self.periods):
                rows.append(
                    {
                        "resource": name,
                        "period_start": p.start.isoformat(),
                        "load_minutes": _num(load[r, t]),
                        "capacity_minutes": _num(capacity[r, t]),
                        "regular_minutes": _num(self.regular_minutes[r, t]),
                        "overtime_minutes": _num(self.overtime_minutes[r, t]),
                        "workers": _num(self.workers[r, t]) if crew else None,
                        "hired": _num(self.hired[r, t]) if crew else None,
                        "laid_off": _num(self.laid_off[r, t]) if crew else None,
                        "utilization": (
                            _num(load[r, t] / capacity[r, t]) if capacity[r, t] > 0 else None
                        ),
                    }
                )
        return rows

    def item_rows(self) -> list[dict[str, Any]]:
        d = self.data
        return [
            {
                "item": name,
                "demand": _num(d.demand[i].sum()),
                "made": _num(self.made[i].sum()),
                "subcontracted": _num(self.subcontracted[i].sum()),
                "on_hand": _num(d.on_hand[i]),
                "ending_inventory": _num(self.inventory[i, -1]),
                "ending_backlog": _num(self.backlog[i, -1]),
            }
            for i, name in enumerate(d.items)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "status": "optimal",
            "strategy": self.strategy,
            "objective": self.objective,
            "level": self.level,
            "solver": self.solver,
            "build_seconds": round(self.build_seconds, 4),
            "solve_seconds": round(self.solve_seconds, 4),
            "total_cost": _num(self.total_cost),
            "revenue": _num(self.revenue),
            "profit": _num(self.profit),
            "costs": {k: _num(v) for k, v in self.costs.items()},
            "inventory_investment_today": _num(self.today_investment()),
            "periods": self.period_rows(),
            "resources": self.resource_rows(),
            "shadow_prices": self.shadow_prices(),
            "unmet_demand": self.unmet_demand(),
            "items": self.item_rows(),
        }

    def __str__(self) -> str:
        lines = [
            f"S&OP plan ({self.strategy}, {self.objective}, {self.level} level, {self.solver}):"
            f" total cost {self.total_cost:,.2f}, profit {self.profit:,.2f}",
            "  costs: " + ", ".join(f"{k} {v:,.2f}" for k, v in self.costs.items()),
            f"{'period':<12}{'demand':>11}{'made':>11}{'subcon':>10}{'inventory':>11}"
            f"{'backlog':>10}{'investment':>13}",
        ]
        for row in self.period_rows():
            lines.append(
                f"{row['period_start']:<12}{row['demand']['total']:>11,.1f}{row['made']:>11,.1f}"
                f"{row['subcontracted']:>10,.1f}{row['inventory']:>11,.1f}"
                f"{row['backlog']:>10,.1f}{row['inventory_investment']:>13,.2f}"
            )
        prices = self.shadow_prices()[:5]
        if prices:
            lines.append("binding capacity (value of one more minute):")
            lines += [
                f"  {p['resource']} {p['period_start']}: {p['value_per_minute']:,.4f}"
                for p in prices
            ]
        unmet = self.unmet_demand()
        if unmet:
            lines.append(f"unmet demand: {sum(u['quantity'] for u in unmet):,.1f} units")
        return "\n".join(lines)


def read_plan(
    data: SupplyData,
    periods: tuple[Period, ...],
    lay: Layout,
    solution: LpSolution,
    *,
    strategy: str,
    objective: str,
    build_seconds: float,
) -> SupplyPlan:
    x = _clean(solution.x)
    R, T = lay.R, lay.T

    def per_resource(block: str) -> FloatArray:
        out = np.zeros((R, T))
        out[lay.crews] = lay.values(x, block)
        return out

    duals = -lay.row_block(solution.row_dual, "capacity") if solution.row_dual.size else np.zeros(0)
    plan = SupplyPlan(
        strategy=strategy,
        objective=objective,
        level=data.level,
        periods=periods,
        data=data,
        made=lay.values(x, "made"),
        subcontracted=lay.values(x, "sub"),
        inventory=lay.values(x, "inv"),
        backlog=lay.values(x, "back"),
        regular_minutes=lay.values(x, "reg"),
        overtime_minutes=lay.values(x, "ot"),
        workers=per_resource("workers"),
        hired=per_resource("hired"),
        laid_off=per_resource("laid_off"),
        capacity_dual=duals,
        solver=solution.solver,
        build_seconds=build_seconds,
        solve_seconds=solution.seconds,
    )
    return dataclasses.replace(plan, costs=cost_by_kind(plan))


def cost_by_kind(plan: SupplyPlan) -> dict[str, float]:
    """SPEC §5.4's cost accounting, from the decisions alone."""
    d = plan.data
    machines = ~d.is_crew
    crew_regular = (d.regular_cost[:, None] * d.regular * plan.workers)[d.is_crew].sum()
    machine_regular = (d.regular_cost[:, None] * plan.regular_minutes)[machines].sum()
    return {
        "regular": float(crew_regular + machine_regular),
        "overtime": float((d.overtime_cost[:, None] * plan.overtime_minutes).sum()),
        "hiring": float((np.nan_to_num(d.hire_cost)[:, None] * plan.hired).sum()),
        "layoff": float((np.nan_to_num(d.layoff_cost)[:, None] * plan.laid_off).sum()),
        "holding": float((d.holding[:, None] * plan.inventory).sum()),
        "backlog": float((d.backlog[:, None] * plan.backlog).sum()),
        "material": float((d.material[:, None] * plan.made).sum()),
        "subcontract": float((np.nan_to_num(d.sub_cost)[:, None] * plan.subcontracted).sum()),
    }


def _clean(x: FloatArray) -> FloatArray:
    """Solver noise below the tolerance becomes 0."""
    out: FloatArray = np.where(np.abs(x) < TOLERANCE, 0.0, x)
    return out


def _num(value: float | np.floating[Any]) -> float:
    return round(float(value), 6) + 0.0
