"""The price of yes (SPEC §5.2 step 4): what it takes to deliver by the requested date.

Each option is computed by placing the demand again under the option's change, so applying
it and asking again reproduces its dates:

- **partial**: the largest whole quantity whose earliest date is on or before the date
  (binary search over placements); the rest comes by the earliest date of the whole.
- **overtime**: the overtime of the product's resources (their stated limits per working
  day, ``snapshot.overtime_capacity``) from today to the date is added to their capacity and
  the demand placed again; the option lists the overtime minutes actually used per
  resource and their cost. First on the resource the product waited for longest, then on
  all its resources.
- **split**: the quantity in 2, 3 or 4 lots (whole units) placed one after the other, so
  each lot moves to the next step as soon as it is done and the lots overlap across the
  steps; offered when the last lot arrives before the single lot would. Its cost: the extra
  setups at the resources' regular cost per minute. Applying it = committing the lots in
  that order.
- **subcontract**: what the plant cannot make by the date (the whole less the partial
  quantity) bought outside at ``subcontract_cost``, within ``subcontract_max_per_period``,
  when the product's lead time lets it arrive by the date.
- **resequence** (``planning/resequence.py``, on request: it places the whole order book
  again).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np

from accord.planning.loading import IntArray, LoadState, Placement
from accord.planning.promise import Option, PromiseRequest


def options(
    state: LoadState, sku: int, request: PromiseRequest, placement: Placement
) -> tuple[Option, ...]:
    """The options to deliver ``request`` by its wanted date, each within the customer's
    terms: no delivery smaller than ``min_shipment``, none after ``latest_date``."""
    s = state.snapshot
    quantity = request.quantity
    wanted = request.requested_date
    if wanted is None:
        return ()
    due = s.day_index(wanted)
    out: list[Option] = []
    if due < 0:
        return ()
    smallest = request.min_shipment or 1.0
    latest = s.horizon - 1
    if request.latest_date is not None:
        latest = min(latest, s.day_index(request.latest_date))
    earliest = None if placement.day is None else s.date_of(placement.day)
    part = partial_quantity(state, sku, quantity, due)
    rest_in_terms = placement.day is not None and placement.day <= latest
    if part >= smallest and quantity - part >= smallest - 1e-9 and rest_in_terms:
        assert earliest is not None
        out.append(
            Option(
                kind="partial",
                cost=0.0,
                delivers_by=wanted,
                details={
                    "quantity": part,
                    "rest": quantity - part,
                    "rest_by": earliest.isoformat(),
                },
                summary=f"partial: {part:g} by {wanted.isoformat()}, the other "
                f"{quantity - part:g} by {earliest.isoformat()}",
            )
        )
    ot = overtime(state, sku, quantity, due, placement)
    if ot is not None:
        out.append(ot.option(state, wanted))
    lots = split(state, sku, quantity, placement.day)
    if lots is not None and _split_in_terms(lots, smallest, latest):
        out.append(lots.option(state))
    sub = subcontract(state, sku, quantity, due, part if part >= smallest else 0.0)
    if sub is not None:
        out.append(sub)
    return tuple(out)


def _split_in_terms(lots: SplitResult, smallest: float, latest: int) -> bool:
    return all(q >= smallest - 1e-9 and d is not None and d <= latest for q, d in lots.lots)


@dataclass(frozen=True, slots=True)
class SplitResult:
    lots: tuple[tuple[float, int | None], ...]  # (quantity, delivery day) in placing order
    extra_setup_minutes: float
    cost: float

    def option(self, state: LoadState) -> Option:
        s = state.snapshot
        last = self.lots[-1][1]
        dated = [(q, None if d is None else s.date_of(d)) for q, d in self.lots]
        text = ", ".join(
            f"{q:g} by {d.isoformat() if d else 'beyond the horizon'}" for q, d in dated
        )
        return Option(
            kind="split",
            cost=self.cost,
            delivers_by=s.date_of(last if last is not None else s.horizon - 1),
            details={
                "lots": [
                    {"quantity": q, "date": None if d is None else d.isoformat()} for q, d in dated
                ],
                "extra_setup_minutes": round(self.extra_setup_minutes, 2),
            },
            summary=f"split into {len(self.lots)} lots: {text} (extra setups cost "
            f"{self.cost:,.2f})",
        )


def split_quantities(quantity: float, lots: int) -> list[float]:
    """``lots`` whole-unit lots as equal as can be (the first ones larger), summing up."""
    whole = math.floor(quantity)
    base, extra = divmod(whole, lots)
    sizes = [float(base + (1 if i < extra else 0)) for i in range(lots)]
    sizes[-1] += quantity - whole
    return [q for q in sizes if q > 0]


def place_split(state: LoadState, sku: int, sizes: list[float]) -> SplitResult:
    """Place the lots one after the other (each sees the ones before); nothing changes."""
    s = state.snapshot
    days: list[int | None] = []
    with state.trial(sku):
        for q in sizes:
            days.append(state.place(sku, q, commit=True).day)
    t = state.trees
    nodes = t.sku[t.start[sku] : t.start[sku + 1]]
    per_lot = 0.0
    cost = 0.0
    for c in nodes.tolist():
        j = slice(state.r_start[c], state.r_start[c + 1])
        per_lot += float(state.r_setup[j].sum())
        rates = np.array([s.resources[r].regular_cost_per_minute for r in state.r_res[j].tolist()])
        cost += float(np.dot(state.r_setup[j], rates)) if rates.size else 0.0
    extra = len(sizes) - 1
    return SplitResult(tuple(zip(sizes, days, strict=True)), per_lot * extra, cost * extra)


def split(state: LoadState, sku: int, quantity: float, whole_day: int | None) -> SplitResult | None:
    """The lot count (2..4) that brings the last delivery forward most, if any does."""
    if whole_day is None or quantity < 2 or state.r_start[sku + 1] - state.r_start[sku] < 2:
        return None
    best: SplitResult | None = None
    for lots in (2, 3, 4):
        sizes = split_quantities(quantity, lots)
        if len(sizes) < 2:
            break
        result = place_split(state, sku, sizes)
        last = result.lots[-1][1]
        if last is None:
            continue
        if last < whole_day and (best is None or last < (best.lots[-1][1] or 0)):
            best = result
    return best


# How many whole quantities above the one halving finds are each tried again.
PARTIAL_WINDOW = 64


def partial_quantity(state: LoadState, sku: int, quantity: float, due: int) -> float:
    """The largest whole quantity (< ``quantity``) that can be delivered by day ``due``.

    Halving finds one that fits with the next not fitting; but a larger one sometimes fits
    where a smaller one does not (lots, components shared down the BOM, the choice among
    stock and receipts at each level), so the ``PARTIAL_WINDOW`` whole quantities above it
    are tried too, largest first."""
    top = math.ceil(quantity) - 1
    if top <= 0:
        return 0.0
    lo, hi = 0, top
    while lo < hi:
        mid = (lo + hi + 1) // 2
        day = state.earliest_day(sku, float(mid))
        if day is not None and day <= due:
            lo = mid
        else:
            hi = mid - 1
    if lo < top:
        found = state.largest_by(sku, min(top, lo + PARTIAL_WINDOW), lo + 1, due)
        if found > lo:
            return float(found)
    return float(lo)


@dataclass(frozen=True, slots=True)
class OvertimeResult:
    placement: Placement
    minutes: dict[str, float]  # overtime minutes used per resource
    cost: float
    resources: tuple[str, ...]  # where overtime was allowed
    until: int  # last day overtime was allowed

    def option(self, state: LoadState, wanted: dt.date) -> Option:
        used = ", ".join(f"{m:,.0f} min on {r}" for r, m in self.minutes.items() if m > 0)
        return Option(
            kind="overtime",
            cost=self.cost,
            delivers_by=state.snapshot.date_of(self.placement.day or 0),
            details={
                "minutes": {r: round(m, 2) for r, m in self.minutes.items() if m > 0},
                "resources": list(self.resources),
                "until": wanted.isoformat(),
            },
            summary=f"overtime: {used}, cost {self.cost:,.2f}",
        )


def place_with_overtime(
    state: LoadState, sku: int, quantity: float, until: int, resources: IntArray
) -> OvertimeResult:
    """Place the demand with the overtime of ``resources`` on days 0..until added; nothing
    changes on return."""
    s = state.snapshot
    days = min(until + 1, s.horizon)
    with state.trial(sku, resources):
        extra = np.array(s.overtime_capacity[resources, :days], dtype=np.float64)
        state.add_capacity(resources, extra)
        before = state.free[resources, :days].copy()
        placement = state.place(sku, quantity, commit=True)
        consumed = before - state.free[resources, :days]
        regular_free = before - extra
        used = np.clip(consumed - np.clip(regular_free, 0.0, None), 0.0, extra).sum(axis=1)
    names = tuple(s.resources[r].resource for r in resources.tolist())
    minutes = {name: float(m) for name, m in zip(names, used.tolist(), strict=True)}
    cost = sum(
        m * s.resources[r].overtime_cost_per_minute
        for r, m in zip(resources.tolist(), used.tolist(), strict=True)
    )
    return OvertimeResult(placement, minutes, float(cost), names, until)


def overtime(
    state: LoadState, sku: int, quantity: float, due: int, placement: Placement
) -> OvertimeResult | None:
    s = state.snapshot
    rows, _ = state._rows(sku)
    rows = rows[s.overtime_capacity[rows, : due + 1].sum(axis=1) > 0]
    if rows.size == 0:
        return None
    candidates: list[IntArray] = []
    steps = s.routings.get(s.products[sku].sku, ())
    pairs = zip(placement.step_ready, placement.step_start, strict=True)
    waits = [(start - ready, j) for j, (ready, start) in enumerate(pairs) if ready >= 0]
    if waits:
        r = s.resource_index[steps[max(waits)[1]].resource]
        if r in rows.tolist():
            candidates.append(np.array([r], dtype=np.int64))
    candidates.append(rows)
    for chosen in candidates:
        result = place_with_overtime(state, sku, quantity, due, chosen)
        if result.placement.day is not None and result.placement.day <= due:
            return result
    return None


def subcontract(
    state: LoadState, sku: int, quantity: float, due: int, in_house: float
) -> Option | None:
    s = state.snapshot
    product = s.products[sku]
    if product.subcontract_cost is None or not product.can_subcontract:
        return None
    units = quantity - in_house
    limit = product.subcontract_max_per_period
    if units <= 0 or (limit is not None and units > limit):
        return None
    arrives = product.lead_time_days
    if arrives > due:
        return None
    cost = units * product.subcontract_cost
    by = s.date_of(due)
    return Option(
        kind="subcontract",
        cost=cost,
        delivers_by=by,
        details={
            "units": units,
            "in_house": in_house,
            "cost_per_unit": product.subcontract_cost,
            "limit_per_period": limit,
            "throughput_lost": round(units * (product.subcontract_cost - product.material_cost), 2),
        },
        summary=f"subcontract {units:g} units at {product.subcontract_cost:,.2f} "
        f"(cost {cost:,.2f}); make {in_house:g} in house",
    )
