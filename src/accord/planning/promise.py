"""Capable-to-promise (SPEC §5.2): the earliest date for a quantity, why, and the price of yes.

Model (exactly: docs/models/promise-rule.md). After every open order and every active
reservation has been placed (``planning/loading.py``), the question's quantity combines
every source: free stock now (net of safety stock), every scheduled receipt whatever its
date, and production (or purchase) of the rest — components the same way — and the
earliest date is the first on which all of it is together (``kernels._supply``). The
verdict compares it with the requested date and the customer's latest date (``short``
when the whole cannot come by then, with what can); reasons name what binds (the resource
waited for longest, a late component, the lead time); ``planning/options.py`` prices
saying yes to the date within the customer's terms.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from accord.domain.snapshot import Snapshot
from accord.errors import BadInput, NotFound
from accord.planning import wording
from accord.planning.loading import LoadState, Placement
from accord.planning.reasons import Reason, reasons


@dataclass(frozen=True, slots=True)
class PromiseRequest:
    """Deliver ``quantity`` of ``sku`` (to ``customer``), wanted by ``requested_date``."""

    sku: str
    quantity: float
    requested_date: dt.date | None = None
    customer: str | None = None
    # The customer's terms (SPEC §2): the last date delivery is still accepted (None: any)
    # and the smallest delivery accepted (None: 1 unit; the quantity: ship complete).
    latest_date: dt.date | None = None
    min_shipment: float | None = None

    def __post_init__(self) -> None:
        if not self.sku:
            raise BadInput("sku must not be empty")
        q = self.quantity
        if isinstance(q, bool) or not isinstance(q, (int, float)) or not math.isfinite(q):
            raise BadInput(f"quantity must be a number, got {q!r}")
        if not q > 0:
            raise BadInput(f"quantity must be > 0, got {q!r}")
        m = self.min_shipment
        if m is not None and (
            isinstance(m, bool) or not isinstance(m, (int, float)) or not 0 < m <= q
        ):
            raise BadInput(f"min_shipment must be a number in (0, quantity], got {m!r}")
        wanted, latest = self.requested_date, self.latest_date
        if wanted is not None and latest is not None and latest < wanted:
            raise BadInput(
                f"latest_date {latest.isoformat()} is before the wanted date {wanted.isoformat()}"
            )


@dataclass(frozen=True, slots=True)
class Option:
    kind: str  # partial, split, overtime, subcontract, resequence
    cost: float
    delivers_by: dt.date
    details: dict[str, Any]
    summary: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "cost": round(self.cost, 2),
            "delivers_by": self.delivers_by.isoformat(),
            "details": self.details,
            "summary": self.summary,
        }


@dataclass(frozen=True, slots=True)
class Throughput:
    per_unit: float
    total: float
    constraint: str | None
    constraint_minutes: float
    per_constraint_minute: float | None
    company_average: float | None

    def to_json(self) -> dict[str, Any]:
        def r(x: float | None) -> float | None:
            return None if x is None else round(x, 4)

        return {
            "per_unit": r(self.per_unit),
            "total": r(self.total),
            "constraint": self.constraint,
            "constraint_minutes": r(self.constraint_minutes),
            "per_constraint_minute": r(self.per_constraint_minute),
            "company_average": r(self.company_average),
        }


@dataclass(frozen=True, slots=True)
class Promise:
    """The answer to one question (SPEC §3.5 ``promise``)."""

    sku: str
    quantity: float
    requested_date: dt.date | None
    earliest_date: dt.date | None  # None: not within the planning horizon
    verdict: str  # on_time / late / short
    days_late: int | None
    reasons: tuple[Reason, ...]
    options: tuple[Option, ...]
    throughput: Throughput
    from_stock: float
    made: float
    customer: str | None = None
    horizon_end: dt.date | None = field(default=None)
    latest_date: dt.date | None = None
    min_shipment: float | None = None
    # When short: the largest quantity the customer accepts by the latest date (else by
    # the horizon's end) and the date it can be delivered (None: nothing can).
    short_quantity: float = 0.0
    short_date: dt.date | None = None
    binding_resource: str | None = None  # the resource whose step binds (None: not made)

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "quantity": self.quantity,
            "customer": self.customer,
            "requested_date": _iso(self.requested_date),
            "earliest_date": _iso(self.earliest_date),
            "verdict": self.verdict,
            "days_late": self.days_late,
            "latest_date": _iso(self.latest_date),
            "min_shipment": self.min_shipment,
            "short": None
            if self.verdict != "short"
            else {
                "quantity": self.short_quantity,
                "date": _iso(self.short_date),
                "rest": self.quantity - self.short_quantity,
            },
            "binding_resource": self.binding_resource,
            "from_stock": self.from_stock,
            "made": self.made,
            "reasons": [r.to_json() for r in self.reasons],
            "options": [o.to_json() for o in self.options],
            "throughput": self.throughput.to_json(),
        }

    def __str__(self) -> str:
        when = self.earliest_date.isoformat() if self.earliest_date else "not within the horizon"
        head = f"{self.quantity:g} x {self.sku}: earliest {when}"
        if self.verdict == "short":
            head += " (short: see below)"
        elif self.requested_date is not None:
            late = (
                f"late by {wording.days(self.days_late)}" if self.verdict == "late" else "on time"
            )
            head += f" (wanted {self.requested_date.isoformat()}: {late})"
        lines = [head]
        lines += [f"  - {r.message}" for r in self.reasons]
        if self.options:
            lines.append("To say yes:")
            lines += [f"  - {o.summary}" for o in self.options]
        t = self.throughput
        if t.per_constraint_minute is not None:
            avg = f"{t.company_average:.2f}" if t.company_average is not None else "n/a"
            lines.append(
                f"Throughput {t.total:,.2f} ({t.per_unit:,.2f} a unit); "
                f"{t.per_constraint_minute:.2f} per minute of {t.constraint} "
                f"(company average {avg})"
            )
        return "\n".join(lines)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def product_index(snapshot: Snapshot, sku: str) -> int:
    index = snapshot.sku_index.get(sku)
    if index is None:
        raise NotFound(f"unknown sku {sku!r}: no such product")
    return index


def earliest_day(state: LoadState, sku: int, quantity: float) -> int | None:
    """The hot path: the earliest delivery day (from as-of) of an inquiry, nothing changed."""
    return state.place(sku, quantity).day


def _verdict(
    earliest: dt.date | None, wanted: dt.date | None, latest: dt.date | None
) -> tuple[str, int | None]:
    """on_time / late (with days late) / short: not deliverable by the customer's latest
    date, or not at all within the horizon (SPEC §5.2 step 2)."""
    days_late = None
    if earliest is not None:
        days_late = 0 if wanted is None or earliest <= wanted else (earliest - wanted).days
    if earliest is None or (latest is not None and earliest > latest):
        return "short", days_late
    return ("on_time" if days_late == 0 else "late"), days_late


def short_answer(
    state: LoadState, sku: int, request: PromiseRequest
) -> tuple[float, dt.date | None]:
    """What can be delivered when the whole cannot: the largest whole quantity by the
    customer's latest date (else by the end of the horizon) that the customer accepts
    (at least ``min_shipment``), and the date it can be delivered (None: nothing)."""
    from accord.planning.options import partial_quantity  # options builds on this module

    s = state.snapshot
    limit = s.horizon - 1
    if request.latest_date is not None:
        limit = min(limit, s.day_index(request.latest_date))
    if limit < 0:
        return 0.0, None
    part = partial_quantity(state, sku, request.quantity, limit)
    if part <= 0 or (request.min_shipment is not None and part < request.min_shipment):
        return 0.0, None
    day = state.earliest_day(sku, part)
    return part, None if day is None else s.date_of(day)


def promise(
    state: LoadState,
    request: PromiseRequest,
    *,
    with_options: bool = True,
    company_average: float | None = None,
    with_resequence: bool = False,
) -> Promise:
    """Answer ``request`` on ``state`` (unchanged on return). ``with_resequence`` adds the
    re-sequencing option (it places the order book again: slower). A question that cannot
    be met at all is answered too: verdict ``short``, with what can be delivered when."""
    from accord.planning import options as price_of_yes  # options builds on this module
    from accord.planning.resequence import resequence

    snapshot = state.snapshot
    sku = product_index(snapshot, request.sku)
    placement = state.place(sku, request.quantity)
    earliest = None if placement.day is None else snapshot.date_of(placement.day)
    wanted = request.requested_date
    verdict, days_late = _verdict(earliest, wanted, request.latest_date)
    short_quantity, short_date = 0.0, None
    if verdict == "short":
        short_quantity, short_date = short_answer(state, sku, request)
    opts: tuple[Option, ...] = ()
    if with_options and verdict != "on_time" and wanted is not None:
        opts = price_of_yes.options(state, sku, request, placement)
        if with_resequence and snapshot.day_index(wanted) >= 0:
            moved = resequence(state, sku, request.quantity, snapshot.day_index(wanted))
            opts = opts if moved is None else (*opts, moved)
    why = reasons(state, placement)
    if verdict == "short":
        why = (*why, _short_reason(snapshot, request, short_quantity, short_date))
    return Promise(
        sku=request.sku,
        quantity=request.quantity,
        requested_date=wanted,
        earliest_date=earliest,
        verdict=verdict,
        days_late=days_late,
        reasons=why,
        options=opts,
        throughput=throughput(state, sku, request.quantity, company_average),
        from_stock=placement.from_stock,
        made=placement.made,
        customer=request.customer,
        horizon_end=snapshot.date_of(snapshot.horizon - 1),
        latest_date=request.latest_date,
        min_shipment=request.min_shipment,
        short_quantity=short_quantity,
        short_date=short_date,
        binding_resource=_binding_resource(snapshot, placement),
    )


def _binding_resource(snapshot: Snapshot, placement: Placement) -> str | None:
    step = placement.binding_step
    if step < 0 or placement.day is None:
        return None
    return snapshot.routings[snapshot.products[placement.sku].sku][step].resource


def _short_reason(
    snapshot: Snapshot, request: PromiseRequest, part: float, when: dt.date | None
) -> Reason:
    by = (
        f"by {request.latest_date.isoformat()}, the last date the customer accepts"
        if request.latest_date is not None
        else f"within the planning horizon (to {snapshot.date_of(snapshot.horizon - 1)})"
    )
    if part <= 0 or when is None:
        text = f"none of the {request.quantity:g} can be delivered {by}"
    else:
        text = (
            f"only {part:g} of the {request.quantity:g} can be delivered {by}: "
            f"{part:g} on {when.isoformat()}, the other {request.quantity - part:g} not"
        )
    return Reason("short", text, sku=request.sku)


def constraint_minutes_per_unit(state: LoadState, resource: int) -> np.ndarray:
    """Per product: minutes per unit on ``resource`` over its whole BOM tree (setups aside)."""
    s = state.snapshot
    on_r = state.r_res == resource
    owner = np.repeat(np.arange(len(s.products)), np.diff(state.r_start))
    direct = np.bincount(owner[on_r], weights=state.r_min[on_r], minlength=len(s.products))
    t = state.trees
    tree_owner = np.repeat(np.arange(len(s.products)), np.diff(t.start))
    return np.bincount(tree_owner, weights=t.cum_mult * direct[t.sku], minlength=len(s.products))


def constraint_of(state: LoadState) -> int | None:
    """The resource with the highest load ÷ capacity over the horizon (None without any)."""
    if state.cap.shape[0] == 0:
        return None
    return int(np.argmax(state.load_ratio()))


def _constraint(state: LoadState) -> tuple[int, np.ndarray] | None:
    """The constraint and every product's minutes per unit on it, kept on the state until
    a commit (which may move the constraint)."""
    cached = state.memo.get("constraint")
    if cached is not None and cached[0] == state.committed:
        return cached[1]  # type: ignore[no-any-return]
    r = constraint_of(state)
    value = None if r is None else (r, _minutes_on(state, r))
    state.memo["constraint"] = (state.committed, value)
    return value


def _minutes_on(state: LoadState, resource: int) -> np.ndarray:
    """``constraint_minutes_per_unit`` kept per resource: routings do not change with a
    commit, so a trial commit that leaves the constraint where it was costs no recount."""
    per_resource: dict[int, np.ndarray] = state.memo.setdefault("minutes_on", {})
    if resource not in per_resource:
        per_resource[resource] = constraint_minutes_per_unit(state, resource)
    return per_resource[resource]


def company_average(state: LoadState) -> float | None:
    """Throughput per constraint minute of the open order book as a whole."""
    found = _constraint(state)
    s = state.snapshot
    if found is None or len(s.order_sku) == 0:
        return None
    per_unit = found[1]
    minutes = float(np.dot(per_unit[s.order_sku], s.order_qty))
    if minutes <= 0:
        return None
    return float(np.dot(s.throughput_per_unit[s.order_sku], s.order_qty)) / minutes


def throughput(
    state: LoadState, sku: int, quantity: float, average: float | None = None
) -> Throughput:
    s = state.snapshot
    per_unit = float(s.throughput_per_unit[sku])
    found = _constraint(state)
    if found is None:
        return Throughput(per_unit, per_unit * quantity, None, 0.0, None, None)
    r, per_unit_minutes = found
    minutes = float(per_unit_minutes[sku]) * quantity
    # A lot's setups on the constraint count, also when it has no run minutes there.
    t = state.trees
    nodes = t.sku[t.start[sku] : t.start[sku + 1]]
    for c in nodes.tolist():
        j = slice(state.r_start[c], state.r_start[c + 1])
        minutes += float(state.r_setup[j][state.r_res[j] == r].sum())
    avg = average if average is not None else company_average(state)
    return Throughput(
        per_unit=per_unit,
        total=per_unit * quantity,
        constraint=s.resources[r].resource,
        constraint_minutes=minutes,
        per_constraint_minute=per_unit * quantity / minutes if minutes > 0 else None,
        company_average=avg,
    )
