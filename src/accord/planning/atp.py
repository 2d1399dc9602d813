"""Time-phased available-to-promise (SPEC §5.1), the textbook MPS record for one product.

Periods are the dataset's (``week``: ISO weeks from Monday; ``month``: calendar months);
the first runs from the as-of date to the end of its period. Per period ``t``:

- forecast F_t: the user's ``forecast`` rows, each spread evenly over the working days
  (Mon-Fri) of its own period, counting the days that fall in ``t`` (from as-of on);
- customer orders O_t: open order lines (and other commitments given, e.g. reservations)
  due in ``t`` (overdue ones in the first period);
- scheduled receipts SR_t from ``supply`` (overdue ones in the first period);
- projected on hand P_t = P_{t-1} + SR_t + MPS_t - max(F_t, O_t), P_0 = on hand;
- MPS_t: ``lot_size`` repeated as often as needed when P_t would otherwise fall below
  ``safety_stock``;
- discrete ATP in the first period and every period with a receipt (SR or MPS): (on hand,
  first period only) + receipts - orders from it up to the next receipt period; None in
  the other periods. A negative ATP is taken from the ATP of earlier periods (latest first);
- cumulative ATP: the running sum of the discrete ATP.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from accord.domain.snapshot import Snapshot
from accord.errors import BadInput, NotFound

MAX_PERIODS = 520


@dataclass(frozen=True, slots=True)
class AtpParams:
    periods: int = 12

    def __post_init__(self) -> None:
        p = self.periods
        if isinstance(p, bool) or not isinstance(p, int) or not 1 <= p <= MAX_PERIODS:
            raise BadInput(f"periods must be a whole number within 1..{MAX_PERIODS}, got {p!r}")


@dataclass(frozen=True, slots=True)
class AtpPeriod:
    period_start: dt.date
    period_end: dt.date
    forecast: float
    orders: float
    receipts: float  # scheduled receipts
    projected_on_hand: float
    mps: float
    atp: float | None
    cumulative_atp: float

    def to_json(self) -> dict[str, Any]:
        return {
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "forecast": _num(self.forecast),
            "orders": _num(self.orders),
            "scheduled_receipts": _num(self.receipts),
            "projected_on_hand": _num(self.projected_on_hand),
            "mps": _num(self.mps),
            "atp": None if self.atp is None else _num(self.atp),
            "cumulative_atp": _num(self.cumulative_atp),
        }


@dataclass(frozen=True, slots=True)
class Atp:
    sku: str
    period: str
    on_hand: float
    safety_stock: float
    lot_size: float
    periods: tuple[AtpPeriod, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "sku": self.sku,
            "period": self.period,
            "on_hand": _num(self.on_hand),
            "safety_stock": _num(self.safety_stock),
            "lot_size": _num(self.lot_size),
            "periods": [p.to_json() for p in self.periods],
        }

    def __str__(self) -> str:
        head = (
            f"ATP of {self.sku} by {self.period}: on hand {self.on_hand:g}, safety stock "
            f"{self.safety_stock:g}, lot size {self.lot_size:g}"
        )
        rows = [f"{'period':<12}{'forecast':>10}{'orders':>10}{'receipts':>10}{'on hand':>10}"
                f"{'MPS':>10}{'ATP':>10}{'cum ATP':>10}"]  # fmt: skip
        for p in self.periods:
            atp = "" if p.atp is None else f"{p.atp:g}"
            rows.append(
                f"{p.period_start.isoformat():<12}{p.forecast:>10g}{p.orders:>10g}"
                f"{p.receipts:>10g}{p.projected_on_hand:>10g}{p.mps:>10g}{atp:>10}"
                f"{p.cumulative_atp:>10g}"
            )
        return "\n".join([head, *rows])


def _num(x: float) -> float:
    return round(x, 6) + 0.0


def period_bounds(start: dt.date, period: str) -> tuple[dt.date, dt.date]:
    """The period (week or month) containing ``start``: its first and last day."""
    if period == "week":
        first = start - dt.timedelta(days=start.weekday())
        return first, first + dt.timedelta(days=6)
    first = start.replace(day=1)
    nxt = (first + dt.timedelta(days=32)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def working_days(first: dt.date, last: dt.date) -> int:
    """Mon-Fri days in [first, last]."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    return weeks * 5 + sum(1 for k in range(rest) if (first.weekday() + k) % 7 < 5)


