"""The demo company's master data tables, scope rules, quotas, stock, forecast, settings."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

import numpy as np

from accord.demo._base import COMPANY, Array, _dates, _epoch, _Size, _table
from accord.demo._catalog import _TEMPLATES, _Catalog, _Plant, _Routing
from accord.demo._demand import _Demand
from accord.demo._sales import _PALETTE, _RESTRICTED, _People
from accord.domain.dataset import WEEKDAYS, Row


def _catalog_tables(
    rng: np.random.Generator,
    cat: _Catalog,
    plant: _Plant,
    routing: _Routing,
    dem: _Demand,
    exceptions: Mapping[tuple[int, dt.date], float],
) -> dict[str, tuple[Row, ...]]:
    n, n_fin = len(cat.skus), cat.n_finished
    rate = dem.future
    steady = np.ones(n, bool)
    steady[:n_fin] = ~dem.intermittent
    # A quarter of the finished goods can be bought from a partner at a premium.
    sub = np.zeros(n, bool)
    sub[:n_fin] = (rng.random(n_fin) < 0.25) & cat.active[:n_fin]
    markup = rng.uniform(0.5, 0.85, n)
    sub_cost = np.round(cat.cost + np.maximum(cat.price - cat.cost, 1.0) * markup, 2)
    sub_max = np.ceil(rate * 4.35 * rng.uniform(0.15, 0.4, n) + 1)
    products = _table(
        "products",
        n,
        {
            "sku": cat.skus,
            "name": cat.names,
            "family": cat.families,
            "unit_price": cat.price.tolist(),
            "material_cost": cat.cost.tolist(),
            "lead_time_days": cat.lead.tolist(),
            "lot_size": cat.lot.tolist(),
            "safety_stock": np.where(steady, np.ceil(rate), 0.0).tolist(),
            "holding_cost": np.round(cat.cost * 0.02, 2).tolist(),  # 24 % a year, per month
            "backlog_cost": np.round(cat.price * 0.04, 2).tolist(),
            "subcontract_cost": [
                c if s else None for c, s in zip(sub_cost.tolist(), sub, strict=True)
            ],
            "subcontract_max_per_period": [
                c if s else None for c, s in zip(sub_max.tolist(), sub, strict=True)
            ],
            "min_ending_inventory": 0.0,
            "active": cat.active.tolist(),
        },
    )
    crew = plant.workers > 1
    tpl = [_TEMPLATES[t] for t in plant.template.tolist()]
    r = len(plant.ids)
    resources = _table(
        "resources",
        r,
        {
            "resource": plant.ids,
            "name": plant.names,
            "kind": [t.kind for t in tpl],
            **{d: plant.weekday[:, i].astype(float).tolist() for i, d in enumerate(WEEKDAYS)},
            "overtime_minutes_per_day": [float(t.overtime) for t in tpl],
            "overtime_cost_per_minute": [float(t.overtime_cost) for t in tpl],
            "regular_cost_per_minute": [float(t.regular_cost) for t in tpl],
            "workers": [int(w) if c else None for w, c in zip(plant.workers, crew, strict=True)],
            "hire_cost": [3500.0 if c else None for c in crew],
            "layoff_cost": [5000.0 if c else None for c in crew],
            "min_workers": [10 if c else None for c in crew],
            "max_workers": [24 if c else None for c in crew],
        },
    )
    keys = list(exceptions)
    calendar = _table(
        "calendar_exceptions",
        len(keys),
        {
            "resource": [plant.ids[k[0]] for k in keys],
            "date": [k[1] for k in keys],
            "minutes": list(exceptions.values()),
        },
    )
    routings = _table(
        "routings",
        len(routing.sku),
        {
            "sku": [cat.skus[i] for i in routing.sku.tolist()],
            "step": routing.step.tolist(),
            "resource": [plant.ids[i] for i in routing.res.tolist()],
            "minutes_per_unit": routing.minutes.tolist(),
            "setup_minutes": routing.setup.tolist(),
        },
    )
    bom = _table(
        "bom",
        len(cat.bom_parent),
        {
            "sku": [cat.skus[i] for i in cat.bom_parent.tolist()],
            "component": [cat.skus[i] for i in cat.bom_child.tolist()],
            "quantity_per": cat.bom_qty.tolist(),
        },
    )
    return {
        "products": products,
        "resources": resources,
        "calendar_exceptions": calendar,
        "routings": routings,
        "bom": bom,
    }


# -- scope rules, quotas, stock, forecast, settings ----------------------------------------


def _nice(x: float) -> float:
    step = 10 if x >= 100 else 5 if x >= 20 else 1
    return float(max(1, math.floor(x / step) * step))


def _rules(orders: tuple[Row, ...], deal_lines: tuple[Row, ...], size: _Size) -> tuple[Row, ...]:
    """What operations can deliver; the largest sellers get a cap on units per line."""
    palette = "|".join((*_PALETTE, "natural"))
    restricted = "|".join(_RESTRICTED)
    rows: list[tuple[str, str, str, str, str]] = [
        ("*", "color", "in", palette, f"We paint in the standard palette only ({palette})."),
        ("*", "destination", "not_in", restricted, "Export to this country is restricted."),
        ("*", "response_hours", ">=", "24", "We do not offer service faster than 24 hours."),
    ]
    sizes: dict[str, list[float]] = {}
    for row in (*orders, *deal_lines):
        if row.get("status", "open") == "open":
            sizes.setdefault(row["sku"], []).append(row["quantity"])
    busiest = sorted(sizes, key=lambda s: (-len(sizes[s]), s))[: size.quantity_rules]
    for sku in sorted(busiest):
        cap = _nice(float(np.quantile(sizes[sku], 0.85)))
        if cap < max(sizes[sku]):
            note = f"At most {cap:g} units per line; more needs a frame agreement."
            rows.append((sku, "quantity", "<=", f"{cap:g}", note))
    return _table(
        "rules",
        len(rows),
        {
            name: [r[i] for r in rows]
            for i, name in enumerate(("sku", "attribute", "operator", "value", "message"))
        },
    )


def _quarter(day: dt.date, shift: int) -> tuple[dt.date, dt.date]:
    q = (day.year * 4 + (day.month - 1) // 3) + shift
    start = dt.date(q // 4, q % 4 * 3 + 1, 1)
    q += 1
    return start, dt.date(q // 4, q % 4 * 3 + 1, 1) - dt.timedelta(days=1)


def _expected_units(dem: _Demand, start: dt.date, end: dt.date) -> Array:
    """Expected units per finished product between two dates (inclusive)."""
    days = np.arange(_epoch(start), _epoch(end) + 1, 7) + 3
    per_week = dem.rate(days).mean(axis=1)
    result: Array = per_week * ((end - start).days + 1) / 7
    return result


def _quotas(
    rng: np.random.Generator,
    cat: _Catalog,
    dem: _Demand,
    orders: tuple[Row, ...],
    people: _People,
    as_of: dt.date,
) -> tuple[Row, ...]:
    """Each AE's two main families for last, this and next quarter; some reps are behind."""
    index = {s: i for i, s in enumerate(cat.skus[: cat.n_finished])}
    aes = {a: i for i, a in enumerate(people.aes)}
    units = np.zeros((len(people.aes), len(cat.family_names)))
    for row in orders:
        if row["status"] != "cancelled":
            units[aes[row["owner"]], cat.fam[index[row["sku"]]]] += row["quantity"]
    share = units / np.maximum(units.sum(axis=0), 1.0)
    stretch = rng.uniform(0.9, 1.4, len(people.aes))
    stretch[0], stretch[-1] = 0.95, 1.45  # the champion is on track, the last rep behind
    sales = np.bincount(cat.fam, cat.price[: cat.n_finished] * dem.future[: cat.n_finished])
    price = sales / np.maximum(np.bincount(cat.fam, dem.future[: cat.n_finished]), 1e-9)
    out: list[tuple[str, dt.date, dt.date, str | None, str | None, float, float]] = []
    for shift in (-1, 0, 1):
        start, end = _quarter(as_of, shift)
        fam_units = np.bincount(cat.fam, _expected_units(dem, start, end))
        for a, name in enumerate(people.aes):
            for f in np.argsort(-units[a], kind="stable")[:2].tolist():
                target = float(max(1.0, round(fam_units[f] * share[a, f] * stretch[a])))
                revenue = float(round(target * price[f], -2))
                out.append((name, start, end, None, cat.family_names[f], target, revenue))
    # Launch targets for the newest products.
    start, end = _quarter(as_of, 0)
    expected = _expected_units(dem, start, end)
    newest = np.argsort(-dem.launch, kind="stable")[:3].tolist()
    for j, s in enumerate(newest):
        target = float(max(1.0, round(expected[s] * 1.3)))
        out.append((people.aes[j % len(people.aes)], start, end, cat.skus[s], None, target,
                    float(round(target * cat.price[s], -2))))  # fmt: skip
    cols = (
        "owner",
        "period_start",
        "period_end",
        "sku",
        "family",
        "target_units",
        "target_revenue",
    )
    return _table("quotas", len(out), {c: [r[i] for r in out] for i, c in enumerate(cols)})


