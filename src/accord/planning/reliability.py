"""Reliability and adoption: do we keep our promises, and do reps check before they close
(SPEC §5.9).

- **Measured lines**: order lines not cancelled whose commit date (promised date, else due
  date) is on or before the as-of date. Deliveries after the as-of date are not yet known.
- **OTIF** of a line: the delivered quantity on or before the commit date covers the ordered
  quantity. A line's **days late**: from the commit date to the day deliveries covered the
  quantity, or to the as-of date while they still do not (0 when on time).
- **Quoted vs actual lead time** per product, for lines of orders linked to a won deal with
  a close date (orders carry no creation date, so the deal's close is when the promise was
  made): quoted = commit date − close date; actual = the day the quantity was covered −
  close date (lines not yet covered are left out). The **learned lead time** is the 85th
  percentile of actual, which the promise engine may use as a floor.
- **Adoption**: a won deal is *checked* when a deal check (``checks``) was made on or before
  its close date; shares of won deals and of their value (sum of its lines), per rep and per
  close month; and the OTIF of the order lines linked to checked vs unchecked won deals.

Quantiles interpolate linearly between order statistics (numpy's default).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.domain.dataset import Row
from accord.domain.sales import Opportunity, OpportunityLine, Order

LATENESS_BUCKETS = ((0, 0), (1, 3), (4, 7), (8, 14), (15, 30), (31, None))
LEARNED_PERCENTILE = 85.0


@dataclass(frozen=True, slots=True)
class Delivery:
    order_id: str
    line: int
    delivered_date: dt.date
    quantity: float

    @classmethod
    def from_row(cls, row: Row) -> Delivery:
        line = row.get("line")
        return cls(
            str(row["order_id"]),
            1 if line is None else int(line),
            row["delivered_date"],
            float(row["quantity"]),
        )


@dataclass(frozen=True, slots=True)
class Check:
    opportunity_id: str
    checked_at: dt.datetime

    @classmethod
    def from_row(cls, row: Row) -> Check:
        at = row["checked_at"]
        if not isinstance(at, dt.datetime):
            at = dt.datetime.combine(at, dt.time())
        return cls(str(row["opportunity_id"]), at)


@dataclass(frozen=True, slots=True)
class LineOutcome:
    """One measured order line: on time in full or not, and days late."""

    order: Order
    otif: bool
    days_late: int
    covered_on: dt.date | None  # the day deliveries covered the quantity


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    lines: int
    otif_lines: int
    mean_days_late: float

    @property
    def otif(self) -> float:
        return self.otif_lines / self.lines if self.lines else 0.0

    def to_json(self, name: str) -> dict[str, Any]:
        return {
            name: self.key,
            "lines": self.lines,
            "otif": round(self.otif, 4),
            "mean_days_late": round(self.mean_days_late, 2),
        }


@dataclass(frozen=True, slots=True)
class LeadTime:
    sku: str
    lines: int
    quoted_days: float  # mean
    actual_days: float  # mean
    learned_days: float  # 85th percentile of actual

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "lines": self.lines,
            "quoted_days": round(self.quoted_days, 2),
            "actual_days": round(self.actual_days, 2),
            "learned_days": round(self.learned_days, 2),
        }


@dataclass(frozen=True, slots=True)
class AdoptionGroup:
    key: str
    won: int
    checked: int
    value: float
    checked_value: float

    def to_json(self, name: str) -> dict[str, Any]:
        return {
            name: self.key,
            "won": self.won,
            "checked": self.checked,
            "checked_share": _share(self.checked, self.won),
            "checked_value_share": _share(self.checked_value, self.value),
        }


@dataclass(frozen=True, slots=True)
class Adoption:
    total: AdoptionGroup
    by_rep: tuple[AdoptionGroup, ...]
    by_month: tuple[AdoptionGroup, ...]
    otif_checked: Group
    otif_unchecked: Group

    def to_json(self) -> dict[str, Any]:
        return {
            "won_deals": self.total.won,
            "checked_deals": self.total.checked,
            "checked_share": _share(self.total.checked, self.total.won),
            "checked_value_share": _share(self.total.checked_value, self.total.value),
            "by_rep": [g.to_json("owner") for g in self.by_rep],
            "by_month": [g.to_json("month") for g in self.by_month],
            "otif_checked": self.otif_checked.to_json("deals"),
            "otif_unchecked": self.otif_unchecked.to_json("deals"),
        }


@dataclass(frozen=True, slots=True)
class ReliabilityReport:
    as_of: dt.date
    overall: Group
    by_product: tuple[Group, ...]
    by_customer: tuple[Group, ...]
    by_rep: tuple[Group, ...]
    by_month: tuple[Group, ...]
    lateness: tuple[tuple[str, int], ...]  # bucket label -> lines
    late_median: float | None
    late_p90: float | None
    lead_times: tuple[LeadTime, ...]
    adoption: Adoption

    @property
    def learned_lead_times(self) -> dict[str, float]:
        """sku -> learned lead time in days, for the promise engine's floor."""
        return {t.sku: t.learned_days for t in self.lead_times}

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "otif": round(self.overall.otif, 4),
            "lines_measured": self.overall.lines,
            "by_product": [g.to_json("sku") for g in self.by_product],
            "by_customer": [g.to_json("customer") for g in self.by_customer],
            "by_rep": [g.to_json("owner") for g in self.by_rep],
            "by_month": [g.to_json("month") for g in self.by_month],
            "lateness": {
                "histogram": [{"days": label, "lines": n} for label, n in self.lateness],
                "late_median_days": self.late_median,
                "late_p90_days": self.late_p90,
            },
            "lead_times": [t.to_json() for t in self.lead_times],
            "learned_lead_times": [
                {"sku": t.sku, "days": round(t.learned_days, 2)} for t in self.lead_times
            ],
            "adoption": self.adoption.to_json(),
        }

    def __str__(self) -> str:
        a = self.adoption
        lines = [
            f"Reliability as of {self.as_of}: OTIF {self.overall.otif:.0%} of "
            f"{self.overall.lines} order lines due; late lines: median "
            f"{_fmt(self.late_median)} days, p90 {_fmt(self.late_p90)} days",
            "lateness: " + ", ".join(f"{label} d: {n}" for label, n in self.lateness),
            "",
            f"{'rep':<22} {'lines':>6} {'OTIF':>6}",
            *(f"{g.key[:22]:<22} {g.lines:>6} {g.otif:>6.0%}" for g in self.by_rep),
            "",
            "worst products: "
            + ", ".join(f"{g.key} {g.otif:.0%}" for g in sorted(self.by_product, key=_worst)[:5]),
            f"learned lead times: {len(self.lead_times)} products",
            "",
            f"adoption: {_share(a.total.checked, a.total.won):.0%} of {a.total.won} won deals "
            f"({_share(a.total.checked_value, a.total.value):.0%} of value) checked before close;"
            f" OTIF checked {a.otif_checked.otif:.0%} ({a.otif_checked.lines} lines) vs "
            f"unchecked {a.otif_unchecked.otif:.0%} ({a.otif_unchecked.lines} lines)",
            *(
                f"  {g.key[:22]:<22} {g.checked}/{g.won} checked ({_share(g.checked, g.won):.0%})"
                for g in a.by_rep
            ),
        ]
        return "\n".join(lines)


