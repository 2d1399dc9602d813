"""The seeded demo company (SPEC §6): Hartmann Fluid Systems, a maker of pumps, fans and valves.

``generate(scale, seed, as_of)`` returns a whole :class:`~accord.domain.dataset.Dataset`; the
same seed and as-of date give the same dataset, row for row.

The company, relative to ``as_of``:

- product families (pumps, booster sets, valves, fans, compressors, ...) of finished goods,
  made sub-assemblies (housings, impellers, frames) and bought components (motors, seals,
  castings), with BOMs two levels deep and margins that vary a lot, so throughput per
  constraint minute separates good products from poor ones;
- a dozen resources (machines and one assembly crew) per production cell (one cell when
  small, seventeen when large); routings of 2–5 steps. Routing minutes are calibrated on the
  last year of history so that the paint line of the first cell (``BOTTLENECK``, "PAINT";
  "C01-PAINT" when large) is the bottleneck: 115 % loaded in its busiest month, above 100 %
  in the spring peak only, while every other resource peaks below about 90 %;
- weekly demand history (one row per finished SKU and week, zero weeks included, none
  before a product's launch; two years when small, three when large) with trend,
  seasonality and intermittent, lumpy items;
- customers with checklist scores, open orders (some overdue, some breaking scope rules),
  shipped and cancelled orders with deliveries that are sometimes late or partial;
- a pipeline of open and closed deals whose stage history hands work from SDRs to account
  executives and solutions engineers, deal checks logged by the reps who use them, quotas,
  forecast overrides, stock, scheduled receipts and calendar exceptions.

A scope rule applies to a line that carries its attribute: every line has ``color`` and
``destination``; only service lines (controls, service kits) have ``response_hours``.
"""

from __future__ import annotations

import datetime as dt
import gc

import numpy as np

from accord.demo._base import _SIZES, BOTTLENECK, COMPANY, DEFAULT_AS_OF, Scale, _monday, _Size
from accord.demo._catalog import _catalog, _plant, _routing
from accord.demo._demand import _calendar, _calibrate, _demand_model, _history, _simulate_history
from accord.demo._orders import _orders
from accord.demo._pipeline import _deals
from accord.demo._plans import _catalog_tables, _quotas, _rules, _settings, _stock
from accord.demo._sales import _customers, _people
from accord.domain.dataset import TABLES, Dataset

__all__ = ["BOTTLENECK", "COMPANY", "DEFAULT_AS_OF", "Scale", "generate"]


def generate(scale: Scale = "small", seed: int = 7, as_of: dt.date = DEFAULT_AS_OF) -> Dataset:
    """The demo company at ``scale`` ("small" or "large", SPEC §7), the same for a seed."""
    if scale not in _SIZES:
        raise ValueError(f"scale must be 'small' or 'large', not {scale!r}")
    # Millions of small acyclic dicts make the cyclic collector rescan again and again.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _generate(_SIZES[scale], np.random.default_rng(seed), as_of)
    finally:
        if enabled:
            gc.enable()


def _generate(size: _Size, rng: np.random.Generator, as_of: dt.date) -> Dataset:
    cat = _catalog(rng, size)
    plant = _plant(size)
    history_start = _monday(as_of) - dt.timedelta(weeks=size.history_weeks)
    exceptions = _calendar(rng, plant, history_start, as_of)
    routing = _routing(rng, cat, plant)
    dem = _demand_model(rng, cat, size, as_of)
    sold = _simulate_history(rng, dem)
    _calibrate(rng, cat, plant, routing, dem, sold, exceptions)
    tables = _catalog_tables(rng, cat, plant, routing, dem, exceptions)
    tables["demand_history"] = _history(cat, dem, sold)
    people = _people(rng, size)
    crm = _customers(rng, cat, people, size)
    tables["customers"] = crm.rows
    deals = _deals(rng, cat, dem, crm, people, routing, size, as_of)
    tables.update(deals.tables)
    tables.update(_orders(rng, cat, dem, crm, people, routing, deals.won, size, as_of))
    tables["rules"] = _rules(tables["orders"], tables["opportunity_lines"], size)
    tables["quotas"] = _quotas(rng, cat, dem, tables["orders"], people, as_of)
    tables.update(_stock(rng, cat, dem, size, as_of))
    tables["settings"] = _settings(cat, dem, as_of)
    return Dataset(tables={name: tables[name] for name in TABLES})
