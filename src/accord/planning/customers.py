"""Best customers (SPEC §5.5): a weighted checklist, tiers A/B/C and the reasons.

Criteria per customer, each normalised to 0..1 across customers (min–max: the lowest value
scores 0, the highest 1; 1 for all when every customer has the same value):

- ``throughput_per_constraint_minute``: throughput ÷ constraint minutes of the customer's
  orders (not cancelled, due from 12 months before the as-of date on); orders that take no
  constraint time at all score 1 (best money: the constraint does not limit them);
- ``throughput_per_year``: throughput of its orders due in the 12 months before as-of (from
  ``demand_history`` rows that name a customer when the dataset has no orders);
- ``growth``: that throughput against the 12 months before, ``(last − before) ÷ before``,
  limited to −100 % .. +200 % before normalising so one jump from a tiny base does not flatten
  everyone else; a customer new in the last 12 months counts as +200 %; left out for all
  when the data does not reach back two years;
- every checklist column of ``customers`` (0–5 scores, e.g. ``shared_vision``, ``values``,
  ``on_time_payment``); a blank cell leaves the criterion out for that customer.

A customer without orders scores 0 on the quantitative criteria (no business is no evidence
of best money), while a blank checklist cell is left out of its mean.

Weights: 1 for every criterion, unless settings ``weight_<criterion>`` gives one; the caller
may override any. Score = weighted mean of the normalised criteria the customer has (the
weights of the missing ones are left out of the mean). Tiers by rank: the top 20 % (rounded
up) are A, the next 30 % B, the rest C. Reasons: the two criteria that add most to the score,
and the weakest one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.domain.snapshot import FloatArray, Snapshot

TCU = "throughput_per_constraint_minute"
PER_YEAR = "throughput_per_year"
GROWTH = "growth"
QUANTITATIVE = (TCU, PER_YEAR, GROWTH)
GROWTH_RANGE = (-1.0, 2.0)
A_SHARE, B_SHARE = 0.2, 0.3
YEAR = dt.timedelta(days=365)


def _years_before(day: dt.date, years: int) -> dt.date:
    """``years`` × 365 days before ``day``, or the first date there is (an as-of in year 1)."""
    return day - years * YEAR if day - dt.date.min >= years * YEAR else dt.date.min


@dataclass(frozen=True, slots=True)
class CustomerScore:
    customer: str
    name: str
    score: float
    tier: str
    reasons: list[str]
    values: dict[str, float | None]  # raw value per criterion (None: unknown / no limit)
    normalised: dict[str, float]  # the criteria the customer has

    def to_json(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "name": self.name,
            "score": round(self.score, 4),
            "tier": self.tier,
            "reasons": self.reasons,
            "criteria": {
                c: {
                    "value": None if v is None or not math.isfinite(v) else round(v, 4),
                    "normalised": (round(self.normalised[c], 4) if c in self.normalised else None),
                }
                for c, v in self.values.items()
            },
        }


@dataclass(frozen=True, eq=False)
class CustomerRanking:
    as_of: dt.date
    weights: dict[str, float]
    customers: list[CustomerScore]  # best first
    constraint: str | None = None
    notes: list[str] = field(default_factory=list)

    def tier(self, name: str) -> list[CustomerScore]:
        return [c for c in self.customers if c.tier == name]

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "constraint": self.constraint,
            "weights": self.weights,
            "tiers": {"A": A_SHARE, "B": B_SHARE, "C": round(1 - A_SHARE - B_SHARE, 4)},
            "customers": [c.to_json() for c in self.customers],
            "notes": self.notes,
        }

    def __str__(self) -> str:
        lines = [
            f"Best customers as of {self.as_of} (constraint {self.constraint or 'none'}); "
            "weights: " + ", ".join(f"{c} {w:g}" for c, w in self.weights.items()),
            "",
            f"{'tier':<5}{'customer':<14}{'name':<28}{'score':>7}  reasons",
        ]
        for c in self.customers:
            lines.append(
                f"{c.tier:<5}{c.customer:<14}{c.name[:27]:<28}{c.score:>7.3f}  "
                + "; ".join(c.reasons)
            )
        lines += [f"note: {n}" for n in self.notes]
        return "\n".join(lines)


def criteria_of(snap: Snapshot) -> list[str]:
    """The criteria this company's data can give: quantitative, then checklist columns."""
    checklist = sorted({name for c in snap.customers for name in c.checklist})
    return [*QUANTITATIVE, *(c for c in checklist if c not in QUANTITATIVE)]


def resolve_weights(
    snap: Snapshot, overrides: Mapping[str, float] | None = None
) -> dict[str, float]:
    """1 per criterion, then settings ``weight_<criterion>``, then ``overrides``."""
    names = criteria_of(snap)
    weights = {c: float(snap.settings.weights.get(c, 1.0)) for c in names}
    for criterion, value in (overrides or {}).items():
        if criterion not in weights:
            raise ValueError(f"weight: unknown criterion {criterion!r}; known: {', '.join(names)}")
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"weight {criterion} must be a number >= 0, got {value!r}")
        weights[criterion] = float(value)
    if not any(w > 0 for w in weights.values()):
        raise ValueError("weights: at least one criterion needs a weight above 0")
    return weights


