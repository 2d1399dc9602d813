"""The data of the S&OP supply plan, as arrays: planned items (SKUs or families) and the
capacity of each resource per period (see the formulation in ``accord.planning.sop``).

Items: at ``level="sku"`` every product with demand, a minimum ending inventory or a
scheduled receipt in the horizon; at ``level="family"`` those products grouped by family
(aggregate planning): quantities are summed (so the family's stock serves any of its
SKUs' demand), per-unit figures (minutes, prices and costs) are averaged weighted by each
SKU's demand over the horizon (by plain mean when a family has no demand), and a family
may be subcontracted as far as its SKUs may: up to the sum of their limits, at their
weighted average cost.

Minutes per unit of an item on a resource = the routing's minutes per unit plus its setup
spread over a lot (``setup_minutes / lot_size``): aggregate planning has no lots.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.domain.calendar import daily_capacity
from accord.domain.snapshot import Snapshot
from accord.errors import BadInput
from accord.planning.demand_plan import DemandPlan

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True, eq=False)
class SupplyData:
    """Everything the supply LP reads (``n`` items, ``R`` resources, ``T`` periods)."""

    level: str
    items: tuple[str, ...]
    firm: FloatArray  # [n, T]
    likely: FloatArray  # [n, T]
    forecast_only: FloatArray  # [n, T]
    receipts: FloatArray  # [n, T] scheduled receipts arriving in the period
    on_hand: FloatArray  # [n]
    price: FloatArray  # [n]
    material: FloatArray  # [n]
    holding: FloatArray  # [n] per unit per period
    backlog: FloatArray  # [n] per unit per period
    sub_cost: FloatArray  # [n] NaN: cannot be subcontracted
    sub_max: FloatArray  # [n] per period, inf: no stated limit
    min_end: FloatArray  # [n]
    minutes: FloatArray  # [n, R] per unit
    resources: tuple[str, ...]
    is_crew: BoolArray  # [R]
    regular: FloatArray  # [R, T] machine minutes, or minutes per worker for a crew
    overtime: FloatArray  # [R, T] likewise
    regular_cost: FloatArray  # [R] per minute (per worker-minute for a crew)
    overtime_cost: FloatArray  # [R]
    workers: FloatArray  # [R] today (0 for machines)
    min_workers: FloatArray  # [R]
    max_workers: FloatArray  # [R] inf: no stated limit
    hire_cost: FloatArray  # [R] NaN: hiring not planned
    layoff_cost: FloatArray  # [R] NaN: layoffs not planned

    @property
    def demand(self) -> FloatArray:
        return self.firm + self.likely + self.forecast_only

    @property
    def shape(self) -> tuple[int, int, int]:
        return (len(self.items), len(self.resources), self.firm.shape[1])


def supply_data(snapshot: Snapshot, demand: DemandPlan, level: str = "sku") -> SupplyData:
    """The LP's data for ``demand`` (periods and parts) on ``snapshot``."""
    if level not in ("sku", "family"):
        raise BadInput(f"level must be 'sku' or 'family', got {level!r}")
    receipts = _receipts(snapshot, demand)
    products = snapshot.products
    min_end = np.array([p.min_ending_inventory for p in products])
    total = demand.demand.sum(axis=1)
    keep = np.flatnonzero((total > 0) | (min_end > 0) | (receipts.sum(axis=1) > 0))
    per_sku = {
        "price": snapshot.unit_price,
        "material": snapshot.material_cost,
        "holding": np.array([p.holding_cost for p in products]),
        "backlog": np.array([p.backlog_cost for p in products]),
        "sub_cost": np.array(
            [np.nan if p.subcontract_cost is None else p.subcontract_cost for p in products]
        ),
    }
    sub_max = np.array(
        [
            np.inf if p.subcontract_max_per_period is None else p.subcontract_max_per_period
            for p in products
        ]
    )
    minutes = _minutes(snapshot)
    if level == "sku":
        items = tuple(demand.skus[i] for i in keep.tolist())
        group = np.arange(len(keep))
    else:
        names, group = np.unique(
            np.array([demand.families[i] for i in keep.tolist()], dtype=np.str_),
            return_inverse=True,
        )
        items = tuple(names.tolist())
    n = len(items)

    def summed(values: FloatArray) -> FloatArray:
        out = np.zeros((n, *values.shape[1:]))
        np.add.at(out, group, values[keep])
        return out

    # Weights over all SKUs (only the kept ones count); a family without demand is
    # averaged with equal weights.
    weight = np.zeros(len(products))
    weight[keep] = total[keep]
    group_weight = summed(weight)
    weight[keep] = np.where(group_weight[group] > 0, weight[keep], 1.0)
    group_weight = summed(weight)

    def averaged(values: FloatArray) -> FloatArray:
        shape = (-1,) + (1,) * (values.ndim - 1)
        out: FloatArray = summed(values * weight.reshape(shape)) / group_weight.reshape(shape)
        return out

    # Subcontracting: the SKUs that may be bought outside, at their weighted average cost,
    # up to the sum of their limits.
    may = ~np.isnan(per_sku["sub_cost"])
    may_weight = summed(weight * may)
    allowed = may_weight > 0
    averaged_sub = summed(np.nan_to_num(per_sku["sub_cost"]) * weight * may) / np.where(
        allowed, may_weight, 1.0
    )
    resources = snapshot.resources
    regular, overtime = _period_capacity(snapshot, demand)
    crew = np.array([r.is_crew for r in resources], dtype=bool)
    return SupplyData(
        level=level,
        items=items,
        firm=summed(demand.firm),
        likely=summed(demand.likely),
        forecast_only=summed(demand.forecast_only),
        receipts=summed(receipts),
        on_hand=summed(snapshot.on_hand),
        price=averaged(per_sku["price"]),
        material=averaged(per_sku["material"]),
        holding=averaged(per_sku["holding"]),
        backlog=averaged(per_sku["backlog"]),
        sub_cost=np.where(allowed, averaged_sub, np.nan),
        sub_max=np.where(allowed, summed(np.where(may, sub_max, 0.0)), 0.0),
        min_end=summed(min_end),
        minutes=averaged(minutes),
        resources=tuple(r.resource for r in resources),
        is_crew=crew,
        regular=regular,
        overtime=overtime,
        regular_cost=np.array([r.regular_cost_per_minute for r in resources]),
        overtime_cost=np.array([r.overtime_cost_per_minute for r in resources]),
        workers=np.where(crew, [float(r.workers) for r in resources], 0.0),
        min_workers=np.array([float(r.min_workers or 0) for r in resources]),
        max_workers=np.array(
            [np.inf if r.max_workers is None else float(r.max_workers) for r in resources]
        ),
        hire_cost=np.array([np.nan if r.hire_cost is None else r.hire_cost for r in resources]),
        layoff_cost=np.array(
            [np.nan if r.layoff_cost is None else r.layoff_cost for r in resources]
        ),
    )


