"""Demand per product over a date window, for the throughput view (SPEC §5.5 with §5.4 parts).

For each product, over the days ``start..end`` (inclusive):

- **firm**: open order lines due in the window; when the window starts on or before the
  as-of date, overdue open lines count too (they still have to be made);
- **likely**: ``probability × quantity`` of the lines of open opportunities whose date (the
  line's requested date, else the deal's close date) falls in the window; lines without any
  date are left out;
- **forecast**: the user's ``forecast`` cells, each spread evenly over the calendar days of
  its period and counted for the days inside the window;
- **demand** = ``max(forecast, firm + likely)``: forecast is consumed by known demand.

The statistical forecast of §5.6 is not used here: only the cells the user gave.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

import numpy as np

from accord.domain.snapshot import FloatArray, Snapshot


@dataclass(frozen=True, eq=False)
class HorizonDemand:
    """Demand parts per product (indexed like ``Snapshot.sku_index``) over ``start..end``."""

    start: dt.date
    end: dt.date
    firm: FloatArray
    likely: FloatArray
    forecast: FloatArray

    @property
    def demand(self) -> FloatArray:
        return np.maximum(self.forecast, self.firm + self.likely)


def period_end(start: dt.date, period: str) -> dt.date:
    """The last day of the ``period`` ("week" or "month") that begins on ``start``."""
    if period == "week":
        return start + dt.timedelta(days=6)
    last = calendar.monthrange(start.year, start.month)[1]
    return start.replace(day=last)


def horizon_demand(snap: Snapshot, start: dt.date, end: dt.date) -> HorizonDemand:
    """Firm, likely and forecast demand per product over ``start..end`` (see module doc)."""
    n = len(snap.products)
    first, last = snap.day_index(start), snap.day_index(end)
    due = snap.order_due_day
    in_window = (due <= last) & ((due >= first) | (first <= 0))
    firm = np.bincount(snap.order_sku[in_window], snap.order_qty[in_window], minlength=n)

    likely = np.zeros(n)
    for line in snap.opportunity_lines:
        deal = snap.opportunities_by_id.get(line.opportunity_id)
        if deal is None or not deal.is_open:
            continue
        when = line.requested_date or deal.close_date
        if when is not None and start <= when <= end:
            likely[snap.sku_index[line.sku]] += deal.probability * line.quantity

    forecast = np.zeros(n)
    period = snap.settings.period
    for row in snap.dataset.rows("forecast"):
        cell_start: dt.date = row["period_start"]
        cell_end: dt.date = row.get("period_end") or period_end(cell_start, period)
        days = (cell_end - cell_start).days + 1
        overlap = (min(cell_end, end) - max(cell_start, start)).days + 1
        index = snap.sku_index.get(row["sku"])
        if index is not None and days > 0 and overlap > 0:
            forecast[index] += float(row["quantity"]) * overlap / days
    return HorizonDemand(start, end, firm.astype(np.float64), likely, forecast)