def reliability_report(
    orders: Iterable[Order],
    deliveries: Iterable[Delivery],
    opportunities: Iterable[Opportunity],
    lines_by_opportunity: Mapping[str, Sequence[OpportunityLine]],
    checks: Iterable[Check],
    as_of: dt.date,
) -> ReliabilityReport:
    """OTIF, lateness, lead times and adoption of the deal check at ``as_of``."""
    shipped: dict[tuple[str, int], list[tuple[dt.date, float]]] = defaultdict(list)
    for d in deliveries:
        if d.delivered_date <= as_of:
            shipped[(d.order_id, d.line)].append((d.delivered_date, d.quantity))
    outcomes = [
        outcome(order, shipped.get(order.key, []), as_of)
        for order in orders
        if order.status != "cancelled" and order.commit_date <= as_of
    ]
    deals = {o.opportunity_id: o for o in opportunities}
    late = np.array([o.days_late for o in outcomes if o.days_late > 0], dtype=np.float64)
    checked = _checked(deals, checks)
    return ReliabilityReport(
        as_of=as_of,
        overall=_group("all", outcomes),
        by_product=_groups(outcomes, lambda o: o.order.sku),
        by_customer=_groups(outcomes, lambda o: o.order.customer),
        by_rep=_groups(outcomes, lambda o: o.order.owner or "-"),
        by_month=_groups(outcomes, lambda o: o.order.commit_date.strftime("%Y-%m")),
        lateness=_histogram(outcomes),
        late_median=float(np.median(late)) if late.size else None,
        late_p90=float(np.percentile(late, 90)) if late.size else None,
        lead_times=_lead_times(outcomes, deals),
        adoption=_adoption(deals, lines_by_opportunity, checked, outcomes),
    )


