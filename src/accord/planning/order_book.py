"""The plan of the order book (SPEC §5.2, result shape ``orders`` of §3.5).

The load state places every open order line by the promise rule
(docs/models/promise-rule.md, "The order book"): in loading order, each by its commitment
date (the promised date where one is set, else the due date) less ``buffer_days``, as late
as it can start, else as early as it can. This module reads that placement and answers,
per line:

- ``planned_date``: the day it is planned to be delivered (None when it cannot be
  delivered within the horizon at all);
- ``verdict``: ``on_time`` (planned on or before the commitment date), ``late`` (after it,
  with the days late), or ``short`` (it cannot be delivered within the horizon, or only
  after the customer's ``latest_date`` where the order has one). A line of zero units is on
  time;
- ``binding_resource``: the resource of the routing step that binds the line (the one its
  lot waited for longest; see ``kernels.binding_step``), None when nothing was made;
- ``reason`` for a late or short line, in words (``planning/reasons.py``).

Totals count the lines of each verdict; ``value_late`` is quantity x unit price summed over
the lines late or short.

The reasons replay the placement: the lines before each late or short line are placed again
on a fresh state and the line is asked there the way the rule placed it when it could not
meet its date (as early as it can). That costs at most one more placement of the order book.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from typing import Any

from accord.domain.sales import Order
from accord.planning import kernels, wording
from accord.planning.loading import LoadState
from accord.planning.reasons import reasons

log = logging.getLogger(__name__)

VERDICTS = ("on_time", "late", "short")


@dataclass(frozen=True, slots=True)
class OrderLinePlan:
    """One open order line and where the plan puts it."""

    order_id: str
    line: int
    customer: str
    customer_name: str | None  # from the customers table, None when it is not listed
    sku: str
    product_name: str
    quantity: float
    due_date: dt.date
    promised_date: dt.date | None
    priority: int
    owner: str | None
    planned_date: dt.date | None  # None: it cannot be delivered within the horizon
    verdict: str  # on_time / late / short
    days_late: int | None  # 0 when on time; None when short without a planned date
    binding_resource: str | None  # resource id of the binding routing step
    binding_resource_name: str | None
    value: float  # quantity x unit price
    reason: str | None = None  # in words, for a late or short line

    @property
    def commitment_date(self) -> dt.date:
        """The date the customer holds us to: the promised date, else the due date."""
        return self.promised_date or self.due_date

    def to_json(self) -> dict[str, Any]:
        return {
            "order_id": self.order_id,
            "line": self.line,
            "customer": self.customer,
            "sku": self.sku,
            "quantity": self.quantity,
            "due_date": self.due_date.isoformat(),
            "promised_date": _iso(self.promised_date),
            "planned_date": _iso(self.planned_date),
            "verdict": self.verdict,
            "days_late": self.days_late,
            "binding_resource": self.binding_resource,
            "owner": self.owner,
            "priority": self.priority,
            "value": round(self.value, 2),
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class OrderTotals:
    lines: int
    on_time: int
    late: int
    short: int
    value_late: float  # quantity x unit price of the lines late or short

    def to_json(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "on_time": self.on_time,
            "late": self.late,
            "short": self.short,
            "value_late": round(self.value_late, 2),
        }


@dataclass(frozen=True, slots=True)
class OrderPlan:
    """Every open order line in loading order (or, ``late_only``, the late and short ones)
    and the totals over all of them."""

    as_of: dt.date
    currency: str | None
    lines: tuple[OrderLinePlan, ...]
    totals: OrderTotals
    late_only: bool = False

    def only_late(self) -> OrderPlan:
        """The late and short lines only; the totals stay those of every line."""
        kept = tuple(ln for ln in self.lines if ln.verdict != "on_time")
        return replace(self, lines=kept, late_only=True)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "late_only": self.late_only,
            "lines": [ln.to_json() for ln in self.lines],
            "totals": self.totals.to_json(),
        }

    def __str__(self) -> str:
        t = self.totals
        money = f" {self.currency}" if self.currency else ""
        head = (
            f"{t.lines} open order lines as of {self.as_of.isoformat()}: {t.on_time} on time, "
            f"{t.late} late, {t.short} short; value late or short {t.value_late:,.2f}{money}"
        )
        if not self.lines:
            empty = "No line is late or short." if self.late_only else "No open order lines."
            return f"{head}\n{empty}"
        header = ("order", "line", "customer", "sku", "qty", "due", "planned", "verdict",
                  "days late", "binding")  # fmt: skip
        rows = [
            (
                ln.order_id,
                str(ln.line),
                ln.customer,
                ln.sku,
                f"{ln.quantity:g}",
                ln.commitment_date.isoformat(),
                _iso(ln.planned_date) or "-",
                ln.verdict,
                "" if ln.days_late is None else str(ln.days_late),
                ln.binding_resource or "",
            )
            for ln in self.lines
        ]
        right = {1, 4, 8}
        widths = [max(len(r[c]) for r in (header, *rows)) for c in range(len(header))]

        def fmt(row: tuple[str, ...]) -> str:
            cells = [
                cell.rjust(w) if c in right else cell.ljust(w)
                for c, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
            return "  ".join(cells).rstrip()

        out = [head, "", fmt(header), "  ".join("-" * w for w in widths)]
        out += [fmt(r) for r in rows]
        why = [ln for ln in self.lines if ln.reason]
        if why:
            out += ["", "Why late or short:"]
            out += [f"  {ln.order_id}/{ln.line}: {ln.reason}" for ln in why]
        return "\n".join(out)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def order_plan(state: LoadState) -> OrderPlan:
    """The plan of the order book as ``state`` placed it (``LoadState.after_orders``);
    ``state`` is read, never changed."""
    s = state.snapshot
    n = len(s.open_orders)
    if len(state.order_day) != n:
        raise ValueError("the order book is not placed on this load state")
    days = state.order_day.tolist()
    steps = state.order_step.tolist()
    due = s.order_due_day.tolist()
    skus = s.order_sku.tolist()
    prices = s.unit_price.tolist()
    planned_dates = [s.date_of(day) if day >= 0 else None for day in days]
    verdicts = [_verdict(o, days[i], due[i], planned_dates[i]) for i, o in enumerate(s.open_orders)]
    why = _reasons(state, [i for i, v in enumerate(verdicts) if v != "on_time"])
    lines: list[OrderLinePlan] = []
    for i, o in enumerate(s.open_orders):
        day, verdict, planned = days[i], verdicts[i], planned_dates[i]
        days_late: int | None = None
        if planned is not None:
            days_late = 0 if verdict == "on_time" else max(day - due[i], 0)
        resource = state.step_resource(skus[i], steps[i])
        customer = s.customers_by_id.get(o.customer)
        lines.append(
            OrderLinePlan(
                order_id=o.order_id,
                line=o.line,
                customer=o.customer,
                customer_name=None if customer is None else customer.name,
                sku=o.sku,
                product_name=s.products[skus[i]].name,
                quantity=o.quantity,
                due_date=o.due_date,
                promised_date=o.promised_date,
                priority=o.priority,
                owner=o.owner,
                planned_date=planned,
                verdict=verdict,
                days_late=days_late,
                binding_resource=resource,
                binding_resource_name=None
                if resource is None
                else s.resources_by_id[resource].name,
                value=o.quantity * prices[skus[i]],
                reason=why.get(i),
            )
        )
    late = sum(1 for v in verdicts if v == "late")
    short = sum(1 for v in verdicts if v == "short")
    totals = OrderTotals(
        lines=n,
        on_time=n - late - short,
        late=late,
        short=short,
        value_late=sum(ln.value for ln in lines if ln.verdict != "on_time"),
    )
    return OrderPlan(s.as_of, s.settings.currency, tuple(lines), totals)


def _verdict(order: Order, day: int, due: int, planned: dt.date | None) -> str:
    if order.quantity <= kernels.EPS:
        return "on_time"  # nothing to deliver
    latest = order.latest_date
    if planned is None or (latest is not None and planned > latest):
        return "short"
    return "late" if day > due else "on_time"


def _reasons(state: LoadState, wanted: list[int]) -> dict[int, str]:
    """Per late or short line (loading positions, increasing): why, in words."""
    if not wanted:
        return {}
    s = state.snapshot
    replay = LoadState(s, state.trees)
    days = state.order_day.tolist()
    due = s.order_due_day.tolist()
    skus = s.order_sku.tolist()
    out: dict[int, str] = {}
    done = 0
    for i in wanted:
        replay.place_orders(done, i)
        order = s.open_orders[i]
        placement = replay.place(skus[i], float(order.quantity))
        planned = NO_PLAN if placement.day is None else placement.day
        if planned != days[i]:  # the rule changed under us: say only what is certain
            log.warning(
                "order %s/%s: replayed on day %s, planned on day %s",
                order.order_id, order.line, planned, days[i],
            )  # fmt: skip
            out[i] = _plain_reason(state, i)
        else:
            out[i] = _reason_text(replay, i, placement, due[i])
        replay.place_orders(i, i + 1)
        done = i + 1
    return out


NO_PLAN = kernels.NO_DAY


def _reason_text(replay: LoadState, i: int, placement: Any, due: int) -> str:
    s = replay.snapshot
    order = s.open_orders[i]
    parts: list[str] = []
    if due < 0:
        parts.append(f"its date, {wording.date(order.commit_date)}, has already passed")
    latest = order.latest_date
    if placement.day is not None and latest is not None and s.date_of(placement.day) > latest:
        parts.append(
            f"the customer accepts delivery until {wording.date(latest)}; the earliest is "
            f"{wording.date(s.date_of(placement.day))}"
        )
    if placement.day is None:
        parts.append(_short_text(replay, placement))
        parts += [
            r.message
            for r in reasons(replay, placement)
            if r.kind in ("capacity", "horizon", "material") and r.message not in parts
        ]
    else:
        parts += [r.message for r in reasons(replay, placement)]
    return "; ".join(p for p in parts if p)


def _short_text(replay: LoadState, placement: Any) -> str:
    """Why a line cannot be delivered within the horizon at all."""
    s = replay.snapshot
    sku = placement.sku
    product = s.products[sku]
    end = wording.date(s.date_of(s.horizon - 1))
    if replay.is_bought(sku):
        return (
            f"{product.name} is bought with {wording.days(product.lead_time_days)} of lead "
            f"time, which ends after the planning horizon ({end})"
        )
    if replay.is_made(sku):
        return f"{product.name} cannot be made within the planning horizon (to {end})"
    k = int(replay.stock_row[sku])
    free = float(kernels.drawable(replay.avail[k], s.horizon - 1)) if k >= 0 else 0.0
    if free > kernels.EPS:
        stock = f"only {free:g} of the {placement.quantity:g} are free in stock and receipts"
    else:
        stock = "there is no free stock or receipt"
    return f"{stock} within the planning horizon, and {product.name} can be neither made nor bought"


def _plain_reason(state: LoadState, i: int) -> str:
    s = state.snapshot
    day = int(state.order_day[i])
    if day < 0:
        return f"it cannot be delivered within the planning horizon (to {s.date_of(s.horizon - 1)})"
    resource = state.step_resource(int(s.order_sku[i]), int(state.order_step[i]))
    at = "" if resource is None else f", bound by {s.resources_by_id[resource].name}"
    return f"the earliest it can be delivered is {wording.date(s.date_of(day))}{at}"