def _throughput_by_customer(
    snap: Snapshot, since: dt.date, until: dt.date | None, minutes: FloatArray | None
) -> tuple[dict[str, float], dict[str, float]]:
    """Throughput and constraint minutes per customer of non-cancelled orders due in
    ``since <= due < until`` (no upper limit when ``until`` is None)."""
    throughput: dict[str, float] = {}
    used: dict[str, float] = {}
    if snap.orders:
        for order in snap.orders:
            if order.status == "cancelled" or order.due_date < since:
                continue
            if until is not None and order.due_date >= until:
                continue
            i = snap.sku_index[order.sku]
            throughput[order.customer] = throughput.get(order.customer, 0.0) + (
                order.quantity * float(snap.throughput_per_unit[i])
            )
            if minutes is not None:
                used[order.customer] = used.get(order.customer, 0.0) + (
                    order.quantity * float(minutes[i])
                )
        return throughput, used
    for row in snap.dataset.rows("demand_history"):
        who, day = row.get("customer"), row["date"]
        index = snap.sku_index.get(row["sku"])
        if who and index is not None and since <= day and (until is None or day < until):
            value = float(row["quantity"]) * float(snap.throughput_per_unit[index])
            throughput[who] = throughput.get(who, 0.0) + value
    return throughput, used


def _normalise(values: dict[str, float | None]) -> dict[str, float]:
    finite = [v for v in values.values() if v is not None and math.isfinite(v)]
    if not finite and not any(v == math.inf for v in values.values()):
        return {}
    low, high = (min(finite), max(finite)) if finite else (0.0, 0.0)
    out = {}
    for key, v in values.items():
        if v is None:
            continue
        if v == math.inf:
            out[key] = 1.0
        else:
            out[key] = 1.0 if high <= low else (v - low) / (high - low)
    return out


def _describe(criterion: str, value: float | None) -> str:
    words = criterion.replace("_", " ")
    if value is None:
        return words
    if criterion == TCU:
        text = "no constraint time" if value == math.inf else f"{value:,.2f}/min"
    elif criterion == PER_YEAR:
        text = f"{value:,.0f} a year"
    elif criterion == GROWTH:
        text = f"{value:+.0%}"
    else:
        text = f"{value:g}/5"
    return f"{words} ({text})"


def rank_customers(
    snap: Snapshot,
    constraint_minutes: FloatArray | None,
    weights: Mapping[str, float] | None = None,
    constraint: str | None = None,
) -> CustomerRanking:
    """Score, rank and tier every customer (see the module docstring)."""
    chosen = resolve_weights(snap, weights)
    as_of = snap.as_of
    year_ago, two_years_ago = _years_before(as_of, 1), _years_before(as_of, 2)
    recent_t, _ = _throughput_by_customer(snap, year_ago, as_of, None)
    before_t, _ = _throughput_by_customer(snap, two_years_ago, year_ago, None)
    all_t, all_m = _throughput_by_customer(snap, year_ago, None, constraint_minutes)

    raw: dict[str, dict[str, float | None]] = {c: {} for c in chosen}
    for cust in snap.customers:
        key = cust.customer
        if constraint_minutes is not None and key in all_t:
            m = all_m.get(key, 0.0)
            raw[TCU][key] = all_t[key] / m if m > 0 else math.inf
        else:
            raw[TCU][key] = None
        raw[PER_YEAR][key] = recent_t.get(key, 0.0)
        prior = before_t.get(key, 0.0)
        recent = recent_t.get(key, 0.0)
        raw[GROWTH][key] = (
            None
            if not before_t  # the data does not reach back two years: growth is unknown
            else (recent - prior) / prior
            if prior > 0
            else GROWTH_RANGE[1]
            if recent > 0
            else None
        )
        for criterion in chosen:
            if criterion not in QUANTITATIVE:
                raw[criterion][key] = cust.checklist.get(criterion)

    scaled = {}
    for criterion, values in raw.items():
        if criterion == GROWTH:
            lo, hi = GROWTH_RANGE
            values = {k: None if v is None else min(max(v, lo), hi) for k, v in values.items()}
        scaled[criterion] = _normalise(values)
        if criterion in QUANTITATIVE and (criterion != GROWTH or before_t):
            for cust in snap.customers:
                scaled[criterion].setdefault(cust.customer, 0.0)

    scored = []
    for cust in snap.customers:
        key = cust.customer
        have = {c: scaled[c][key] for c in chosen if key in scaled[c] and chosen[c] > 0}
        total = sum(chosen[c] for c in have)
        score = sum(chosen[c] * n for c, n in have.items()) / total if total > 0 else 0.0
        scored.append((score, key, cust.name, have))
    scored.sort(key=lambda s: (-s[0], s[1]))

    n = len(scored)
    n_a = math.ceil(A_SHARE * n)
    n_b = math.ceil((A_SHARE + B_SHARE) * n) - n_a
    ranking = []
    for rank, (score, key, name, have) in enumerate(scored):
        tier = "A" if rank < n_a else "B" if rank < n_a + n_b else "C"
        strong = sorted(have, key=lambda c: (-chosen[c] * have[c], c))[:2]
        reasons = [f"strong on {_describe(c, raw[c][key])}" for c in strong if have[c] > 0]
        if have:
            weak = min(have, key=lambda c: (have[c], c))
            if weak not in strong and have[weak] < 0.5:
                reasons.append(f"weak on {_describe(weak, raw[weak][key])}")
        ranking.append(
            CustomerScore(
                customer=key,
                name=name,
                score=float(score),
                tier=tier,
                reasons=reasons,
                values={c: raw[c][key] for c in chosen},
                normalised={c: float(v) for c, v in have.items()},
            )
        )
    notes = []
    if constraint_minutes is None:
        notes.append("no constraint in the horizon: throughput per constraint minute is left out")
    if not before_t:
        notes.append("no orders 12 to 24 months before the as-of date: growth is left out")
    return CustomerRanking(as_of, chosen, ranking, constraint, notes)
