"""The demo pipeline: opportunities, their lines, stage history and deal checks."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.demo._base import Array, _dates, _pick_weighted, _Size, _split, _table
from accord.demo._catalog import _Catalog, _Routing
from accord.demo._demand import _Demand
from accord.demo._sales import _Customers, _line_attributes, _People, _pick_skus, _sku_picker
from accord.domain.dataset import Row

_STAGES = (  # name, role, probability, median days in stage
    ("Prospecting", "SDR", 0.05, 6.0),
    ("Qualification", "SDR", 0.10, 8.0),
    ("Needs Analysis", "AE", 0.20, 12.0),
    ("Technical Validation", "Solutions Engineer", 0.40, 15.0),
    ("Proposal", "AE", 0.60, 10.0),
    ("Negotiation", "AE", 0.80, 9.0),
)


# -- pipeline: opportunities, lines, stage history, deal checks -----------------------------


@dataclass(frozen=True)
class _Deals:
    tables: dict[str, tuple[Row, ...]]
    won: dict[str, list[Any]]  # lines of deals won lately, to be booked as orders


@dataclass
class _Path:
    """The stages one deal went through: (stage, owner, role) and the day each began."""

    steps: list[tuple[str, str, str]]
    days: list[int]  # days relative to the as-of date
    minutes: list[int]  # time of day


def _deal_path(
    i: int, r: dict[str, Array], people: _People, ae: int, as_of_open: bool
) -> tuple[_Path, int, int]:
    """Stages of deal ``i``; returns the path, the index of its current stage and hand-offs."""
    sdr = people.sdrs[int(r["sdr"][i])]
    owner = people.aes[ae]
    plan: list[tuple[int, str, str]] = []
    if r["with_sdr"][i]:
        plan += [(0, sdr, "SDR"), (1, sdr, "SDR")]
    else:
        plan.append((1, owner, "AE"))
    plan.append((2, owner, "AE"))
    if r["with_se"][i]:
        plan.append((3, people.engineers[int(r["se"][i])], "Solutions Engineer"))
    plan.append((4, owner, "AE"))
    if not r["skip_neg"][i]:
        plan.append((5, owner, "AE"))
    handoffs = sum(a[1] != b[1] for a, b in itertools.pairwise(plan))
    steps = [(_STAGES[s][0], o, role) for s, o, role in plan]
    if as_of_open:
        current = min(len(plan) - 1, int(len(plan) * r["position"][i] ** 1.2))
        steps = steps[: current + 1]
    elif r["outcome"][i] < max(0.15, 0.62 - 0.09 * handoffs):
        steps.append(("Closed Won", owner, "AE"))
    else:
        steps = [*steps[: int(len(plan) * r["position"][i]) + 1], ("Closed Lost", owner, "AE")]
    # Days in each stage, plus a wait in the queue whenever the deal changes hands.
    gaps = []
    for j in range(len(steps) - 1):
        median = _STAGES[plan[j][0]][3]
        gap = math.ceil(median * r["duration"][i, j])
        if steps[j + 1][1] != steps[j][1]:
            gap += math.ceil(r["wait"][i, j])
            if steps[j + 1][2] == "Solutions Engineer":
                gap += math.ceil(r["queue"][i, j])
        gaps.append(gap)
    last = -int(r["close_ago"][i])
    if as_of_open:
        last = -1 - int(r["elapsed"][i] * 1.5 * _STAGES[plan[len(steps) - 1][0]][3])
    days = [last]
    for gap in reversed(gaps):
        days.insert(0, days[0] - gap)
    minutes = r["minute"][i, : len(steps)].tolist()
    return _Path(steps, days, minutes), len(steps) - 1, handoffs


def _deals(
    rng: np.random.Generator,
    cat: _Catalog,
    dem: _Demand,
    crm: _Customers,
    people: _People,
    routing: _Routing,
    size: _Size,
    as_of: dt.date,
) -> _Deals:
    open_counts = _split(rng, size.open_deal_lines, 2.0, 5)
    closed_counts = _split(rng, size.closed_deal_lines, 2.0, 5)
    n_open = len(open_counts)
    n = n_open + len(closed_counts)
    customer = _pick_weighted(rng, crm.weight**0.7, n)
    ae = crm.owner[customer]
    r = {
        "sdr": rng.integers(0, len(people.sdrs), n),
        "se": rng.integers(0, len(people.engineers), n),
        "with_sdr": rng.random(n) < 0.6,
        "with_se": rng.random(n) < 0.55,
        "skip_neg": rng.random(n) < 0.2,
        "position": rng.random(n),
        "outcome": rng.random(n),
        "duration": rng.lognormal(0.0, 0.6, (n, 8)),
        "wait": rng.lognormal(math.log(3.0), 0.7, (n, 8)),
        "queue": rng.lognormal(math.log(5.0), 0.6, (n, 8)),
        "close_ago": rng.integers(1, 451, n),
        "elapsed": rng.random(n),
        "minute": rng.integers(8 * 60, 18 * 60, (n, 8)),
    }
    ahead = rng.uniform(0.6, 1.5, n)
    wanted = rng.integers(14, 71, n)
    paths: list[_Path] = []
    current: list[int] = []
    for i in range(n):
        path, cur, _ = _deal_path(i, r, people, int(ae[i]), i < n_open)
        paths.append(path)
        current.append(cur)
    created = np.array([p.days[0] for p in paths])
    order = np.argsort(created, kind="stable")
    ids = [""] * n
    for rank, i in enumerate(order.tolist()):
        ids[i] = f"OPP-{rank + 100001}"
    stage = [p.steps[-1][0] for p in paths]
    close = np.array([p.days[-1] for p in paths])
    remaining = np.array(
        [sum(_STAGES[s][3] for s in range(4, 6)) * (1 if c < 4 else 0.5) for c in current]
    )
    close[:n_open] = np.maximum(7, (remaining[:n_open] + 20) * ahead[:n_open]).astype(int)
    requested = close + wanted
    probability = [
        1.0 if s == "Closed Won" else 0.0 if s == "Closed Lost" else _stage_probability(s)
        for s in stage
    ]
    owner = [p.steps[-1][1] if p.steps[-1][2] == "SDR" else people.aes[int(a)]
             for p, a in zip(paths, ae, strict=True)]  # fmt: skip
    opportunities = _table(
        "opportunities",
        n,
        {
            "opportunity_id": ids,
            "customer": [crm.ids[c] for c in customer.tolist()],
            "owner": owner,
            "stage": stage,
            "probability": probability,
            "close_date": _dates(as_of, close),
            "requested_date": _dates(as_of, requested),
            "created_date": _dates(as_of, created),
        },
    )
    history = _stage_history(paths, ids, order, as_of)
    counts = np.concatenate([open_counts, closed_counts])
    lines, info = _deal_lines(
        rng, cat, dem, crm, routing, customer, counts, n_open, ids, requested, as_of
    )
    checks, checked = _checks(rng, people, ae, paths, ids, requested, n_open, as_of)
    # Deals won in the last ten months became orders (shipped by now, or still open).
    recent = np.array([st == "Closed Won" for st in stage]) & (close >= -300)
    pick = np.flatnonzero(recent[info["deal"]]).tolist()
    won = {key: [values[j] for j in pick] for key, values in info.items()}
    won["owner"] = [people.aes[int(ae[d])] for d in won["deal"]]
    won["check"] = [checked.get(ids[d]) for d in won["deal"]]
    return _Deals(
        {
            "opportunities": tuple(opportunities[i] for i in order.tolist()),
            "opportunity_lines": lines,
            "stage_history": history,
            "checks": checks,
        },
        won,
    )


def _stage_probability(stage: str) -> float:
    return next(p for name, _, p, _ in _STAGES if name == stage)


def _stamp(as_of: dt.date, day: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(as_of + dt.timedelta(days=day), dt.time(minute // 60, minute % 60))


def _stage_history(
    paths: list[_Path], ids: list[str], order: Array, as_of: dt.date
) -> tuple[Row, ...]:
    opp, stage, owner, role, minutes = [], [], [], [], []
    for i in order.tolist():
        p = paths[i]
        for (name, who, job), day, minute in zip(p.steps, p.days, p.minutes, strict=True):
            opp.append(ids[i])
            stage.append(name)
            owner.append(who)
            role.append(job)
            minutes.append(day * 1440 + minute)
    at: list[dt.datetime] = (np.datetime64(as_of, "m") + np.array(minutes)).tolist()
    return _table(
        "stage_history",
        len(opp),
        {"opportunity_id": opp, "stage": stage, "entered_at": at, "owner": owner, "role": role},
    )


def _deal_lines(
    rng: np.random.Generator,
    cat: _Catalog,
    dem: _Demand,
    crm: _Customers,
    routing: _Routing,
    customer: Array,
    counts: Array,
    n_open: int,
    ids: list[str],
    requested: Array,
    as_of: dt.date,
) -> tuple[tuple[Row, ...], dict[str, list[Any]]]:
    """Lines of every deal; the open pipeline holds about 12 weeks of demand."""
    deal = np.repeat(np.arange(len(counts)), counts)
    m = len(deal)
    line_no = np.arange(m) - np.repeat(np.cumsum(counts) - counts, counts) + 1
    cust = customer[deal]
    families = crm.families[cust, rng.integers(0, 3, m)]
    sku = _pick_skus(rng, cat, _sku_picker(cat, dem), families)
    rate = dem.future[sku]
    shape = rate**0.4 * rng.lognormal(0.0, 0.7, m)
    is_open = deal < n_open
    k = 12 * dem.future[: cat.n_finished].sum() / shape[is_open].sum()
    qty = np.maximum(1.0, np.round(k * shape))
    discount = rng.uniform(0.0, 0.18, len(counts))[deal]
    price = np.round(cat.price[sku] * (1 - discount), 2)
    line_requested = requested[deal] + rng.choice([0, 0, 0, 7, 14, 28], m)
    country = [crm.country[c] for c in cust.tolist()]
    attrs = _line_attributes(rng, cat, routing.painted, sku, country, 0.0)
    breaking = _line_attributes(rng, cat, routing.painted, sku, country, 0.05)
    attrs = [b if o else a for a, b, o in zip(attrs, breaking, is_open.tolist(), strict=True)]
    dates = _dates(as_of, line_requested)
    rows = _table(
        "opportunity_lines",
        m,
        {
            "opportunity_id": [ids[d] for d in deal.tolist()],
            "line": line_no.tolist(),
            "sku": [cat.skus[s] for s in sku.tolist()],
            "quantity": qty.tolist(),
            "unit_price": price.tolist(),
            "requested_date": dates,
        },
        attrs,
    )
    info: dict[str, Any] = {
        "opportunity_id": [ids[d] for d in deal.tolist()],
        "customer": cust,
        "sku": sku,
        "quantity": qty,
        "requested": line_requested,
        "attributes": attrs,
        "deal": deal,
    }
    return tuple(sorted(rows, key=lambda x: (x["opportunity_id"], x["line"]))), info


def _checks(
    rng: np.random.Generator,
    people: _People,
    ae: Array,
    paths: list[_Path],
    ids: list[str],
    requested: Array,
    n_open: int,
    as_of: dt.date,
) -> tuple[tuple[Row, ...], dict[str, tuple[str, int]]]:
    """Deal checks run before closing, by reps who adopt the habit (more so lately)."""
    n = len(paths)
    u, lag, minute = rng.random(n), rng.integers(1, 11, n), rng.integers(9 * 60, 17 * 60, n)
    late = rng.random(n) < 0.3
    early_by, late_by = rng.integers(0, 11, n), rng.integers(3, 36, n)
    found: list[tuple[dt.datetime, int, str, int]] = []
    for i, p in enumerate(paths):
        stage = p.steps[-1][0]
        recency = 0.4 + 0.6 * max(0.0, 1.0 + p.days[-1] / 450)
        chance = people.adoption[int(ae[i])] * recency
        if stage == "Closed Lost":
            chance *= 0.6
        elif i < n_open:
            chance = 0.8 * chance if stage in ("Proposal", "Negotiation") else 0.0
        if u[i] >= chance:
            continue
        day = max(p.days[0], (p.days[-1] if i >= n_open else 0) - int(lag[i]))
        earliest = int(requested[i]) + (int(late_by[i]) if late[i] else -int(early_by[i]))
        verdict = "late" if late[i] else "on_time"
        found.append((_stamp(as_of, day, int(minute[i])), i, verdict, earliest))
    found.sort()
    rows = _table(
        "checks",
        len(found),
        {
            "check_id": [f"CHK-{k + 1:06d}" for k in range(len(found))],
            "opportunity_id": [ids[i] for _, i, _, _ in found],
            "checked_at": [at for at, _, _, _ in found],
            "checked_by": [people.aes[int(ae[i])] for _, i, _, _ in found],
            "verdict": [v for _, _, v, _ in found],
            "earliest_date": [as_of + dt.timedelta(days=e) for _, _, _, e in found],
            "requested_date": [
                as_of + dt.timedelta(days=int(requested[i])) for _, i, _, _ in found
            ],
        },
    )
    return rows, {ids[i]: (v, e) for _, i, v, e in found}
