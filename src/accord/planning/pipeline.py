"""The pipeline check (SPEC §5.3): every open deal promised in priority order against the
capacity left by the orders (and reservations) and by the deals before it.

- Order: the customer's best-customer tier (A first, when tiers are given), then close
  date, then probability (highest first), then id (``order_by="default"``;
  the tiers come from the best-customer ranking of §5.5), or throughput per constraint
  minute, highest first (``"tcu"``).
- Each deal's lines are placed as capable-to-promise places a reservation (free stock,
  then made through every step); ``weighted`` places ``probability x quantity``. Per deal:
  the earliest date (its last line), on time or days late against the requested date (line,
  else deal; none: on time), the binding resource (the step its latest line waited for
  longest), and its value.
- Value at risk: the value of the late deals (weighted by probability when ``weighted``).
- Load per resource and period (the dataset's period): firm (orders and reservations),
  pipeline (the deals) and capacity, in minutes.
- A line that cannot be delivered within the horizon (or after its ``latest_date`` only)
  makes its deal ``short``, never on time; short and late deals are the value at risk.
- Monte-Carlo (``draws`` > 0, seeded): each deal is won with its probability; its load is
  the minutes its lines (whole quantities) take when each is placed alone against the firm
  load, on each resource and day — only what has to be made (not what stock or receipts
  serve), in the period that production runs; the result is, per resource and period, the
  share of draws in which firm + won load exceeds capacity. (Against the load of the deals
  placed together nothing could ever exceed capacity: each was placed into what was free.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numba import njit

from accord.domain.snapshot import Snapshot
from accord.errors import BadInput
from accord.planning import wording
from accord.planning.atp import period_bounds
from accord.planning.kernels import NO_DAY
from accord.planning.loading import LoadState
from accord.planning.promise import constraint_minutes_per_unit, constraint_of

ORDERS = ("default", "tcu")
MAX_DRAWS = 100_000


@dataclass(frozen=True, slots=True)
class PipelineParams:
    order_by: str = "default"
    weighted: bool = False
    draws: int = 0
    seed: int = 7
    # customer -> best-customer tier ("A", "B", "C"): the default order serves A first.
    tiers: Mapping[str, str] | None = field(default=None, compare=False, hash=False)

    def __post_init__(self) -> None:
        if self.order_by not in ORDERS:
            raise BadInput(f"order_by must be one of {', '.join(ORDERS)}, got {self.order_by!r}")
        if not 0 <= self.draws <= MAX_DRAWS:
            raise BadInput(f"draws must be within 0..{MAX_DRAWS}, got {self.draws!r}")


@dataclass(frozen=True, slots=True)
class DealRow:
    opportunity_id: str
    customer: str
    earliest_date: dt.date | None
    requested_date: dt.date | None
    verdict: str
    days_late: int | None
    binding_resource: str | None
    value: float

    def to_json(self) -> dict[str, Any]:
        return {
            "opportunity_id": self.opportunity_id,
            "customer": self.customer,
            "earliest_date": None if self.earliest_date is None else self.earliest_date.isoformat(),
            "requested_date": None
            if self.requested_date is None
            else self.requested_date.isoformat(),
            "verdict": self.verdict,
            "days_late": self.days_late,
            "binding_resource": self.binding_resource,
            "value": round(self.value, 2),
        }


@dataclass(frozen=True, slots=True)
class PipelineResult:
    deals: tuple[DealRow, ...]
    value_at_risk: float
    load: tuple[dict[str, Any], ...]
    weighted: bool
    draws: int

    def to_json(self) -> dict[str, Any]:
        return {
            "weighted": self.weighted,
            "draws": self.draws,
            "deals": [d.to_json() for d in self.deals],
            "value_at_risk": round(self.value_at_risk, 2),
            "load": list(self.load),
        }

    def __str__(self) -> str:
        late = [d for d in self.deals if d.verdict != "on_time"]
        lines = [
            f"{len(self.deals)} open deals, {len(late)} late or short; value at risk "
            f"{self.value_at_risk:,.2f}"
        ]
        for d in late[:20]:
            if d.verdict == "short":
                lines.append(
                    f"  {d.opportunity_id} ({d.customer}): short (not all of it can be "
                    f"delivered in time or within the horizon), value {d.value:,.2f}"
                )
                continue
            when = d.earliest_date.isoformat() if d.earliest_date else "beyond the horizon"
            lines.append(
                f"  {d.opportunity_id} ({d.customer}): {when}, "
                f"{wording.days(d.days_late)} late"
                f" on {d.binding_resource or 'material'}, value {d.value:,.2f}"
            )
        if self.draws:
            risky = sorted(
                (r for r in self.load if r.get("overload_probability", 0) > 0),
                key=lambda r: -r["overload_probability"],
            )
            lines.append(f"{len(risky)} resource periods may be overloaded ({self.draws} draws)")
            lines += [
                f"  {r['resource']} {r['period_start']}: {r['overload_probability']:.0%}"
                for r in risky[:10]
            ]
        busy = [
            r
            for r in self.load
            if r["capacity"] and r["firm"] + r["pipeline"] >= 0.95 * r["capacity"]
        ]
        lines.append(f"{len(busy)} resource periods loaded to 95 % or more")
        lines += [
            f"  {r['resource']} {r['period_start']}: firm {r['firm']:,.0f} + pipeline "
            f"{r['pipeline']:,.0f} of {r['capacity']:,.0f}"
            for r in busy[:10]
        ]
        return "\n".join(lines)


def _ordered(
    snapshot: Snapshot, state: LoadState, order_by: str, tiers: Mapping[str, str] | None = None
) -> list[str]:
    deals = [o for o in snapshot.opportunities if o.is_open]
    if order_by == "tcu":
        r = constraint_of(state)
        per_unit = (
            constraint_minutes_per_unit(state, r)
            if r is not None
            else np.zeros(len(snapshot.products))
        )

        def tcu(opp_id: str) -> float:
            lines = snapshot.lines_by_opportunity.get(opp_id, ())
            t = sum(
                ln.quantity * (ln.unit_price - snapshot.products_by_sku[ln.sku].material_cost)
                for ln in lines
            )
            minutes = sum(ln.quantity * per_unit[snapshot.sku_index[ln.sku]] for ln in lines)
            return t / minutes if minutes > 0 else float("inf")

        return [
            o.opportunity_id
            for o in sorted(deals, key=lambda o: (-tcu(o.opportunity_id), o.opportunity_id))
        ]
    far = dt.date.max
    tier_of = tiers or {}
    return [
        o.opportunity_id
        for o in sorted(
            deals,
            key=lambda o: (
                tier_of.get(o.customer, "Z"),  # customers without a tier come last
                o.close_date or far,
                -o.probability,
                o.opportunity_id,
            ),
        )
    ]


def pipeline(state: LoadState, params: PipelineParams | None = None) -> PipelineResult:
    """Check the open pipeline on a copy of ``state`` (left unchanged)."""
    params = params or PipelineParams()
    s = state.snapshot
    work = state.copy()
    firm_free = work.free.copy()
    deals: list[DealRow] = []
    placed_sku: list[int] = []  # per placed line, for the Monte-Carlo requirements
    placed_qty: list[float] = []
    placed_load: list[float] = []  # what is placed: the quantity, or weighted by probability
    placed_deal: list[int] = []
    probabilities: list[float] = []
    at_risk = 0.0
    sku_index = s.sku_index
    # Lines in priority order as arrays, placed by one compiled call, then read per deal.
    order = _ordered(s, work, params.order_by, params.tiers)
    deal_lines: list[tuple[int, int, float, dt.date | None]] = []  # placed range, value, wanted
    placed_latest: list[dt.date | None] = []
    for n, opp_id in enumerate(order):
        opp = s.opportunities_by_id[opp_id]
        wanted: dt.date | None = None
        value = 0.0
        first = len(placed_sku)
        for line in s.lines_by_opportunity.get(opp_id, ()):
            value += line.value
            asked = line.requested_date or opp.requested_date
            if asked is not None and (wanted is None or asked > wanted):
                wanted = asked
            sku = sku_index[line.sku]
            qty = line.quantity * (opp.probability if params.weighted else 1.0)
            if qty <= 0:
                continue
            placed_sku.append(sku)
            placed_qty.append(line.quantity)
            placed_load.append(qty)
            placed_deal.append(n)
            placed_latest.append(line.latest_date)
        probabilities.append(opp.probability)
        deal_lines.append((first, len(placed_sku), value, wanted))
    skus = np.array(placed_sku, dtype=np.int64)
    commits = work.commit_many(skus, np.array(placed_load, dtype=np.float64), entries=False)
    day_list, waited_list = commits.days.tolist(), commits.waited.tolist()
    # The last day each customer's latest date allows, as a day index (None: any day).
    latest_day = [None if d is None else s.day_index(d) for d in placed_latest]
    for n, (first, end, value, wanted) in enumerate(deal_lines):
        opp = s.opportunities_by_id[order[n]]
        last = 0
        short = False
        last_line = -1  # the line delivered last (ties: the later): its step binds
        for i in range(first, end):
            day = day_list[i]
            if day == NO_DAY:  # cannot be delivered within the horizon
                short = True
                continue
            beyond = latest_day[i]
            if beyond is not None and day > beyond:
                short = True
            if day >= last:
                last = day
                last_line = i
        binding: str | None = None
        if last_line >= 0 and waited_list[last_line] >= 0:
            binding = work.step_resource(placed_sku[last_line], waited_list[last_line])
        delivered = s.date_of(last)
        earliest = None if short else delivered
        days_late: int | None = None
        if short:
            verdict = "short"
            at_risk += value * (opp.probability if params.weighted else 1.0)
        elif wanted is None or delivered <= wanted:
            verdict, days_late = "on_time", 0
        else:
            verdict, days_late = "late", (delivered - wanted).days
            at_risk += value * (opp.probability if params.weighted else 1.0)
        deals.append(
            DealRow(opp.opportunity_id, opp.customer, earliest, wanted, verdict, days_late,
                    binding, value)
        )  # fmt: skip
    entries = None
    if params.draws > 0:  # each line alone against the firm load: what a win would take
        alone = state.copy().commit_many(skus, np.array(placed_qty, dtype=np.float64), keep=False)
        deal_of_line = np.array(placed_deal, dtype=np.int64)
        entries = (
            deal_of_line[alone.entry_line], alone.entry_resource, alone.entry_day,
            alone.entry_minutes,
        )  # fmt: skip
    load = _load_table(work, firm_free, entries, probabilities, params)
    return PipelineResult(tuple(deals), at_risk, load, params.weighted, params.draws)


Entries = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # deal, resource, day, minutes


def _load_table(
    work: LoadState,
    firm_free: np.ndarray,
    entries: Entries | None,
    probabilities: list[float],
    params: PipelineParams,
) -> tuple[dict[str, Any], ...]:
    s = work.snapshot
    starts = _period_starts(s)
    firm = np.add.reduceat(work.cap - firm_free, starts, axis=1)
    pipe = np.add.reduceat(firm_free - work.free, starts, axis=1)
    capacity = np.add.reduceat(work.cap, starts, axis=1)
    over: np.ndarray | None = None
    if params.draws > 0 and entries is not None:
        deal, res, day, minutes = entries
        cell = res * len(starts) + np.searchsorted(starts, day, side="right") - 1
        # One entry per (deal, cell): fewer to add up in every draw.
        key, where = np.unique(deal * firm.size + cell, return_inverse=True)
        summed = np.bincount(where, weights=minutes, minlength=len(key))
        # Keys are sorted by deal: CSR offsets let a draw add only the deals it won.
        offsets = np.searchsorted(key // firm.size, np.arange(len(probabilities) + 1))
        over = _overload(
            offsets, key % firm.size, summed, np.array(probabilities),
            firm.ravel(), capacity.ravel(), params.draws, params.seed,
        ).reshape(firm.shape)  # fmt: skip
    rows = []
    for r, resource in enumerate(s.resources):
        for p, start in enumerate(starts.tolist()):
            row: dict[str, Any] = {
                "resource": resource.resource,
                "period_start": s.date_of(start).isoformat(),
                "firm": round(float(firm[r, p]), 2),
                "pipeline": round(float(pipe[r, p]), 2),
                "capacity": round(float(capacity[r, p]), 2),
            }
            if over is not None:
                row["overload_probability"] = round(float(over[r, p]), 4)
            rows.append(row)
    return tuple(rows)


def _period_starts(s: Snapshot) -> np.ndarray:
    starts = [0]
    while True:
        _, last = period_bounds(s.date_of(starts[-1]), s.settings.period)
        nxt = s.day_index(last) + 1
        if nxt >= s.horizon:
            return np.array(starts, dtype=np.int64)
        starts.append(nxt)


@njit(cache=True)
def _overload(
    offsets: np.ndarray,
    cell: np.ndarray,
    minutes: np.ndarray,
    probability: np.ndarray,
    firm: np.ndarray,
    capacity: np.ndarray,
    draws: int,
    seed: int,
) -> np.ndarray:
    """Share of ``draws`` in which each cell's firm + won load exceeds its capacity; deal
    k's load is ``minutes[offsets[k]:offsets[k + 1]]`` on those ``cell``s."""
    np.random.seed(seed)
    over = np.zeros(firm.shape[0])
    load = np.empty(firm.shape[0])
    for _ in range(draws):
        load[:] = firm
        for k in range(probability.shape[0]):
            if np.random.random() < probability[k]:
                for i in range(offsets[k], offsets[k + 1]):
                    load[cell[i]] += minutes[i]
        for c in range(load.shape[0]):
            if load[c] > capacity[c] + 1e-6:
                over[c] += 1.0
    return over / draws
