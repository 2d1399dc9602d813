"""Throughput and the constraint over a horizon (SPEC §5.5): load, T/CU, the best mix.

Over the days ``start..end`` (default: the 4 weeks from the as-of date), with demand from
``throughput_demand`` (firm + likely, or the forecast when larger):

- **load** of resource ``r`` = minutes to make the demand (components exploded through the
  BOM, run minutes plus setups: at most one lot a week, see ``unit_minutes``) against its
  regular capacity in those days;
  ``load_ratio`` = load ÷ capacity; the **constraint** is the resource with the highest
  ratio (none while nothing loads any resource); every resource above 100 % is overloaded;
- **T/CU** per product = throughput per unit ÷ minutes per unit on the constraint (setups
  spread over the horizon's units). A product that takes no constraint time has no finite T/CU
  (null) and ranks first: every unit of it adds throughput without using the constraint;
- the **best mix** by LP (``mix.best_mix``) over every resource, beside the naive
  highest-margin-first mix and the mix ranked by T/CU on the constraint alone;
- operating expense = ``operating_expense_per_week`` × days ÷ 7; net profit = throughput −
  operating expense;
- open deals ranked by T/CU (``deals``) and the offerings review (``offerings``).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np

from accord.domain.snapshot import Snapshot
from accord.planning import mix as mixes
from accord.planning.deals import rank_deals, rank_key
from accord.planning.offerings import OfferingsParams, review_offerings
from accord.planning.throughput_demand import horizon_demand
from accord.planning.throughput_result import (
    MixSummary,
    ProductRate,
    ResourceLoad,
    ThroughputResult,
)
from accord.planning.unit_minutes import resource_load, setup_share, unit_minutes

DEFAULT_DAYS = 28


@dataclass(frozen=True, slots=True)
class ThroughputParams:
    start: dt.date | None = None  # default: the as-of date
    end: dt.date | None = None  # inclusive; default: 4 weeks after start, less a day
    integer: bool = False  # whole units in the mixes (the LP becomes a MIP)
    offerings: OfferingsParams = field(default_factory=OfferingsParams)

    def __post_init__(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"to ({self.end}) must not be before from ({self.start})")


def horizon(snap: Snapshot, params: ThroughputParams) -> tuple[dt.date, dt.date]:
    """The window ``start..end`` (inclusive), checked against the snapshot's days."""
    start = params.start or snap.as_of
    end = params.end or start + dt.timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        raise ValueError(f"to ({end}) must not be before from ({start})")
    if start < snap.as_of:
        raise ValueError(f"from ({start}) must not be before the as-of date ({snap.as_of})")
    last = snap.date_of(snap.horizon - 1)
    if end > last:
        raise ValueError(f"to ({end}) is beyond the planning horizon, which ends {last}")
    return start, end


def analyse_throughput(snap: Snapshot, params: ThroughputParams | None = None) -> ThroughputResult:
    """Load, the constraint, T/CU, the best and the naive mixes, deals and offerings."""
    params = params or ThroughputParams()
    start, end = horizon(snap, params)
    first, last = snap.day_index(start), snap.day_index(end)
    days = last - first + 1
    capacity = snap.capacity[:, first : last + 1].sum(axis=1)
    parts = horizon_demand(snap, start, end)
    demand = parts.demand
    firm = np.minimum(parts.firm, demand)
    weeks = math.ceil(days / 7)
    minutes = unit_minutes(snap, setup_share(snap, demand, weeks))
    load = resource_load(snap, demand, weeks)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(capacity > 0, load / capacity, np.where(load > 0, np.inf, 0.0))

    constraint: int | None = None
    if len(load) and load.max() > 0:
        constraint = int(np.argmax(ratio))  # first of equals: dataset order
    per_unit = snap.throughput_per_unit
    on_constraint = minutes[constraint] if constraint is not None else None
    tcu: list[float | None] = [
        float(per_unit[i] / on_constraint[i])
        if on_constraint is not None and on_constraint[i] > 0
        else None
        for i in range(len(snap.products))
    ]

    best = mixes.best_mix(per_unit, minutes, capacity, demand, firm, params.integer)
    margin = mixes.greedy_mix(
        mixes.margin_first_order(per_unit),
        per_unit,
        minutes,
        capacity,
        demand,
        firm,
        params.integer,
    )
    by_rate = (
        mixes.greedy_mix(
            mixes.rate_first_order(per_unit, on_constraint),
            per_unit,
            minutes,
            capacity,
            demand,
            firm,
            params.integer,
        )
        if on_constraint is not None
        else margin
    )
    expense = snap.settings.operating_expense_per_week * days / 7.0

    resources = [
        ResourceLoad(
            resource=r.resource,
            name=r.name,
            load_minutes=float(load[k]),
            capacity_minutes=float(capacity[k]),
            load_ratio=float(ratio[k]),
            best_mix_minutes=float(minutes[k] @ best.quantity),
            shadow_price=float(best.shadow_price[k]) if best.shadow_price is not None else None,
        )
        for k, r in enumerate(snap.resources)
    ]
    products = [
        ProductRate(
            sku=p.sku,
            name=p.name,
            demand=float(demand[i]),
            firm=float(parts.firm[i]),
            likely=float(parts.likely[i]),
            forecast=float(parts.forecast[i]),
            throughput_per_unit=float(per_unit[i]),
            constraint_minutes_per_unit=(
                float(on_constraint[i]) if on_constraint is not None else 0.0
            ),
            throughput_per_constraint_minute=tcu[i],
            best_mix=float(best.quantity[i]),
        )
        for i, p in enumerate(snap.products)
    ]
    products.sort(
        key=lambda p: (*rank_key(p.throughput_per_unit, p.throughput_per_constraint_minute), p.sku)
    )
    skus = [p.sku for p in snap.products]
    return ThroughputResult(
        start=start,
        end=end,
        days=days,
        currency=snap.settings.currency or "",
        constraint=snap.resources[constraint].resource if constraint is not None else None,
        resources=resources,
        products=products,
        best=MixSummary.of(best, skus, demand, expense),
        margin_first=MixSummary.of(margin, skus, demand, expense),
        constraint_first=MixSummary.of(by_rate, skus, demand, expense),
        operating_expense=expense,
        firm_kept=best.firm_kept,
        deals=rank_deals(snap, on_constraint),
        offerings=review_offerings(snap, tcu, on_constraint, params.offerings),
    )
