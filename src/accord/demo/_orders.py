"""The demo order book: past and open orders and the deliveries against them."""

from __future__ import annotations

import datetime as dt
import operator
from typing import Any

import numpy as np

from accord.demo._base import _SEASON, _pick_weighted, _Size, _split, _table
from accord.demo._catalog import _Catalog, _Routing
from accord.demo._demand import _Demand
from accord.demo._sales import _Customers, _line_attributes, _People, _pick_skus, _sku_picker
from accord.domain.dataset import Row

# -- orders and deliveries -----------------------------------------------------------------

_NO_DATE = -(10**6)  # an order line without a promised date


def _orders(
    rng: np.random.Generator,
    cat: _Catalog,
    dem: _Demand,
    crm: _Customers,
    people: _People,
    routing: _Routing,
    won: dict[str, list[Any]],
    size: _Size,
    as_of: dt.date,
) -> dict[str, tuple[Row, ...]]:
    """Past (shipped, cancelled) and open orders; the open book holds ~9 weeks of demand."""
    won_open = sum(1 for d in won["requested"] if d >= -7)
    k = _line_scale(cat, dem, size.open_order_lines)
    past = _order_book(rng, cat, dem, crm, routing, size.past_order_lines, k, past=True)
    book = _order_book(rng, cat, dem, crm, routing, size.open_order_lines - won_open, k, past=False)
    linked = _won_orders(rng, won)
    lines = {key: past[key] + linked[key] + book[key] for key in past}
    # Order numbers rise with the due date, as an ERP would have issued them.
    first_due: dict[Any, int] = {}
    for h, d in zip(lines["header"], lines["due"], strict=True):
        first_due[h] = min(d, first_due.get(h, d))
    headers = sorted(first_due, key=lambda h: (first_due[h], h))
    rank = {h: i for i, h in enumerate(headers)}
    number = np.array([rank[h] for h in lines["header"]])
    order = np.lexsort((np.array(lines["line"]), number)).tolist()
    take = operator.itemgetter(*order)
    col = {key: list(take(values)) for key, values in lines.items()}
    day = {d: as_of + dt.timedelta(days=d) for d in {*col["due"], *col["promised"]} - {_NO_DATE}}
    rows = _table(
        "orders",
        len(order),
        {
            "order_id": [f"SO-{100001 + i}" for i in take(number.tolist())],
            "line": col["line"],
            "customer": [crm.ids[c] for c in col["customer"]],
            "sku": [cat.skus[s] for s in col["sku"]],
            "quantity": col["quantity"],
            "due_date": [day[d] for d in col["due"]],
            "promised_date": [day.get(d) for d in col["promised"]],
            "priority": col["priority"],
            "status": col["status"],
            "owner": [people.aes[int(crm.owner[c])] for c in col["customer"]],
            "opportunity_id": col["opportunity_id"],
        },
        col["attributes"],
    )
    painted = [bool(routing.painted[s]) for s in col["sku"]]
    deliveries = _deliveries(rng, rows, painted, col["checked"], as_of)
    return {"orders": rows, "deliveries": deliveries}


def _line_scale(cat: _Catalog, dem: _Demand, lines: int) -> float:
    """Units per line per (weekly rate ** 0.4) so that ``lines`` lines carry 9 weeks of demand."""
    w = dem.future[: cat.n_finished] * cat.active[: cat.n_finished]
    p = w**0.6 / (w**0.6).sum()
    return float(9 * w.sum() / (lines * (p * w**0.4).sum()))


