"""Offerings review: products that earn little per constraint minute and sell less and less.

A product is a candidate to drop or re-price when both hold:

1. its throughput per constraint minute (T/CU) is at or below the lower quartile of the
   T/CU of the products that use the constraint (``quantile``, default 0.25), and
2. its demand falls: units in the last ``weeks`` weeks before the as-of date (from
   ``demand_history``) are below the ``weeks`` before those by more than ``min_fall``
   (default 10 %). The least-squares slope of the weekly totals over both windows is given
   beside it.

Products that use no constraint time are never candidates (every unit of them is free
throughput). The suggestion is ``drop`` when a unit earns no throughput or demand has
halved, else ``re-price``, with the price at which the product's T/CU would reach the median.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.domain.snapshot import FloatArray, Snapshot


@dataclass(frozen=True, slots=True)
class OfferingsParams:
    weeks: int = 13
    quantile: float = 0.25
    min_fall: float = 0.10

    def __post_init__(self) -> None:
        if isinstance(self.weeks, bool) or not isinstance(self.weeks, int) or self.weeks < 1:
            raise ValueError(f"weeks must be a whole number >= 1, got {self.weeks!r}")
        if not 0 < self.quantile < 1:
            raise ValueError(f"quantile must be within (0, 1), got {self.quantile!r}")
        if not 0 <= self.min_fall < 1:
            raise ValueError(f"min_fall must be within [0, 1), got {self.min_fall!r}")


@dataclass(frozen=True, slots=True)
class Offering:
    sku: str
    name: str
    throughput_per_unit: float
    throughput_per_constraint_minute: float
    quartile_line: float  # the T/CU at the chosen quantile
    median: float  # median T/CU
    recent_units: float
    previous_units: float
    change: float | None  # (recent − previous) / previous
    slope_per_week: float
    suggestion: str  # "drop" or "re-price"
    price_for_median: float  # unit price that lifts its T/CU to the median

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "name": self.name,
            "throughput_per_unit": round(self.throughput_per_unit, 4),
            "throughput_per_constraint_minute": round(self.throughput_per_constraint_minute, 4),
            "quartile_line": round(self.quartile_line, 4),
            "median": round(self.median, 4),
            "recent_units": self.recent_units,
            "previous_units": self.previous_units,
            "change": None if self.change is None else round(self.change, 4),
            "slope_per_week": round(self.slope_per_week, 4),
            "suggestion": self.suggestion,
            "price_for_median": round(self.price_for_median, 2),
        }


def weekly_history(snap: Snapshot, weeks: int) -> FloatArray:
    """[S, weeks] units per product in the ``weeks`` 7-day buckets ending the day before
    as-of (oldest first)."""
    n = len(snap.products)
    out = np.zeros((n, weeks))
    end = snap.as_of
    for row in snap.dataset.rows("demand_history"):
        day: dt.date = row["date"]
        back = (end - day).days  # 1 = yesterday
        if 1 <= back <= 7 * weeks:
            index = snap.sku_index.get(row["sku"])
            if index is not None:
                out[index, weeks - 1 - (back - 1) // 7] += float(row["quantity"])
    return out


def review_offerings(
    snap: Snapshot,
    tcu: list[float | None],
    constraint_minutes: FloatArray | None,
    params: OfferingsParams | None = None,
) -> list[Offering]:
    """Candidates to drop or re-price, lowest T/CU first (see the module docstring)."""
    params = params or OfferingsParams()
    finite = np.array([t for t in tcu if t is not None], dtype=np.float64)
    if constraint_minutes is None or finite.size == 0:
        return []
    line = float(np.quantile(finite, params.quantile))
    median = float(np.median(finite))
    history = weekly_history(snap, 2 * params.weeks)
    previous = history[:, : params.weeks].sum(axis=1)
    recent = history[:, params.weeks :].sum(axis=1)
    x = np.arange(2 * params.weeks, dtype=np.float64)
    x -= x.mean()
    slopes = (history - history.mean(axis=1, keepdims=True)) @ x / float(x @ x)
    found = []
    for i, product in enumerate(snap.products):
        ratio = tcu[i]
        if ratio is None or ratio > line or previous[i] <= 0:
            continue
        change = (recent[i] - previous[i]) / previous[i]
        if change >= -params.min_fall:
            continue
        per_unit = float(snap.throughput_per_unit[i])
        drop = per_unit <= 0 or change <= -0.5
        found.append(
            Offering(
                sku=product.sku,
                name=product.name,
                throughput_per_unit=per_unit,
                throughput_per_constraint_minute=ratio,
                quartile_line=line,
                median=median,
                recent_units=float(recent[i]),
                previous_units=float(previous[i]),
                change=float(change),
                slope_per_week=float(slopes[i]),
                suggestion="drop" if drop else "re-price",
                price_for_median=float(
                    snap.material_cost[i] + median * float(constraint_minutes[i])
                ),
            )
        )
    found.sort(key=lambda o: (o.throughput_per_constraint_minute, o.sku))
    return found
