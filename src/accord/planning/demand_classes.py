"""Demand series per SKU and period, and their Syntetos–Boylan demand class.

``demand_series`` turns ``demand_history`` rows into one series per SKU: quantities summed
per period of the dataset (ISO weeks starting on Monday, or calendar months), from the
period of the SKU's first sale to the last whole period before the as-of date, with the
periods without a sale filled with zero. The period that holds the as-of date is not part of
the history (it is not over yet): the forecast starts there.

Classification (Syntetos, Boylan & Croston 2005) on a series' non-zero demands:

- ADI, the average demand interval = periods / periods with demand;
- CV², the squared coefficient of variation of the non-zero demand sizes.

=============  ============  ============
               CV² < 0.49    CV² ≥ 0.49
=============  ============  ============
ADI < 1.32     smooth        erratic
ADI ≥ 1.32     intermittent  lumpy
=============  ============  ============

Smooth and erratic series are *regular* (exponential smoothing and Theta apply); intermittent
and lumpy ones are *sparse* (Croston-type methods apply). A series without any demand has an
infinite ADI and CV² 0: intermittent.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

DemandClass = Literal["smooth", "erratic", "intermittent", "lumpy"]
DEMAND_CLASSES: tuple[DemandClass, ...] = ("smooth", "erratic", "intermittent", "lumpy")
ADI_CUT = 1.32
CV2_CUT = 0.49

Array = npt.NDArray[np.float64]


def period_start(day: dt.date, period: str) -> dt.date:
    """The first day of the week (Monday) or month that holds ``day``."""
    if period == "week":
        return day - dt.timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    raise ValueError(f"period must be week or month, got {period!r}")


def shift_period(start: dt.date, period: str, k: int) -> dt.date:
    """The start of the period ``k`` periods after the one starting at ``start``."""
    if period == "week":
        return start + dt.timedelta(weeks=k)
    months = start.year * 12 + start.month - 1 + k
    return dt.date(months // 12, months % 12 + 1, 1)


def periods_between(first: dt.date, last: dt.date, period: str) -> int:
    """How many periods from the period starting ``first`` to the one starting ``last``."""
    if period == "week":
        return (last - first).days // 7
    return (last.year - first.year) * 12 + last.month - first.month


@dataclass(frozen=True, eq=False)
class DemandSeries:
    """One SKU's demand per period, from ``start`` (its first sale's period), no gaps."""

    sku: str
    start: dt.date
    values: Array = field(repr=False)

    def __post_init__(self) -> None:
        if self.values.ndim != 1:
            raise ValueError("values must be one-dimensional")
        if np.any(self.values < 0) or not np.all(np.isfinite(self.values)):
            raise ValueError(f"values of {self.sku}: quantities must be finite and >= 0")

    def __len__(self) -> int:
        return len(self.values)

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DemandSeries)
            and (self.sku, self.start) == (other.sku, other.start)
            and np.array_equal(self.values, other.values)
        )

    def __hash__(self) -> int:
        return hash((self.sku, self.start, len(self.values)))


def demand_series(
    rows: Iterable[Mapping[str, Any]], period: str, as_of: dt.date
) -> tuple[DemandSeries, ...]:
    """One zero-filled series per SKU with a sale before the as-of period, sorted by SKU."""
    end = period_start(as_of, period)  # first period not in the history
    sums: dict[str, dict[dt.date, float]] = {}
    for row in rows:
        day = row["date"]
        if day >= end:
            continue
        start = period_start(day, period)
        per_sku = sums.setdefault(row["sku"], {})
        per_sku[start] = per_sku.get(start, 0.0) + float(row["quantity"])
    out = []
    for sku in sorted(sums):
        cells = sums[sku]
        first = min(cells)
        values = np.zeros(periods_between(first, end, period))
        for start, quantity in cells.items():
            values[periods_between(first, start, period)] += quantity
        out.append(DemandSeries(sku, first, values))
    return tuple(out)


@dataclass(frozen=True)
class Classification:
    adi: float  # inf when the series has no demand
    cv2: float
    demand_class: DemandClass

    @property
    def regular(self) -> bool:
        return self.demand_class in ("smooth", "erratic")


def classify(values: Array) -> Classification:
    """Syntetos–Boylan class of one series (see the module docstring)."""
    sizes = values[values > 0]
    if len(sizes) == 0:
        return Classification(float("inf"), 0.0, "intermittent")
    adi = len(values) / len(sizes)
    mean = float(sizes.mean())
    cv2 = float(sizes.var() / (mean * mean))
    if adi < ADI_CUT:
        return Classification(adi, cv2, "smooth" if cv2 < CV2_CUT else "erratic")
    return Classification(adi, cv2, "intermittent" if cv2 < CV2_CUT else "lumpy")