def _stock(
    rng: np.random.Generator, cat: _Catalog, dem: _Demand, size: _Size, as_of: dt.date
) -> dict[str, tuple[Row, ...]]:
    """Stock on hand, scheduled receipts and the planners' forecast overrides."""
    n, n_fin = len(cat.skus), cat.n_finished
    rate = dem.future
    cover = np.where(np.arange(n) < n_fin, rng.uniform(0, 6, n), rng.uniform(2, 8, n))
    on_hand = np.where(rng.random(n) < 0.1, 0.0, np.round(rate * cover))
    inventory = _table("inventory", n, {"sku": cat.skus, "on_hand": on_hand.tolist()})
    made = np.arange(n) < n_fin + cat.n_made
    chance = np.where(made, 0.3, 0.65) * cat.active
    has = np.flatnonzero(rng.random(n) < chance)
    has = np.concatenate([has, has[rng.random(len(has)) < 0.3 * ~made[has]]])  # a second PO
    days = np.where(made[has], rng.integers(2, 36, len(has)), rng.integers(3, 61, len(has)))
    want = rate[has] * rng.uniform(2, 4, len(has))
    qty = np.maximum(1, np.ceil(want / cat.lot[has])) * cat.lot[has]
    order = np.lexsort((has, days))
    seq = {"MO": 0, "PO": 0}
    ids = []
    for j in order.tolist():
        kind = "MO" if made[has[j]] else "PO"
        seq[kind] += 1
        ids.append(f"{kind}-{seq[kind]:06d}")
    supply = _table(
        "supply",
        len(ids),
        {
            "supply_id": ids,
            "sku": [cat.skus[has[j]] for j in order.tolist()],
            "quantity": qty[order].tolist(),
            "date": _dates(as_of, days[order]),
        },
    )
    return {
        "inventory": inventory,
        "supply": supply,
        "forecast": _forecast(rng, cat, dem, size, as_of),
    }