def atp(
    snapshot: Snapshot,
    sku: str,
    params: AtpParams | None = None,
    commitments: Iterable[tuple[dt.date, float]] = (),
) -> Atp:
    """The ATP record of ``sku``; ``commitments`` are extra (due date, quantity) demands."""
    params = params or AtpParams()
    product = snapshot.products_by_sku.get(sku)
    if product is None:
        raise NotFound(f"unknown sku {sku!r}: no such product")
    period = snapshot.settings.period
    bounds: list[tuple[dt.date, dt.date]] = []
    cursor = snapshot.as_of
    for _ in range(params.periods):
        _, last = period_bounds(cursor, period)
        bounds.append((cursor, last))
        cursor = last + dt.timedelta(days=1)

    def index_of(day: dt.date) -> int | None:
        if day > bounds[-1][1]:
            return None
        for i, (_, last) in enumerate(bounds):
            if day <= last:
                return i
        return None  # unreachable: day <= the last period's end

    n = len(bounds)
    forecast = [0.0] * n
    for row in snapshot.dataset.rows("forecast"):
        if row["sku"] != sku:
            continue
        first = row["period_start"]
        last = row.get("period_end") or period_bounds(first, period)[1]
        total = working_days(first, last)
        for i, (lo, hi) in enumerate(bounds):
            share = working_days(max(lo, first), min(hi, last))
            if share and total:
                forecast[i] += row["quantity"] * share / total
    orders = [0.0] * n
    demands = [(o.due_date, o.quantity) for o in snapshot.open_orders if o.sku == sku]
    for due, qty in [*demands, *commitments]:
        at = index_of(max(due, snapshot.as_of))
        if at is not None:
            orders[at] += qty
    receipts = [0.0] * n
    for s in snapshot.supply:
        if s.sku == sku:
            at = index_of(max(s.date, snapshot.as_of))
            if at is not None:
                receipts[at] += s.quantity
    on_hand = snapshot.inventory.get(sku, 0.0)
    return _record(product.sku, period, on_hand, product, bounds, forecast, orders, receipts)


def _record(
    sku: str,
    period: str,
    on_hand: float,
    product: Any,
    bounds: list[tuple[dt.date, dt.date]],
    forecast: list[float],
    orders: list[float],
    receipts: list[float],
) -> Atp:
    n = len(bounds)
    lot, safety = product.lot_size, product.safety_stock
    mps = [0.0] * n
    projected = [0.0] * n
    level = on_hand
    for t in range(n):
        level += receipts[t] - max(forecast[t], orders[t])
        if level < safety - 1e-9:
            mps[t] = math.ceil((safety - level) / lot - 1e-9) * lot
            level += mps[t]
        projected[t] = level
    discrete: list[float | None] = [None] * n
    receipt_periods = [t for t in range(n) if t == 0 or receipts[t] > 0 or mps[t] > 0]
    for k, t in enumerate(receipt_periods):
        end = receipt_periods[k + 1] if k + 1 < len(receipt_periods) else n
        supply = receipts[t] + mps[t] + (on_hand if t == 0 else 0.0)
        discrete[t] = supply - sum(orders[t:end])
    for k in range(len(receipt_periods) - 1, 0, -1):  # negative ATP borrows from earlier
        t = receipt_periods[k]
        value = discrete[t]
        if value is not None and value < 0:
            prev = receipt_periods[k - 1]
            discrete[prev] = (discrete[prev] or 0.0) + value
            discrete[t] = 0.0
    cumulative = 0.0
    rows = []
    for t, (lo, hi) in enumerate(bounds):
        cumulative += discrete[t] or 0.0
        rows.append(
            AtpPeriod(
                lo,
                hi,
                forecast[t],
                orders[t],
                receipts[t],
                projected[t],
                mps[t],
                discrete[t],
                cumulative,
            )
        )
    return Atp(sku, period, on_hand, safety, lot, tuple(rows))
