"""Quotas against capacity and mix (SPEC §5.7).

For each quota period (a distinct ``period_start``..``period_end`` of ``quotas``):

1. **Units per SKU** of each rep's quota rows: a sku row gives ``target_units`` (else
   ``target_revenue`` ÷ price); a family row is split over the family's SKUs by their share
   of ``demand_history`` in the 12 months before the as-of date (evenly when the family has
   no history), a revenue target divided by the family's mix-weighted price.
2. **Sold** by a rep: lines of deals they won (dated by close date) and order lines they own
   that no deal produced (dated by due date, the only date an order has); cancelled excluded.
3. **Load**: the units still to sell (quota − sold to date, not below 0) × routing minutes per
   unit (setups are left out: lot sizes are not known at quota time), plus the firm load of
   open orders due in the period, against each resource's capacity over the period's days
   from the as-of date on. The **constraint** is the resource with the highest load ratio;
   the quotas are **feasible** when it is not above 1. Past periods are only analysed for
   mix (no capacity is left in them).
4. **Reps' mix**: each rep's share of the quota load on the constraint, their throughput per
   constraint minute, and whether their mix is heavier on the constraint than the average.
5. **Suggested quota** per rep in throughput terms: the constraint's capacity left after firm
   orders, shared by the reps' shares of quota throughput, times the throughput per
   constraint minute of each rep's mix (their quota throughput when the mix does not touch
   the constraint).
6. **"Sell A instead of B"**: once a period's last two weeks have begun, each rep's mix sold in
   them against the rest of the period: a product whose share of the rep's units rose by at
   least ``shift`` while the rep was still short of its quota is flagged, with the product
   whose share fell most (B) and both products' throughput per constraint minute.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.domain.dataset import Row
from accord.domain.snapshot import FloatArray, Snapshot

LAST_WEEKS_DAYS = 14
MIX_YEAR_DAYS = 365


@dataclass(frozen=True, slots=True)
class QuotaParams:
    shift: float = 0.15  # rise in a product's share of units that counts as a shift

    def __post_init__(self) -> None:
        if not 0.0 < self.shift <= 1.0:
            raise ValueError(f"QuotaParams shift must be within (0, 1], got {self.shift!r}")


@dataclass(frozen=True, slots=True)
class RepLoad:
    owner: str
    quota_units: float
    quota_throughput: float
    sold_units: float
    missing_units: float
    constraint_minutes: float  # load of the units still to sell on the constraint
    constraint_share: float  # of all reps' quota load on the constraint
    throughput_per_constraint_minute: float | None
    heavy_mix: bool  # more constraint minutes per unit of throughput than the reps' average
    overloads: bool  # a heavy mix while the constraint is over capacity
    suggested_throughput: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "quota_units": _r(self.quota_units),
            "quota_throughput": _r(self.quota_throughput),
            "sold_units": _r(self.sold_units),
            "missing_units": _r(self.missing_units),
            "constraint_minutes": _r(self.constraint_minutes),
            "constraint_share": _r(self.constraint_share),
            "throughput_per_constraint_minute": _r(self.throughput_per_constraint_minute),
            "heavy_mix": self.heavy_mix,
            "overloads_constraint": self.overloads,
            "suggested_throughput": _r(self.suggested_throughput),
        }


@dataclass(frozen=True, slots=True)
class MixFlag:
    owner: str
    period_start: dt.date
    sku: str  # A: sold more of at the end
    share_before: float
    share_last_weeks: float
    missing_units: float  # of A when the last weeks began
    instead_of: str | None  # B: whose share fell most
    tcu: float | None  # throughput per constraint minute of A
    tcu_instead: float | None  # of B

    def to_json(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "period_start": self.period_start.isoformat(),
            "sku": self.sku,
            "share_before": _r(self.share_before),
            "share_last_weeks": _r(self.share_last_weeks),
            "missing_units": _r(self.missing_units),
            "instead_of": self.instead_of,
            "throughput_per_constraint_minute": _r(self.tcu),
            "instead_of_throughput_per_constraint_minute": _r(self.tcu_instead),
        }

    def __str__(self) -> str:
        b = f" instead of {self.instead_of}" if self.instead_of else ""
        return (
            f"{self.owner} ({self.period_start}): sold {self.sku}{b} in the last weeks "
            f"({self.share_before:.0%} -> {self.share_last_weeks:.0%} of units), "
            f"{self.missing_units:,.0f} units short on {self.sku}"
        )


@dataclass(frozen=True, slots=True)
class QuotaPeriod:
    period_start: dt.date
    period_end: dt.date
    constraint: str | None
    capacity_minutes: float  # of the constraint, as-of date on
    firm_minutes: float
    quota_minutes: float
    feasible: bool | None  # None: the period is over
    by_rep: tuple[RepLoad, ...]

    @property
    def load_ratio(self) -> float | None:
        if not self.capacity_minutes:
            return None
        return (self.firm_minutes + self.quota_minutes) / self.capacity_minutes

    def to_json(self) -> dict[str, Any]:
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "feasible": self.feasible,
            "constraint": self.constraint,
            "capacity_minutes": _r(self.capacity_minutes),
            "firm_minutes": _r(self.firm_minutes),
            "quota_minutes": _r(self.quota_minutes),
            "load_ratio": _r(self.load_ratio),
            "by_rep": [r.to_json() for r in self.by_rep],
        }


@dataclass(frozen=True, slots=True)
class QuotaReport:
    as_of: dt.date
    periods: tuple[QuotaPeriod, ...]
    flags: tuple[MixFlag, ...]

    @property
    def current(self) -> QuotaPeriod | None:
        """The first period not over at the as-of date."""
        return next((p for p in self.periods if p.feasible is not None), None)

    def to_json(self) -> dict[str, Any]:
        now = self.current
        return {
            "as_of": self.as_of.isoformat(),
            "period_start": now.period_start.isoformat() if now else None,
            "feasible": now.feasible if now else None,
            "constraint": now.constraint if now else None,
            "by_rep": [r.to_json() for r in now.by_rep] if now else [],
            "flags": [f.to_json() for f in self.flags],
            "periods": [p.to_json() for p in self.periods],
        }

    def __str__(self) -> str:
        lines = [f"Quotas against capacity as of {self.as_of}"]
        for p in self.periods:
            verdict = {None: "over", True: "fits", False: "does NOT fit"}[p.feasible]
            ratio = p.load_ratio
            lines += [
                "",
                f"{p.period_start} to {p.period_end}: {verdict}"
                + (
                    f" — {p.constraint} at {ratio:.0%} (firm {p.firm_minutes:,.0f} + quotas "
                    f"{p.quota_minutes:,.0f} of {p.capacity_minutes:,.0f} min)"
                    if ratio is not None
                    else ""
                ),
                f"  {'rep':<22} {'quota u':>9} {'sold u':>8} {'to go':>8} {'constr %':>9} "
                f"{'T/CU':>7} {'suggested T':>12}",
            ]
            lines += [
                f"  {r.owner[:22]:<22} {r.quota_units:>9,.0f} {r.sold_units:>8,.0f} "
                f"{r.missing_units:>8,.0f} {r.constraint_share:>9.0%} "
                f"{_f(r.throughput_per_constraint_minute):>7} {_f(r.suggested_throughput):>12}"
                + ("  overloads" if r.overloads else "  heavy mix" if r.heavy_mix else "")
                for r in p.by_rep
            ]
        if self.flags:
            lines += ["", "sell A instead of B:", *(f"  {f}" for f in self.flags)]
        return "\n".join(lines)


def quota_report(snap: Snapshot, params: QuotaParams | None = None) -> QuotaReport:
    """Every quota period's load against capacity, reps' mix and end-of-period shifts."""
    params = params or QuotaParams()
    rows = snap.dataset.rows("quotas")
    per_unit = _minutes_per_unit(snap)
    mix = _family_mix(snap)
    periods: dict[tuple[dt.date, dt.date], list[Row]] = defaultdict(list)
    for row in rows:
        periods[(row["period_start"], row["period_end"])].append(row)
    sales = _sales(snap)
    results: list[QuotaPeriod] = []
    flags: list[MixFlag] = []
    for (start, end), quota_rows in sorted(periods.items(), key=lambda kv: kv[0]):
        targets = _targets(snap, quota_rows, mix)
        sold = {o: _sold(snap, sales.get(o, ()), start, end) for o in targets}
        period = _period(snap, start, end, targets, sold, per_unit)
        results.append(period)
        flags += _flags(snap, start, end, targets, sales, per_unit, period.constraint, params)
    return QuotaReport(snap.as_of, tuple(results), tuple(flags))


# -- the pieces ------------------------------------------------------------------------------


def _minutes_per_unit(snap: Snapshot) -> FloatArray:
    """[S, R] routing minutes per unit."""
    steps = np.diff(snap.routing_start)
    sku_of_step = np.repeat(np.arange(len(snap.products)), steps)
    table = np.zeros((len(snap.products), len(snap.resources)))
    np.add.at(table, (sku_of_step, snap.routing_resource), snap.routing_minutes)
    return table


def _family_mix(snap: Snapshot) -> FloatArray:
    """[S] each sku's share of its family's units in the last 12 months of demand history."""
    units = np.zeros(len(snap.products))
    since = snap.as_of - dt.timedelta(days=MIX_YEAR_DAYS)
    for row in snap.dataset.rows("demand_history"):
        if since <= row["date"] < snap.as_of and row["sku"] in snap.sku_index:
            units[snap.sku_index[row["sku"]]] += row["quantity"]
    families = [p.family or "" for p in snap.products]
    share = np.zeros(len(snap.products))
    members: dict[str, list[int]] = defaultdict(list)
    for i, family in enumerate(families):
        members[family].append(i)
    for idx in members.values():
        total = units[idx].sum()
        share[idx] = units[idx] / total if total > 0 else 1.0 / len(idx)
    return share


def _targets(snap: Snapshot, rows: list[Row], mix: FloatArray) -> dict[str, FloatArray]:
    """Rep -> [S] units of quota."""
    out: dict[str, FloatArray] = {}
    for row in rows:
        units = out.setdefault(row["owner"], np.zeros(len(snap.products)))
        if row.get("sku"):
            i = snap.sku_index[row["sku"]]
            price = snap.unit_price[i]
            target = row.get("target_units")
            if target is None and row.get("target_revenue") is not None and price > 0:
                target = row["target_revenue"] / price
            units[i] += target or 0.0
        elif row.get("family"):
            idx = [i for i, p in enumerate(snap.products) if p.family == row["family"]]
            if not idx:
                raise ValueError(f"quotas: no product has family {row['family']!r}")
            weights = mix[idx]
            target = row.get("target_units")
            price = float(weights @ snap.unit_price[idx])
            if target is None and row.get("target_revenue") is not None and price > 0:
                target = row["target_revenue"] / price
            units[idx] += weights * (target or 0.0)
    return out


def _sales(snap: Snapshot) -> dict[str, list[tuple[dt.date, int, float]]]:
    """Rep -> (date, sku index, units) of deals won and orders not made from a deal."""
    out: dict[str, list[tuple[dt.date, int, float]]] = defaultdict(list)
    for deal in snap.opportunities:
        if deal.is_won and deal.owner and deal.close_date:
            for line in snap.lines_by_opportunity.get(deal.opportunity_id, ()):
                out[deal.owner].append((deal.close_date, snap.sku_index[line.sku], line.quantity))
    for order in snap.orders:
        if order.owner and not order.opportunity_id and order.status != "cancelled":
            out[order.owner].append((order.due_date, snap.sku_index[order.sku], order.quantity))
    return out


def _sold(
    snap: Snapshot, sales: Any, start: dt.date, end: dt.date, until: dt.date | None = None
) -> FloatArray:
    units = np.zeros(len(snap.products))
    stop = min(end, until or end)
    for day, i, qty in sales:
        if start <= day <= stop:
            units[i] += qty
    return units


def _period(
    snap: Snapshot,
    start: dt.date,
    end: dt.date,
    targets: Mapping[str, FloatArray],
    sold: Mapping[str, FloatArray],
    per_unit: FloatArray,
) -> QuotaPeriod:
    d0 = max(snap.day_index(start), 0)
    d1 = min(snap.day_index(end) + 1, snap.horizon)
    owners = sorted(targets)
    missing = {o: np.maximum(targets[o] - sold[o], 0.0) for o in owners}
    if d1 <= d0 or not len(snap.resources):
        return QuotaPeriod(
            start,
            end,
            None,
            0.0,
            0.0,
            0.0,
            None,
            _reps(snap, targets, sold, missing, per_unit, None, 0.0, False),
        )
    capacity = snap.capacity[:, d0:d1].sum(axis=1)
    due = (snap.order_due_day >= d0) & (snap.order_due_day < d1)
    firm = np.bincount(snap.order_sku[due], snap.order_qty[due], len(snap.products)) @ per_unit
    quota = np.zeros(len(snap.resources))
    for o in owners:
        quota += missing[o] @ per_unit
    load = firm + quota
    ratio = np.divide(load, capacity, out=np.where(load > 0, np.inf, 0.0), where=capacity > 0)
    c = int(np.argmax(ratio))
    feasible = bool(load[c] <= capacity[c] + 1e-6)
    free = max(float(capacity[c] - firm[c]), 0.0)
    reps = _reps(snap, targets, sold, missing, per_unit, c, free, not feasible)
    return QuotaPeriod(
        start,
        end,
        snap.resources[c].resource,
        float(capacity[c]),
        float(firm[c]),
        float(quota[c]),
        feasible,
        reps,
    )


def _reps(
    snap: Snapshot,
    targets: Mapping[str, FloatArray],
    sold: Mapping[str, FloatArray],
    missing: Mapping[str, FloatArray],
    per_unit: FloatArray,
    c: int | None,
    free: float,
    overloaded: bool,
) -> tuple[RepLoad, ...]:
    owners = sorted(targets)
    tpu = snap.throughput_per_unit
    throughput = {o: float(targets[o] @ tpu) for o in owners}
    on_c = per_unit[:, c] if c is not None else np.zeros(len(snap.products))
    target_minutes = {o: float(targets[o] @ on_c) for o in owners}
    to_go = {o: float(missing[o] @ on_c) for o in owners}
    all_to_go = sum(to_go.values())
    all_t = sum(throughput.values())
    # Constraint minutes per unit of throughput across all reps: a mix above it is heavy.
    average = sum(target_minutes.values()) / all_t if all_t > 0 else 0.0
    out: list[RepLoad] = []
    for o in owners:
        tcu = throughput[o] / target_minutes[o] if target_minutes[o] > 0 else None
        suggested: float | None = None
        if c is not None:
            share = throughput[o] / all_t if all_t > 0 else 0.0
            suggested = free * share * tcu if tcu is not None else throughput[o]
        heavy = throughput[o] > 0 and target_minutes[o] / throughput[o] > average + 1e-12
        out.append(
            RepLoad(
                owner=o,
                quota_units=float(targets[o].sum()),
                quota_throughput=throughput[o],
                sold_units=float(sold[o].sum()),
                missing_units=float(missing[o].sum()),
                constraint_minutes=to_go[o],
                constraint_share=to_go[o] / all_to_go if all_to_go > 0 else 0.0,
                throughput_per_constraint_minute=tcu,
                heavy_mix=bool(heavy),
                overloads=bool(heavy and overloaded),
                suggested_throughput=suggested,
            )
        )
    return tuple(out)


def _flags(
    snap: Snapshot,
    start: dt.date,
    end: dt.date,
    targets: Mapping[str, FloatArray],
    sales: Mapping[str, list[tuple[dt.date, int, float]]],
    per_unit: FloatArray,
    constraint: str | None,
    params: QuotaParams,
) -> list[MixFlag]:
    last_start = end - dt.timedelta(days=LAST_WEEKS_DAYS - 1)
    if snap.as_of < last_start or last_start <= start:
        return []
    tcu = np.full(len(snap.products), np.nan)
    if constraint is not None:
        minutes = per_unit[:, snap.resource_index[constraint]]
        np.divide(snap.throughput_per_unit, minutes, out=tcu, where=minutes > 0)
    flags: list[MixFlag] = []
    for owner in sorted(targets):
        mine = sales.get(owner, [])
        before = _sold(snap, mine, start, last_start - dt.timedelta(days=1))
        last = _sold(snap, mine, last_start, min(end, snap.as_of))
        if before.sum() <= 0 or last.sum() <= 0:
            continue
        rise = last / last.sum() - before / before.sum()
        short = np.maximum(targets[owner] - before, 0.0)
        candidates = np.flatnonzero((rise >= params.shift - 1e-12) & (short > 0))
        if not candidates.size:
            continue
        a = int(candidates[np.argmax(rise[candidates])])
        b = int(np.argmin(rise))
        b_ok = rise[b] < 0
        flags.append(
            MixFlag(
                owner=owner,
                period_start=start,
                sku=snap.products[a].sku,
                share_before=float(before[a] / before.sum()),
                share_last_weeks=float(last[a] / last.sum()),
                missing_units=float(short[a]),
                instead_of=snap.products[b].sku if b_ok else None,
                tcu=_finite(tcu[a]),
                tcu_instead=_finite(tcu[b]) if b_ok else None,
            )
        )
    return flags


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def _r(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"
