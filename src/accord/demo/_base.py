"""Shared pieces of the demo company: sizes, the season, row building and dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from accord.domain.dataset import TABLES, Row

Array = npt.NDArray[Any]
Scale = Literal["small", "large"]


COMPANY = "Hartmann Fluid Systems GmbH"
BOTTLENECK = "PAINT"  # the resource of cell 1 that binds in the seasonal peak (small scale)
DEFAULT_AS_OF = dt.date(2026, 11, 2)


@dataclass(frozen=True)
class _Size:
    series: int  # families per base family (each family a product series)
    skus_per_family: int
    subassemblies: int
    bought: int
    resources: int
    customers: int
    sdrs: int
    aes: int
    engineers: int
    open_order_lines: int
    past_order_lines: int
    open_deal_lines: int
    closed_deal_lines: int
    history_weeks: int
    forecast_skus: int
    quantity_rules: int


_SIZES: dict[str, _Size] = {
    "small": _Size(1, 24, 12, 40, 12, 60, 3, 6, 3, 1_500, 2_500, 520, 640, 104, 6, 6),
    "large": _Size(
        100, 20, 400, 800, 200, 2_000, 30, 80, 25, 200_000, 60_000, 100_000, 30_000, 156, 200, 200
    ),
}


# Demand index per calendar month (industrial equipment: spring peak, August and Christmas lulls).
_SEASON = np.array([0.80, 0.90, 1.15, 1.25, 1.30, 1.20, 1.00, 0.65, 1.05, 1.10, 1.00, 0.70])


# -- small helpers -------------------------------------------------------------------------


def _table(
    name: str, n: int, columns: Mapping[str, Any], attributes: Iterable[dict[str, str]] = ()
) -> tuple[Row, ...]:
    """Rows of ``name``: a list per column (or one value for all rows), None where absent."""
    names = TABLES[name].column_names
    unknown = set(columns) - set(names)
    if unknown:
        raise ValueError(f"{name} has no columns {sorted(unknown)}")
    cols: list[Iterable[Any]] = []
    for c in names:
        value = columns.get(c)
        if isinstance(value, list):
            if len(value) != n:
                raise ValueError(f"{name}.{c}: {len(value)} values for {n} rows")
            cols.append(value)
        else:
            cols.append(repeat(value, n))
    attrs: Iterable[dict[str, str]] = attributes or ({} for _ in range(n))
    keys = (*names, "attributes")
    # Constant columns are endless repeat()s; the row count comes from the lists and attributes.
    return tuple(dict(zip(keys, values, strict=True)) for values in zip(*cols, attrs, strict=False))


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _dates(start: dt.date, offsets: Array) -> list[dt.date]:
    """Calendar dates ``start + offsets`` (days) as Python dates."""
    base = np.datetime64(start, "D")
    out: list[dt.date] = (base + offsets.astype("timedelta64[D]")).tolist()
    return out


def _season(days: Array, autumn: Array) -> Array:
    """Demand index at days since the epoch, per row of ``autumn`` (peak in November)."""
    day = days.astype("datetime64[D]")
    doy = (day - day.astype("datetime64[Y]")).astype(float)
    months = np.arange(-1, 13) * 30.44 + 15.2
    values = np.concatenate([_SEASON[-1:], _SEASON, _SEASON[:1]])
    spring = np.interp(doy, months, values)
    fall = np.interp((doy + 182.6) % 365.25, months, values)
    result: Array = np.where(autumn[:, None], fall[None, :], spring[None, :])
    return result


def _split(rng: np.random.Generator, total: int, mean: float, cap: int) -> Array:
    """Line counts per header (1..cap, about ``mean``) summing to exactly ``total``."""
    counts = np.clip(1 + rng.poisson(mean - 1, size=int(total / mean * 1.3) + 10), 1, cap)
    ends = np.cumsum(counts)
    n = int(np.searchsorted(ends, total)) + 1
    counts = counts[:n].copy()
    counts[-1] -= int(ends[n - 1]) - total
    return counts


def _pick_weighted(rng: np.random.Generator, weights: Array, n: int) -> Array:
    p = weights / weights.sum()
    picked: Array = rng.choice(len(weights), size=n, p=p)
    return picked


def _names(
    rng: np.random.Generator, first: Sequence[str], second: Sequence[str], n: int
) -> list[str]:
    """``n`` distinct "first second" names."""
    if n > len(first) * len(second):
        raise ValueError("not enough name combinations")
    chosen = rng.choice(len(first) * len(second), size=n, replace=False)
    return [f"{first[i // len(second)]} {second[i % len(second)]}" for i in chosen.tolist()]


def _epoch(day: dt.date) -> int:
    return int(np.datetime64(day, "D").astype(int))
