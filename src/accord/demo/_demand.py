"""Demand of the demo company: calendars, the demand model, history and calibration."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from accord.demo._base import Array, _epoch, _monday, _season, _Size
from accord.demo._catalog import _FAMILIES, _Catalog, _Plant, _Routing
from accord.domain.dataset import TABLES, Row

# -- calendar and calibration --------------------------------------------------------------


def _easter(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _closed_days(year: int) -> list[dt.date]:
    """Public holidays and plant shutdowns (a summer week, the days between the holidays)."""
    easter = _easter(year)
    days = [dt.date(year, 1, 1), dt.date(year, 5, 1), dt.date(year, 10, 3)]
    days += [dt.date(year, 12, d) for d in (24, 25, 26, 27, 28, 29, 30, 31)]
    days += [easter + dt.timedelta(days=d) for d in (-2, 1, 39, 50)]
    summer = dt.date.fromisocalendar(year, 32, 1)
    days += [summer + dt.timedelta(days=d) for d in range(5)]
    return days


def _calendar(
    rng: np.random.Generator, plant: _Plant, start: dt.date, as_of: dt.date
) -> dict[tuple[int, dt.date], float]:
    """Exceptions per (resource, date): closed days, maintenance, extra Saturday paint shifts.

    From ``start`` (the history) to a good year after ``as_of`` (the planning horizon).
    """
    end = as_of + dt.timedelta(days=400)
    out: dict[tuple[int, dt.date], float] = {}
    closed = [d for y in range(start.year, end.year + 1) for d in _closed_days(y)]
    closed = sorted(d for d in closed if start <= d < end)
    for r in range(len(plant.ids)):
        for d in closed:
            if plant.weekday[r, d.weekday()] > 0:
                out[r, d] = 0.0
    # Preventive maintenance: each machine loses one weekday every half year.
    span = (end - start).days
    for r in np.flatnonzero(plant.workers == 1).tolist():
        for offset in rng.integers(0, span, max(1, span // 182)).tolist():
            day = start + dt.timedelta(days=offset)
            if day.weekday() < 5 and (r, day) not in out:
                out[r, day] = float(plant.weekday[r, 0] // 2)
    # The bottleneck paint line books extra Saturday shifts for the coming spring peak.
    spring = as_of.year + (1 if as_of.month >= 3 else 0)
    for month in (3, 4, 5):
        first = dt.date(spring, month, 1)
        saturday = first + dt.timedelta(days=(5 - first.weekday()) % 7)
        for week in range(3):
            day = saturday + dt.timedelta(weeks=week)
            if start <= day < end:
                out[0, day] = 420.0
    return dict(sorted(out.items()))


def _capacity(
    plant: _Plant, exceptions: Mapping[tuple[int, dt.date], float], start: dt.date, days: int
) -> Array:
    """Minutes per resource and day from ``start`` (crew: all workers)."""
    weekday = (np.arange(days) + start.weekday()) % 7
    cap = plant.weekday[:, weekday].astype(float)
    for (r, day), minutes in exceptions.items():
        i = (day - start).days
        if 0 <= i < days:
            cap[r, i] = minutes
    result: Array = cap * plant.workers[:, None]
    return result


@dataclass(frozen=True)
class _Demand:
    """Expected weekly demand of each finished product as a function of the date."""

    as_of: dt.date
    weeks: list[dt.date]  # Mondays of the history
    base: Array  # units per week at the as-of date, before season
    growth: Array  # yearly growth factor
    amp: Array  # seasonal amplitude (exponent on the index)
    autumn: Array
    launch: Array  # days since epoch of launch (new products), else very early
    retired: Array  # discontinued: demand fades to zero at the as-of date
    intermittent: Array
    lump: Array  # mean size of an intermittent order
    future: Array  # expected units per week over the next quarter, all products

    def rate(self, days: Array) -> Array:
        """Expected units per week for weeks centred on ``days`` (days since the epoch)."""
        t = (days[None, :] - _epoch(self.as_of)) / 365.25
        season = _season(days, self.autumn) ** self.amp[:, None]
        r = self.base[:, None] * self.growth[:, None] ** t * season
        r *= np.clip((days[None, :] - self.launch[:, None]) / 91.0, 0.0, 1.0)
        fade = np.clip(-t, 0.0, 1.0)
        result: Array = np.where(self.retired[:, None], r * fade, r)
        return result


def _demand_model(rng: np.random.Generator, cat: _Catalog, size: _Size, as_of: dt.date) -> _Demand:
    n = cat.n_finished
    monday = _monday(as_of)
    weeks = [monday - dt.timedelta(weeks=size.history_weeks - i) for i in range(size.history_weeks)]
    kits = cat.base == len(_FAMILIES) - 1
    intermittent = rng.random(n) < np.where(kits, 0.5, 0.15)
    # Many slow movers and a few runners; the large company spreads over 80 times the SKUs.
    mu = 1.4 if size.series == 1 else 0.5
    base = rng.lognormal(mu, 1.0, n)
    occurrence = rng.uniform(0.06, 0.3, n)
    lump = rng.lognormal(1.6, 0.5, n) + 1.0
    base = np.where(intermittent, occurrence * lump, base)
    family_growth = rng.normal(0.05, 0.06, len(cat.family_names))
    growth = 1.0 + np.clip(family_growth[cat.fam] + rng.normal(0, 0.05, n), -0.3, 0.5)
    amp = np.exp(rng.normal(0.0, 0.25, len(cat.family_names)))[cat.fam]
    autumn = np.array([f[5] for f in _FAMILIES])[cat.base]
    history_days = size.history_weeks * 7
    new = rng.random(n) < 0.06
    launch = np.where(
        new,
        _epoch(monday) - rng.integers(60, int(history_days * 0.8), n),
        _epoch(monday) - 10 * history_days,
    )
    retired = ~cat.active[:n]
    dem = _Demand(
        as_of, weeks, base, growth, amp, autumn, launch, retired, intermittent, lump,
        np.zeros(len(cat.skus)),
    )  # fmt: skip
    days = _epoch(monday) + 3 + 7 * np.arange(13)
    dem.future[:n] = dem.rate(days).mean(axis=1)
    dem.future[n:] = _dependent(cat, dem.future[:n])[n:]
    return dem


def _dependent(cat: _Catalog, finished: Array) -> Array:
    """Demand of every product (per row of ``finished``'s columns) exploded through the BOM."""
    total = np.zeros((len(cat.skus), *finished.shape[1:]))
    total[: cat.n_finished] = finished
    for level in (slice(0, cat.n_finished), slice(cat.n_finished, cat.n_finished + cat.n_made)):
        rows = (cat.bom_parent >= level.start) & (cat.bom_parent < level.stop)
        q = cat.bom_qty[rows].reshape(-1, *([1] * (finished.ndim - 1)))
        np.add.at(total, cat.bom_child[rows], total[cat.bom_parent[rows]] * q)
    return total


def _calibrate(
    rng: np.random.Generator,
    cat: _Catalog,
    plant: _Plant,
    routing: _Routing,
    dem: _Demand,
    sold: Array,
    exceptions: Mapping[tuple[int, dt.date], float],
) -> None:
    """Scale routing minutes so each resource's busiest month of the last year hits a target.

    The first paint line is the bottleneck: 115 % in its peak month, below 100 % off-peak.
    Other paint lines peak at 72–92 %, the rest at 45–78 %.
    """
    weeks = dem.weeks[-52:]
    start, end = weeks[0], dem.weeks[-1] + dt.timedelta(days=7)
    demand = _dependent(cat, sold[:, -52:])
    load = np.zeros((len(plant.ids), len(weeks)))
    np.add.at(load, routing.res, demand[routing.sku] * routing.minutes[:, None])
    cap = _capacity(plant, exceptions, start, (end - start).days)
    # A week's demand falls on its five weekdays, so a week that straddles two months is split.
    day_month = np.array([(start + dt.timedelta(days=i)).month for i in range(len(cap[0]))])
    full = np.unique(day_month[7:-7])  # months wholly inside the window (by weekday)
    weekdays = day_month.reshape(-1, 7)[:, :5]
    ratio = np.stack(
        [(load * (weekdays == m).mean(axis=1)).sum(axis=1) / cap[:, day_month == m].sum(axis=1)
         for m in full[1:-1]],
        axis=1,
    )  # fmt: skip
    target = rng.uniform(0.45, 0.78, len(plant.ids))
    target[plant.template == 0] = rng.uniform(0.72, 0.92, int((plant.template == 0).sum()))
    target[plant.workers > 1] = 0.78
    target[0] = 1.15
    peak = ratio.max(axis=1)
    scale = np.divide(target, peak, out=np.ones_like(peak), where=peak > 0)
    routing.minutes[:] = np.maximum(0.05, np.round(routing.minutes * scale[routing.res], 2))


# -- demand history ------------------------------------------------------------------------


def _simulate_history(rng: np.random.Generator, dem: _Demand) -> Array:
    """Units sold per finished product and week of the history."""
    w = len(dem.weeks)
    days = np.array([_epoch(d) + 3 for d in dem.weeks])
    rate = dem.rate(days)
    # Steady items: Poisson with gamma noise (orders vary more than a pure Poisson).
    qty = rng.poisson(rate * rng.gamma(4.0, 0.25, rate.shape)).astype(float)
    # Intermittent items: an order in a week or not, then a lumpy size.
    lumpy = np.flatnonzero(dem.intermittent)
    size = dem.lump[lumpy, None]
    occurs = rng.random((len(lumpy), w)) < np.clip(rate[lumpy] / size, 0.0, 1.0)
    sizes = 1 + rng.poisson(np.broadcast_to(size - 1, occurs.shape))
    qty[lumpy] = np.where(occurs, sizes, 0).astype(float)
    return qty


def _history(cat: _Catalog, dem: _Demand, qty: Array) -> tuple[Row, ...]:
    """One row per finished product and week since its launch, zero weeks included."""
    n, w = cat.n_finished, len(dem.weeks)
    days = np.array([_epoch(d) + 3 for d in dem.weeks])
    keep = (days[None, :] >= dem.launch[:, None]).ravel()
    sku = np.repeat(np.array(cat.skus[:n], dtype=object), w)[keep].tolist()
    dates = np.tile(np.array(dem.weeks, dtype=object), n)[keep].tolist()
    quantity = qty.ravel()[keep].tolist()
    if TABLES["demand_history"].column_names != ("sku", "date", "quantity", "customer"):
        raise AssertionError("demand_history columns changed")
    # The one table of millions of rows: a dict display builds rows twice as fast as _table.
    return tuple(
        {"sku": k, "date": d, "quantity": q, "customer": None, "attributes": {}}
        for k, d, q in zip(sku, dates, quantity, strict=True)
    )
