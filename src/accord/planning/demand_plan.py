"""The demand plan of S&OP (SPEC §5.4): what sales believes will sell, per SKU and period.

Periods (SPEC §1) are ISO weeks (Monday to Sunday) or calendar months; the first one is the
period that contains the as-of date, so it may start a few days before it.

Three parts per SKU and period, each from its own source:

- **firm**: open order lines due in the period; lines already overdue count in the first
  period (they still have to be made);
- **likely**: probability x quantity of the lines of open opportunities, dated by the line's
  requested date, else the deal's expected close date (undated lines are left out and
  counted); deals dated before the first period count in it;
- **forecast**: the user's ``forecast`` cells. A cell covers ``period_start..period_end``
  (inclusive; the end defaults to the end of the dataset's period that starts there) and is
  spread over the working days it covers, so a monthly cell feeds weekly periods, and a
  period cut by the plan's window gets its share only. Working days are the weekdays on
  which some resource works (Monday to Friday when there are no resources).

The forecast is consumed by known demand: ``demand = max(forecast, firm + likely)``, and
``forecast_only = demand − firm − likely`` is what the forecast adds on top.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.domain.dataset import PERIODS
from accord.domain.snapshot import Snapshot

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
NO_FAMILY = "(no family)"


@dataclass(frozen=True, slots=True)
class Period:
    """Days ``start`` .. ``end`` − 1 (``end`` exclusive)."""

    start: dt.date
    end: dt.date

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


def period_start(day: dt.date, kind: str) -> dt.date:
    """The first day of the week (Monday) or month containing ``day``."""
    if kind == "week":
        return day - dt.timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    raise ValueError(f"period must be one of {PERIODS}, got {kind!r}")


def next_period_start(start: dt.date, kind: str) -> dt.date:
    if kind == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def plan_periods(as_of: dt.date, kind: str, count: int) -> tuple[Period, ...]:
    """``count`` consecutive periods of ``kind``, the first containing ``as_of``."""
    if count < 1:
        raise ValueError(f"periods must be >= 1, got {count}")
    start = period_start(as_of, kind)
    periods = []
    for _ in range(count):
        end = next_period_start(start, kind)
        periods.append(Period(start, end))
        start = end
    return tuple(periods)


@dataclass(frozen=True, slots=True)
class DemandParams:
    period: str = "month"
    periods: int = 12
    # The statistical forecast, (sku, period_start) -> units: used for every product and
    # period that no user forecast cell covers (periods must start on the same dates).
    statistical: Mapping[tuple[str, dt.date], float] | None = field(
        default=None, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise ValueError(f"period must be one of {PERIODS}, got {self.period!r}")
        if isinstance(self.periods, bool) or not isinstance(self.periods, int):
            raise ValueError(f"periods must be a whole number, got {self.periods!r}")
        if not 1 <= self.periods <= 520:
            raise ValueError(f"periods must be within 1..520, got {self.periods}")


@dataclass(frozen=True, slots=True, eq=False)
class DemandPlan:
    """Demand parts per SKU (rows, snapshot order) and period (columns)."""

    as_of: dt.date
    period: str
    periods: tuple[Period, ...]
    skus: tuple[str, ...]
    families: tuple[str, ...]  # per SKU; NO_FAMILY when the product has none
    firm: FloatArray  # [S, T]
    likely: FloatArray
    forecast: FloatArray
    undated_likely: float  # weighted units of open lines with no date at all

    @property
    def demand(self) -> FloatArray:
        out: FloatArray = np.maximum(self.forecast, self.firm + self.likely)
        return out

    @property
    def forecast_only(self) -> FloatArray:
        """demand − firm − likely, never below 0 by rounding."""
        out: FloatArray = np.maximum(self.demand - self.firm - self.likely, 0.0)
        return out

    def by_family(self) -> tuple[tuple[str, ...], dict[str, FloatArray]]:
        """Family names (sorted) and each part summed per family: ``[families, T]``.

        Demand is consumed per SKU first, so a family's demand is the sum of its SKUs'."""
        names, group = np.unique(np.array(self.families, dtype=np.str_), return_inverse=True)
        parts = {
            "firm": self.firm,
            "likely": self.likely,
            "forecast_only": self.forecast_only,
            "total": self.demand,
        }
        summed = {}
        for key, values in parts.items():
            out = np.zeros((len(names), len(self.periods)))
            np.add.at(out, group, values)
            summed[key] = out
        return tuple(names.tolist()), summed

    def period_totals(self) -> list[dict[str, Any]]:
        """Per period: ``period_start``, ``period_end`` (inclusive) and summed parts."""
        firm, likely = self.firm.sum(axis=0), self.likely.sum(axis=0)
        only, total = self.forecast_only.sum(axis=0), self.demand.sum(axis=0)
        return [
            {
                "period_start": p.start.isoformat(),
                "period_end": p.last_day.isoformat(),
                "firm": _num(firm[t]),
                "likely": _num(likely[t]),
                "forecast_only": _num(only[t]),
                "total": _num(total[t]),
            }
            for t, p in enumerate(self.periods)
        ]

    def to_json(self, level: str = "sku") -> dict[str, Any]:
        if level == "family":
            names, parts = self.by_family()
        else:
            names = self.skus
            parts = {
                "firm": self.firm,
                "likely": self.likely,
                "forecast_only": self.forecast_only,
                "total": self.demand,
            }
        rows = [
            {
                "key": name,
                "periods": [
                    {k: _num(parts[k][i, t]) for k in ("firm", "likely", "forecast_only", "total")}
                    for t in range(len(self.periods))
                ],
            }
            for i, name in enumerate(names)
            if parts["total"][i].any()
        ]
        return {
            "as_of": self.as_of.isoformat(),
            "period": self.period,
            "level": level,
            "periods": self.period_totals(),
            "rows": rows,
            "undated_likely": _num(self.undated_likely),
        }

    def __str__(self) -> str:
        lines = [f"Demand plan from {self.as_of} ({len(self.periods)} {self.period}s)"]
        lines.append(f"{'period':<12}{'firm':>12}{'likely':>12}{'forecast only':>15}{'total':>12}")
        for row in self.period_totals():
            lines.append(
                f"{row['period_start']:<12}{row['firm']:>12,.1f}{row['likely']:>12,.1f}"
                f"{row['forecast_only']:>15,.1f}{row['total']:>12,.1f}"
            )
        return "\n".join(lines)


def demand_plan(snapshot: Snapshot, params: DemandParams | None = None) -> DemandPlan:
    """The demand plan of ``snapshot`` over ``params.periods`` periods (module docstring)."""
    params = params or DemandParams(period=snapshot.settings.period)
    periods = plan_periods(snapshot.as_of, params.period, params.periods)
    n_skus = len(snapshot.products)
    # Period boundaries as ordinals: [T + 1].
    bounds = np.array(
        [p.start.toordinal() for p in periods] + [periods[-1].end.toordinal()], dtype=np.int64
    )
    firm = _firm(snapshot, bounds, n_skus)
    likely, undated = _likely(snapshot, bounds, n_skus)
    forecast, covered = _forecast(snapshot, bounds, n_skus, _working_weekdays(snapshot))
    if params.statistical:
        statistical = _statistical(snapshot, periods, params.statistical)
        forecast = np.where(covered, forecast, statistical)
    return DemandPlan(
        as_of=snapshot.as_of,
        period=params.period,
        periods=periods,
        skus=tuple(p.sku for p in snapshot.products),
        families=tuple(p.family or NO_FAMILY for p in snapshot.products),
        firm=firm,
        likely=likely,
        forecast=forecast,
        undated_likely=undated,
    )


def _bucket(days: IntArray, bounds: IntArray) -> IntArray:
    """Period index of each ordinal; before the first period -> 0, after the last -> -1."""
    index = np.searchsorted(bounds, days, side="right") - 1
    index = np.maximum(index, 0)
    index[days >= bounds[-1]] = -1
    return index


def _accumulate(
    sku: IntArray, period: IntArray, qty: FloatArray, n_skus: int, n: int
) -> FloatArray:
    out = np.zeros((n_skus, n))
    keep = period >= 0
    np.add.at(out, (sku[keep], period[keep]), qty[keep])
    return out


def _firm(snapshot: Snapshot, bounds: IntArray, n_skus: int) -> FloatArray:
    due = snapshot.order_due_day.astype(np.int64) + snapshot.as_of.toordinal()
    return _accumulate(
        snapshot.order_sku.astype(np.int64),
        _bucket(due, bounds),
        snapshot.order_qty,
        n_skus,
        len(bounds) - 1,
    )


def _likely(snapshot: Snapshot, bounds: IntArray, n_skus: int) -> tuple[FloatArray, float]:
    sku: list[int] = []
    day: list[int] = []
    qty: list[float] = []
    undated = 0.0
    for line in snapshot.opportunity_lines:
        deal = snapshot.opportunities_by_id[line.opportunity_id]
        if not deal.is_open:
            continue
        when = line.requested_date or deal.close_date
        weighted = deal.probability * line.quantity
        if when is None:
            undated += weighted
            continue
        sku.append(snapshot.sku_index[line.sku])
        day.append(when.toordinal())
        qty.append(weighted)
    days = np.array(day, dtype=np.int64)
    return (
        _accumulate(
            np.array(sku, dtype=np.int64),
            _bucket(days, bounds),
            np.array(qty, dtype=np.float64),
            n_skus,
            len(bounds) - 1,
        ),
        undated,
    )


def _working_weekdays(snapshot: Snapshot) -> NDArray[np.bool_]:
    """[7] Monday..Sunday: does some resource work that weekday?"""
    if not snapshot.resources:
        return np.array([True] * 5 + [False] * 2)
    weekly = np.array([r.weekday_minutes for r in snapshot.resources], dtype=np.float64)
    working: NDArray[np.bool_] = weekly.sum(axis=0) > 0
    return working if working.any() else np.ones(7, dtype=bool)


def _working_days_before(ordinal: IntArray, working: NDArray[np.bool_]) -> IntArray:
    """Working days with an ordinal < ``ordinal`` since ordinal 1 (a Monday)."""
    prefix = np.concatenate(([0], np.cumsum(working.astype(np.int64))))
    shifted = ordinal - 1
    weeks, rest = np.divmod(shifted, 7)
    result: IntArray = weeks * prefix[7] + prefix[rest]
    return result


def _statistical(
    snapshot: Snapshot, periods: tuple[Period, ...], cells: Mapping[tuple[str, dt.date], float]
) -> FloatArray:
    """[S, T] units of the statistical forecast, where its periods are the plan's."""
    column = {p.start: t for t, p in enumerate(periods)}
    out = np.zeros((len(snapshot.products), len(periods)))
    for (sku, start), quantity in cells.items():
        s, t = snapshot.sku_index.get(sku), column.get(start)
        if s is not None and t is not None:
            out[s, t] = quantity
    return out