def _forecast(
    rng: np.random.Generator, cat: _Catalog, dem: _Demand, size: _Size, as_of: dt.date
) -> tuple[Row, ...]:
    """Sales expects a push on a few runners: monthly cells above the statistical trend."""
    n_fin = cat.n_finished
    steady = np.flatnonzero(~dem.intermittent & cat.active[:n_fin])
    runners = steady[np.argsort(-dem.future[steady], kind="stable")][: max(1, len(steady) // 4)]
    skus = np.sort(rng.choice(runners, size.forecast_skus, replace=False))
    first = (as_of.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    sku, start, end, qty = [], [], [], []
    for _ in range(6):
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        expected = _expected_units(dem, first, last)[skus] * rng.uniform(1.1, 1.35, len(skus))
        for s, q in zip(skus.tolist(), np.round(expected).tolist(), strict=True):
            sku.append(cat.skus[s])
            start.append(first)
            end.append(last)
            qty.append(float(q))
        first = last + dt.timedelta(days=1)
    order = sorted(range(len(sku)), key=lambda j: (sku[j], start[j]))
    return _table(
        "forecast",
        len(sku),
        {
            "sku": [sku[j] for j in order],
            "period_start": [start[j] for j in order],
            "period_end": [end[j] for j in order],
            "quantity": [qty[j] for j in order],
        },
    )


def _settings(cat: _Catalog, dem: _Demand, as_of: dt.date) -> tuple[Row, ...]:
    """Operating expense is set so the company earns a modest profit in an average week."""
    n = cat.n_finished
    throughput = float((dem.future[:n] * (cat.price[:n] - cat.cost[:n])).sum())
    values = {
        "as_of": as_of.isoformat(),
        "company": COMPANY,
        "currency": "EUR",
        "period": "month",
        "operating_expense_per_week": f"{round(throughput * 0.8, -3):.0f}",
        "weight_throughput_per_constraint_minute": "0.30",
        "weight_throughput_per_year": "0.25",
        "weight_growth": "0.15",
        "weight_on_time_payment": "0.10",
        "weight_shared_vision": "0.08",
        "weight_values": "0.07",
        "weight_co_development": "0.05",
    }
    return _table("settings", len(values), {"key": list(values), "value": list(values.values())})