def outcome(order: Order, shipped: list[tuple[dt.date, float]], as_of: dt.date) -> LineOutcome:
    """Whether ``order`` was delivered in full by its commit date, and how late it is."""
    covered_on: dt.date | None = None
    total = 0.0
    for day, quantity in sorted(shipped):
        total += quantity
        if total >= order.quantity - 1e-9:
            covered_on = day
            break
    if order.quantity <= 1e-9:  # nothing to deliver: kept by definition
        covered_on = order.commit_date
    end = covered_on or as_of
    days_late = max((end - order.commit_date).days, 0)
    on_time = covered_on is not None and covered_on <= order.commit_date
    return LineOutcome(order, on_time, days_late, covered_on)


def _group(key: str, outcomes: Sequence[LineOutcome]) -> Group:
    n = len(outcomes)
    late = sum(o.days_late for o in outcomes)
    return Group(key, n, sum(1 for o in outcomes if o.otif), late / n if n else 0.0)


def _groups(
    outcomes: Sequence[LineOutcome], key: Callable[[LineOutcome], str]
) -> tuple[Group, ...]:
    grouped: dict[str, list[LineOutcome]] = defaultdict(list)
    for o in outcomes:
        grouped[key(o)].append(o)
    return tuple(_group(k, grouped[k]) for k in sorted(grouped))


def _histogram(outcomes: Sequence[LineOutcome]) -> tuple[tuple[str, int], ...]:
    days = np.array([o.days_late for o in outcomes], dtype=np.int64)
    out: list[tuple[str, int]] = []
    for low, high in LATENESS_BUCKETS:
        label = str(low) if low == high else f"{low}+" if high is None else f"{low}-{high}"
        inside = (days >= low) & (days <= (high if high is not None else np.iinfo(np.int64).max))
        out.append((label, int(inside.sum())))
    return tuple(out)


def _lead_times(
    outcomes: Sequence[LineOutcome], deals: Mapping[str, Opportunity]
) -> tuple[LeadTime, ...]:
    quoted: dict[str, list[float]] = defaultdict(list)
    actual: dict[str, list[float]] = defaultdict(list)
    for o in outcomes:
        deal = deals.get(o.order.opportunity_id or "")
        if deal is None or deal.close_date is None or o.covered_on is None:
            continue
        quoted[o.order.sku].append(float((o.order.commit_date - deal.close_date).days))
        actual[o.order.sku].append(float((o.covered_on - deal.close_date).days))
    return tuple(
        LeadTime(
            sku,
            len(actual[sku]),
            float(np.mean(quoted[sku])),
            float(np.mean(actual[sku])),
            float(np.percentile(actual[sku], LEARNED_PERCENTILE)),
        )
        for sku in sorted(actual)
    )


def _checked(deals: Mapping[str, Opportunity], checks: Iterable[Check]) -> set[str]:
    first: dict[str, dt.date] = {}
    for c in checks:
        day = c.checked_at.date()
        if c.opportunity_id not in first or day < first[c.opportunity_id]:
            first[c.opportunity_id] = day
    out: set[str] = set()
    for oid, day in first.items():
        deal = deals.get(oid)
        if deal is not None and deal.close_date is not None and day <= deal.close_date:
            out.add(oid)
    return out


def _adoption(
    deals: Mapping[str, Opportunity],
    lines: Mapping[str, Sequence[OpportunityLine]],
    checked: set[str],
    outcomes: Sequence[LineOutcome],
) -> Adoption:
    won = [d for d in deals.values() if d.is_won and d.close_date is not None]
    value = {d.opportunity_id: sum(x.value for x in lines.get(d.opportunity_id, ())) for d in won}

    def group(key: str, members: Sequence[Opportunity]) -> AdoptionGroup:
        ids = [d.opportunity_id for d in members]
        return AdoptionGroup(
            key,
            len(ids),
            sum(1 for i in ids if i in checked),
            sum(value[i] for i in ids),
            sum(value[i] for i in ids if i in checked),
        )

    def grouped(key: Callable[[Opportunity], str]) -> tuple[AdoptionGroup, ...]:
        out: dict[str, list[Opportunity]] = defaultdict(list)
        for d in won:
            out[key(d)].append(d)
        return tuple(group(k, out[k]) for k in sorted(out))

    won_ids = {d.opportunity_id for d in won}
    linked = [o for o in outcomes if o.order.opportunity_id in won_ids]
    return Adoption(
        total=group("all", won),
        by_rep=grouped(lambda d: d.owner or "-"),
        by_month=grouped(lambda d: d.close_date.strftime("%Y-%m") if d.close_date else "-"),
        otif_checked=_group("checked", [o for o in linked if o.order.opportunity_id in checked]),
        otif_unchecked=_group(
            "unchecked", [o for o in linked if o.order.opportunity_id not in checked]
        ),
    )


def _share(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _worst(g: Group) -> tuple[float, int, str]:
    return (g.otif, -g.lines, g.key)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
