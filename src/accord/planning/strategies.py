"""The classic aggregate plans, costed exactly like the optimum (SPEC §5.4).

Both fix the supply of each item per period (made + subcontracted: constraint (S) of
``accord.planning.sop``) and let the same LP choose everything else at least cost (workers,
hires, layoffs, overtime, the split between making and subcontracting), so the three plans
differ only in the production rule and their costs compare like for like:

- **level**: the same supply every period, the net requirement spread evenly:
  ``(Σ demand + min ending inventory − stock − receipts)⁺ / T``;
- **chase**: supply = demand not yet covered by stock and receipts, period by period:
  the increments of ``(cumulative demand (+ min ending inventory in the last period)
  − stock − cumulative receipts)⁺``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.planning.sop_data import SupplyData
from accord.planning.sop_result import SupplyPlan

FloatArray = NDArray[np.float64]
CLASSIC = ("level", "chase")


def supply_target(data: SupplyData, strategy: str) -> FloatArray:
    """[n, T] made + subcontracted per item and period under ``strategy``."""
    if strategy not in CLASSIC:
        raise ValueError(f"strategy must be one of {CLASSIC}, got {strategy!r}")
    n, _, T = data.shape
    need = data.demand.copy()
    need[:, -1] += data.min_end
    available = data.on_hand[:, None] + np.cumsum(data.receipts, axis=1)
    if strategy == "level":
        total = np.maximum(need.sum(axis=1) - available[:, -1], 0.0)
        out: FloatArray = np.repeat((total / T)[:, None], T, axis=1)
        return out
    uncovered = np.maximum(np.cumsum(need, axis=1) - available, 0.0)
    return np.diff(uncovered, axis=1, prepend=np.zeros((n, 1)))


@dataclass(frozen=True, slots=True, eq=False)
class StrategyComparison:
    """The optimum next to the classic plans, same demand, same cost accounting.
    ``infeasible`` holds the strategies that capacity cannot carry out, with the reason."""

    plans: tuple[SupplyPlan, ...]
    infeasible: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        rows = [_summary(p) for p in self.plans]
        rows += [
            {"strategy": name, "status": "infeasible", "message": message}
            for name, message in self.infeasible.items()
        ]
        return {"strategies": rows}

    def __str__(self) -> str:
        lines = [f"{'strategy':<10}{'total cost':>15}{'profit':>15}{'overtime min':>14}"]
        for p in self.plans:
            lines.append(
                f"{p.strategy:<10}{p.total_cost:>15,.2f}{p.profit:>15,.2f}"
                f"{p.overtime_minutes.sum():>14,.0f}"
            )
        for name, message in self.infeasible.items():
            lines.append(f"{name:<10}infeasible: {message}")
        return "\n".join(lines)


def _summary(plan: SupplyPlan) -> dict[str, Any]:
    full = plan.to_json()
    return {
        "strategy": plan.strategy,
        "status": "optimal",
        "total_cost": full["total_cost"],
        "profit": full["profit"],
        "costs": full["costs"],
        "ending_inventory": round(float(plan.inventory[:, -1].sum()), 6),
        "peak_workers": round(float(plan.workers.sum(axis=0).max(initial=0.0)), 6),
        "overtime_minutes": round(float(plan.overtime_minutes.sum()), 6),
        "subcontracted": round(float(plan.subcontracted.sum()), 6),
    }