def _minutes(snapshot: Snapshot) -> FloatArray:
    """[S, R] minutes per unit, setup spread over the lot size."""
    steps = np.diff(snapshot.routing_start)
    sku = np.repeat(np.arange(len(snapshot.products)), steps)
    per_unit = snapshot.routing_minutes + snapshot.routing_setup / snapshot.lot_size[sku]
    out = np.zeros((len(snapshot.products), len(snapshot.resources)))
    np.add.at(out, (sku, snapshot.routing_resource), per_unit)
    return out


def _day_range(snapshot: Snapshot, demand: DemandPlan) -> tuple[list[int], list[int]]:
    """First and end (exclusive) horizon day of each period; days before as-of are past."""
    first = [max(0, snapshot.day_index(p.start)) for p in demand.periods]
    end = [snapshot.day_index(p.end) for p in demand.periods]
    if end[-1] > snapshot.horizon:
        raise BadInput(
            f"the plan's last period ends {demand.periods[-1].last_day}, past the capacity"
            f" horizon of {snapshot.horizon} days from {snapshot.as_of}: plan fewer periods"
            " or raise ACCORD_HORIZON_DAYS"
        )
    return first, end


def _period_sums(daily: FloatArray, first: list[int], end: list[int]) -> FloatArray:
    prefix = np.zeros((daily.shape[0], daily.shape[1] + 1))
    np.cumsum(daily, axis=1, out=prefix[:, 1:])
    out: FloatArray = prefix[:, end] - prefix[:, first]
    return out


def _period_capacity(snapshot: Snapshot, demand: DemandPlan) -> tuple[FloatArray, FloatArray]:
    """[R, T] regular and overtime minutes per period: a machine's own, a crew's per worker."""
    first, end = _day_range(snapshot, demand)
    regular = _period_sums(snapshot.capacity, first, end)
    overtime = _period_sums(snapshot.overtime_capacity, first, end)
    crews = [i for i, r in enumerate(snapshot.resources) if r.is_crew]
    if crews:
        # Per worker, from the calendar of one worker (a crew may have 0 workers today).
        one = [dataclasses.replace(snapshot.resources[i], workers=1) for i in crews]
        names = {r.resource for r in one}
        calendar = daily_capacity(
            one,
            [e for e in snapshot.calendar_exceptions if e.resource in names],
            snapshot.as_of,
            snapshot.horizon,
        )
        regular[crews] = _period_sums(calendar.regular, first, end)
        overtime[crews] = _period_sums(calendar.overtime, first, end)
    return regular, overtime


def _receipts(snapshot: Snapshot, demand: DemandPlan) -> FloatArray:
    """[S, T] scheduled receipts per period (overdue ones in the first)."""
    out = np.zeros((len(snapshot.products), len(demand.periods)))
    if not len(snapshot.receipt_sku):
        return out
    bounds = np.array([snapshot.day_index(p.start) for p in demand.periods])
    period = np.searchsorted(bounds, snapshot.receipt_day, side="right") - 1
    period = np.maximum(period, 0)
    inside = snapshot.receipt_day < snapshot.day_index(demand.periods[-1].end)
    inside &= snapshot.receipt_day < snapshot.horizon
    np.add.at(out, (snapshot.receipt_sku[inside], period[inside]), snapshot.receipt_qty[inside])
    return out