def _order_book(
    rng: np.random.Generator,
    cat: _Catalog,
    dem: _Demand,
    crm: _Customers,
    routing: _Routing,
    n_lines: int,
    k: float,
    past: bool,
) -> dict[str, list[Any]]:
    """Order lines of random orders: the past year's (shipped or cancelled), or open ones."""
    counts = _split(rng, n_lines, 2.2, 6)
    h = len(counts)
    customer = _pick_weighted(rng, crm.weight, h)
    if past:
        # Growing customers order more lately, shrinking ones less.
        due = -(7 + (358 * rng.beta(1.0, crm.recency[customer])).astype(int))
        status = np.where(rng.random(h) < 0.06, "cancelled", "shipped")
        promised_share = 0.9
    else:
        due = np.select(
            [rng.random(h) < 0.08, rng.random(h) < 0.65],
            [-rng.integers(1, 29, h), rng.integers(0, 43, h)],
            rng.integers(42, 181, h),
        )
        status = np.full(h, "open")
        promised_share = 0.8
    slip = rng.choice([0, 0, 0, 0, 0, 3, 5, 7, 14], h)
    promised = np.where(rng.random(h) < promised_share, due + slip, _NO_DATE)
    priority = rng.choice([1, 2, 3, 4, 5], h, p=[0.08, 0.17, 0.6, 0.1, 0.05])
    header = np.repeat(np.arange(h), counts)
    m = len(header)
    line = np.arange(m) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    cust = customer[header]
    sku = _pick_skus(rng, cat, _sku_picker(cat, dem), crm.families[cust, rng.integers(0, 3, m)])
    qty = np.maximum(1.0, np.round(k * dem.future[sku] ** 0.4 * rng.lognormal(0.0, 0.5, m)))
    later = rng.choice([0, 0, 0, 0, 0, 0, 7, 14], m)  # some lines are wanted a bit later
    country = [crm.country[c] for c in cust.tolist()]
    attrs = _line_attributes(rng, cat, routing.painted, sku, country, 0.005 if past else 0.04)
    tag = "past" if past else "open"
    return {
        "header": [(tag, int(x)) for x in header.tolist()],
        "line": line.tolist(),
        "customer": cust.tolist(),
        "sku": sku.tolist(),
        "quantity": qty.tolist(),
        "due": (due[header] + later).tolist(),
        "promised": np.where(
            promised[header] == _NO_DATE, _NO_DATE, promised[header] + later
        ).tolist(),
        "priority": priority[header].tolist(),
        "status": status[header].tolist(),
        "opportunity_id": [None] * m,
        "attributes": attrs,
        "checked": [False] * m,
    }


def _won_orders(rng: np.random.Generator, won: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """One order per won deal; a checked deal is promised the date the check gave."""
    m = len(won["deal"])
    slip = rng.choice([0, 0, 0, 7], m).tolist()
    due = [int(d) for d in won["requested"]]
    promised = [
        max(d, check[1]) if check else d + s
        for d, s, check in zip(due, slip, won["check"], strict=True)
    ]
    line: list[int] = []
    for j, deal in enumerate(won["deal"]):
        line.append(line[-1] + 1 if j and won["deal"][j - 1] == deal else 1)
    return {
        "header": [("won", int(d)) for d in won["deal"]],
        "line": line,
        "customer": [int(c) for c in won["customer"]],
        "sku": [int(s) for s in won["sku"]],
        "quantity": [float(q) for q in won["quantity"]],
        "due": due,
        "promised": promised,
        "priority": [2] * m,
        "status": ["shipped" if d < -7 else "open" for d in due],
        "opportunity_id": won["opportunity_id"],
        "attributes": [dict(a) for a in won["attributes"]],
        "checked": [c is not None for c in won["check"]],
    }


def _deliveries(
    rng: np.random.Generator,
    orders: tuple[Row, ...],
    painted: list[bool],
    checked: list[bool],
    as_of: dt.date,
) -> tuple[Row, ...]:
    """Shipments: late more often for painted goods in the spring peak, less after a check.

    Some lines ship in two parts, a few short; overdue open lines are partly shipped.
    """
    n = len(orders)
    u, late_by = rng.random((n, 4)), 1 + rng.geometric(0.25, n)
    early_by = rng.choice([0, 0, 0, 1, 2, 3], n)
    share, gap = rng.uniform(0.4, 0.85, n), rng.integers(3, 22, n)
    yesterday = as_of - dt.timedelta(days=1)
    oid, line, day, qty = [], [], [], []
    for j, row in enumerate(orders):
        q = row["quantity"]
        target = row["promised_date"] or row["due_date"]
        if row["status"] == "shipped":
            peak = _SEASON[target.month - 1] >= 1.15
            p_late = 0.12 + (0.25 if painted[j] and peak else 0.0) - (0.08 if checked[j] else 0)
            delta = int(late_by[j]) if u[j, 0] < p_late else -int(early_by[j])
            first = min(target + dt.timedelta(days=delta), yesterday)
            parts = [(first, q)]
            if q >= 2 and u[j, 1] < 0.09:  # two shipments
                done = float(max(1, int(q * share[j])))
                parts = [
                    (first, done),
                    (min(first + dt.timedelta(days=int(gap[j])), yesterday), q - done),
                ]
            elif q >= 2 and u[j, 2] < 0.02:  # short shipment, never completed
                parts = [(first, float(max(1, int(q * share[j]))))]
        elif row["status"] == "open" and row["due_date"] < as_of and q >= 2 and u[j, 3] < 0.3:
            when = min(row["due_date"] + dt.timedelta(days=int(early_by[j])), yesterday)
            parts = [(when, float(max(1, int(q * share[j] * 0.7))))]
        else:
            continue
        for when, amount in parts:
            oid.append(row["order_id"])
            line.append(row["line"])
            day.append(when)
            qty.append(amount)
    return _table(
        "deliveries",
        len(oid),
        {"order_id": oid, "line": line, "delivered_date": day, "quantity": qty},
    )