def _forecast(
    snapshot: Snapshot, bounds: IntArray, n_skus: int, working: NDArray[np.bool_]
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """[S, T] units of the user's forecast cells, and where any cell covers a period."""
    rows = snapshot.dataset.rows("forecast")
    n_periods = len(bounds) - 1
    covered = np.zeros((n_skus, n_periods), dtype=bool)
    if not rows:
        return np.zeros((n_skus, n_periods)), covered
    kind = snapshot.settings.period
    sku = np.array([snapshot.sku_index[r["sku"]] for r in rows], dtype=np.int64)
    start = np.array([r["period_start"].toordinal() for r in rows], dtype=np.int64)
    end = np.array(  # exclusive
        [
            (r["period_end"] + dt.timedelta(days=1)).toordinal()
            if r.get("period_end") is not None
            else next_period_start(period_start(r["period_start"], kind), kind).toordinal()
            for r in rows
        ],
        dtype=np.int64,
    )
    end = np.maximum(end, start + 1)
    qty = np.array([float(r["quantity"]) for r in rows], dtype=np.float64)
    # Overlap of each cell [start, end) with each period [b_t, b_t+1): [cells, T].
    lo = np.maximum(start[:, None], bounds[None, :-1])
    hi = np.maximum(np.minimum(end[:, None], bounds[None, 1:]), lo)
    cell_work = _working_days_before(end, working) - _working_days_before(start, working)
    overlap_work = _working_days_before(hi, working) - _working_days_before(lo, working)
    # A cell with no working day at all is spread over its calendar days instead.
    by_days = cell_work == 0
    share = np.where(
        by_days[:, None],
        (hi - lo) / (end - start)[:, None],
        overlap_work / np.maximum(cell_work, 1)[:, None],
    )
    out = np.zeros((n_skus, n_periods))
    np.add.at(out, sku, share * qty[:, None])
    np.logical_or.at(covered, sku, hi > lo)
    return out, covered


def _num(value: float | np.floating[Any]) -> float:
    """A JSON-friendly number: rounded to 6 decimals, no negative zero."""
    return round(float(value), 6) + 0.0
