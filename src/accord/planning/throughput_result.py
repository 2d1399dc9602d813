"""The result of the throughput analysis: JSON of SPEC §3.5 ``throughput`` and a text view."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accord.domain.snapshot import FloatArray
from accord.planning.deals import DealRank
from accord.planning.mix import Mix
from accord.planning.offerings import Offering

NO_CONSTRAINT_TIME = (
    "uses no constraint time: each unit adds throughput the constraint does not limit"
)


def _num(value: float, digits: int = 4) -> float | None:
    """JSON number rounded; infinity and NaN become null."""
    return None if not math.isfinite(value) else round(value, digits) + 0.0


@dataclass(frozen=True, slots=True)
class ResourceLoad:
    resource: str
    name: str
    load_minutes: float
    capacity_minutes: float
    load_ratio: float  # inf: load on a resource with no capacity in the horizon
    best_mix_minutes: float
    shadow_price: float | None  # throughput of one more minute (None for whole units)

    @property
    def overloaded(self) -> bool:
        return self.load_ratio > 1.0

    def to_json(self) -> dict[str, Any]:
        return {
            "resource": self.resource,
            "name": self.name,
            "load_minutes": _num(self.load_minutes, 2),
            "capacity_minutes": _num(self.capacity_minutes, 2),
            "load_ratio": _num(self.load_ratio),
            "overloaded": self.overloaded,
            "best_mix_minutes": _num(self.best_mix_minutes, 2),
            "shadow_price": None if self.shadow_price is None else _num(self.shadow_price),
        }


@dataclass(frozen=True, slots=True)
class ProductRate:
    sku: str
    name: str
    demand: float
    firm: float
    likely: float
    forecast: float
    throughput_per_unit: float
    constraint_minutes_per_unit: float
    throughput_per_constraint_minute: float | None  # None: takes no constraint time
    best_mix: float

    def to_json(self) -> dict[str, Any]:
        tcu = self.throughput_per_constraint_minute
        return {
            "sku": self.sku,
            "name": self.name,
            "demand": _num(self.demand),
            "firm": _num(self.firm),
            "likely": _num(self.likely),
            "forecast": _num(self.forecast),
            "throughput_per_unit": _num(self.throughput_per_unit),
            "constraint_minutes_per_unit": _num(self.constraint_minutes_per_unit),
            "throughput_per_constraint_minute": None if tcu is None else _num(tcu),
            "note": NO_CONSTRAINT_TIME if tcu is None else None,
            "best_mix": _num(self.best_mix),
        }


@dataclass(frozen=True, slots=True)
class MixSummary:
    mix: dict[str, float]  # sku -> quantity, for every product with demand
    throughput: float
    net_profit: float

    @classmethod
    def of(cls, mix: Mix, skus: Sequence[str], demand: FloatArray, expense: float) -> MixSummary:
        chosen = {skus[i]: float(mix.quantity[i]) for i in range(len(skus)) if demand[i] > 0}
        return cls(chosen, mix.throughput, mix.throughput - expense)

    def to_json(self) -> dict[str, Any]:
        return {
            "mix": {sku: _num(q) for sku, q in self.mix.items()},
            "throughput": _num(self.throughput, 2),
            "net_profit": _num(self.net_profit, 2),
        }


@dataclass(frozen=True, eq=False)
class ThroughputResult:
    start: dt.date
    end: dt.date
    days: int
    currency: str
    constraint: str | None
    resources: list[ResourceLoad]
    products: list[ProductRate]  # ranked: no constraint time first, then T/CU high to low
    best: MixSummary
    margin_first: MixSummary
    constraint_first: MixSummary
    operating_expense: float
    firm_kept: bool  # False: the firm orders did not fit, their lower bounds were dropped
    deals: list[DealRank]
    offerings: list[Offering]

    @property
    def overloaded(self) -> list[ResourceLoad]:
        return sorted((r for r in self.resources if r.overloaded), key=lambda r: -r.load_ratio)

    @property
    def notes(self) -> list[str]:
        notes = []
        if self.constraint is None:
            notes.append("nothing loads any resource in the horizon: there is no constraint")
        if not self.firm_kept:
            notes.append(
                "the firm orders alone do not fit the capacity: the best mix ignores them as "
                "lower bounds"
            )
        return notes

    def to_json(self) -> dict[str, Any]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "days": self.days,
            "currency": self.currency,
            "constraint": self.constraint,
            "overloaded": [r.resource for r in self.overloaded],
            "resources": [r.to_json() for r in self.resources],
            "products": [p.to_json() for p in self.products],
            "mix": self.best.to_json()["mix"],
            "throughput": _num(self.best.throughput, 2),
            "operating_expense": _num(self.operating_expense, 2),
            "net_profit": _num(self.best.net_profit, 2),
            "firm_lower_bounds": "kept" if self.firm_kept else "dropped",
            "margin_first": self.margin_first.to_json(),
            "constraint_first": self.constraint_first.to_json(),
            "deals": [d.to_json() for d in self.deals],
            "offerings": [o.to_json() for o in self.offerings],
            "notes": self.notes,
        }

    def __str__(self) -> str:
        cur = f" {self.currency}" if self.currency else ""
        lines = [
            f"Throughput {self.start} to {self.end} ({self.days} days); "
            f"constraint: {self.constraint or 'none'}",
            "",
            f"{'resource':<14}{'load min':>14}{'capacity min':>14}{'load':>9}",
        ]
        for r in sorted(self.resources, key=lambda r: -r.load_ratio):
            ratio = "n/a" if not math.isfinite(r.load_ratio) else f"{r.load_ratio:.0%}"
            flag = "  overloaded" if r.overloaded else ""
            lines.append(
                f"{r.resource:<14}{r.load_minutes:>14,.0f}{r.capacity_minutes:>14,.0f}"
                f"{ratio:>9}{flag}"
            )
        sold = [p for p in self.products if p.demand > 0]
        lines += ["", f"Products with demand, best money first ({len(sold)}):"]
        shown = sold if len(sold) <= 12 else sold[:6] + sold[-6:]
        for k, p in enumerate(shown):
            if len(sold) > 12 and k == 6:
                lines.append("  ...")
            tcu = p.throughput_per_constraint_minute
            rate = "no constraint time" if tcu is None else f"{tcu:,.2f}/min"
            lines.append(
                f"  {p.sku:<14} T/unit {p.throughput_per_unit:>10,.2f}  {rate:>20}  "
                f"demand {p.demand:>9,.1f}  best mix {p.best_mix:>9,.1f}"
            )
        lines += [
            "",
            f"{'mix':<22}{'throughput':>16}{'net profit':>16}",
            f"{'best (LP)':<22}{self.best.throughput:>16,.0f}{self.best.net_profit:>16,.0f}",
            f"{'highest margin first':<22}{self.margin_first.throughput:>16,.0f}"
            f"{self.margin_first.net_profit:>16,.0f}",
            f"{'T/CU on constraint':<22}{self.constraint_first.throughput:>16,.0f}"
            f"{self.constraint_first.net_profit:>16,.0f}",
            f"operating expense {self.operating_expense:,.0f}{cur}",
        ]
        if self.deals:
            lines += ["", "Open deals, best money first (top 5):"]
            for d in self.deals[:5]:
                tcu = d.throughput_per_constraint_minute
                rate = "no constraint time" if tcu is None else f"{tcu:,.2f}/min"
                lines.append(
                    f"  {d.opportunity_id:<14} {d.customer:<12} T {d.throughput:>12,.0f}  {rate}"
                )
        if self.offerings:
            lines += ["", "Offerings to drop or re-price:"]
            for o in self.offerings[:10]:
                lines.append(
                    f"  {o.sku:<14} {o.throughput_per_constraint_minute:,.2f}/min, demand "
                    f"{o.previous_units:,.0f} -> {o.recent_units:,.0f}: {o.suggestion}"
                    + (
                        f" (price {o.price_for_median:,.2f} reaches the median)"
                        if o.suggestion == "re-price"
                        else ""
                    )
                )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)
