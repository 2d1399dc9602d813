"""The plan of the order book (SPEC §5.2) on a company small enough to work out by hand.

One press, 480 minutes a day Monday to Friday, 60 minutes a unit (8 units a day), as of
Monday 6 Jan 2025:

- SO-1/1, priority 1, 8 units due Friday 10 Jan: placed as late as it can, on Friday, so
  it does not take Monday's capacity.
- SO-2/1, priority 2, 16 units due Tuesday 7 Jan: Monday and Tuesday are still free: on
  time. (Placed forward, SO-1 would have taken Monday and SO-2 would be a day late.)
- SO-3/1, priority 3, 24 units due Wednesday 8 Jan: cannot finish by then, so it is made
  as early as it can: Wednesday, Thursday and (Friday being SO-1's) Monday 13 Jan: 5 days
  late, bound by the press.
- SO-4/1, priority 3, 5 units of a product that is neither made nor bought and has no
  stock: short, with the reason in words.
"""

from __future__ import annotations

import datetime as dt

from accord.domain.dataset import Dataset
from accord.planning.loading import LoadState
from accord.planning.order_book import order_plan
from accord.services.snapshot import build_snapshot

AS_OF = dt.date(2025, 1, 6)


_PRODUCT = {"material_cost": 1.0, "lead_time_days": 0, "lot_size": 1.0, "safety_stock": 0.0}


def _company(orders: list[dict]) -> Dataset:
    week = {d: 480.0 for d in ("mon", "tue", "wed", "thu", "fri")}
    return Dataset(
        tables={
            "settings": ({"key": "as_of", "value": AS_OF.isoformat()},
                         {"key": "currency", "value": "EUR"}),
            "products": (
                {"sku": "GEAR", "name": "Gear", "unit_price": 10.0, **_PRODUCT},
                {"sku": "SEAL", "name": "Seal", "unit_price": 2.0, **_PRODUCT},
            ),
            "resources": ({"resource": "PRESS", "name": "Press", "kind": "machine", **week,
                           "sat": 0.0, "sun": 0.0, "overtime_minutes_per_day": 0.0,
                           "overtime_cost_per_minute": 0.0},),
            "routings": ({"sku": "GEAR", "step": 1, "resource": "PRESS",
                          "minutes_per_unit": 60.0, "setup_minutes": 0.0},),
            "customers": ({"customer": "ACME", "name": "Acme Pumps"},),
            "orders": tuple(orders),
        }
    )  # fmt: skip


def _order(order_id: str, sku: str, quantity: float, due: dt.date, priority: int) -> dict:
    return {"order_id": order_id, "line": 1, "customer": "ACME", "sku": sku,
            "quantity": quantity, "due_date": due, "priority": priority,
            "status": "open"}  # fmt: skip


BOOK = [
    _order("SO-1", "GEAR", 8, dt.date(2025, 1, 10), 1),
    _order("SO-2", "GEAR", 16, dt.date(2025, 1, 7), 2),
    _order("SO-3", "GEAR", 24, dt.date(2025, 1, 8), 3),
    _order("SO-4", "SEAL", 5, dt.date(2025, 1, 9), 3),
]


def _plan(orders: list[dict]):
    snapshot = build_snapshot(_company(orders), horizon_days=30)
    return order_plan(LoadState.after_orders(snapshot))


def test_each_line_is_placed_as_late_as_it_can_and_late_only_when_it_must() -> None:
    plan = _plan(BOOK)
    by_id = {ln.order_id: ln for ln in plan.lines}
    assert [ln.order_id for ln in plan.lines] == ["SO-1", "SO-2", "SO-3", "SO-4"]  # loading order
    assert (by_id["SO-1"].planned_date, by_id["SO-1"].verdict) == (dt.date(2025, 1, 10), "on_time")
    assert (by_id["SO-2"].planned_date, by_id["SO-2"].verdict) == (dt.date(2025, 1, 7), "on_time")
    late = by_id["SO-3"]
    assert (late.planned_date, late.verdict, late.days_late) == (dt.date(2025, 1, 13), "late", 5)
    assert late.binding_resource == "PRESS" and late.binding_resource_name == "Press"
    assert "Press" in (late.reason or "")
    seal = by_id["SO-4"]
    assert (seal.planned_date, seal.verdict, seal.days_late) == (None, "short", None)
    assert seal.reason and "Seal" in seal.reason and "neither made nor bought" in seal.reason
    assert by_id["SO-1"].reason is None  # on time: nothing to explain
    t = plan.totals
    assert (t.lines, t.on_time, t.late, t.short) == (4, 2, 1, 1)
    assert t.value_late == 24 * 10.0 + 5 * 2.0


def test_late_only_keeps_the_late_and_short_lines_and_the_whole_totals() -> None:
    plan = _plan(BOOK).only_late()
    assert [ln.order_id for ln in plan.lines] == ["SO-3", "SO-4"]
    assert plan.totals.lines == 4
    body = plan.to_json()
    assert body["late_only"] is True
    assert set(body["lines"][0]) >= {
        "order_id", "line", "customer", "sku", "quantity", "due_date", "planned_date",
        "verdict", "days_late", "binding_resource", "owner",
    }  # fmt: skip
    assert set(body["totals"]) == {"lines", "on_time", "late", "short", "value_late"}


def test_a_promised_date_is_the_date_the_line_is_held_to() -> None:
    # Promised for Monday 13 Jan although due on the 8th: SO-3 is then on time.
    book = [dict(o) for o in BOOK]
    book[2]["promised_date"] = dt.date(2025, 1, 13)
    line = next(ln for ln in _plan(book).lines if ln.order_id == "SO-3")
    assert (line.planned_date, line.verdict, line.days_late) == (dt.date(2025, 1, 13), "on_time", 0)


def test_the_customer_s_latest_date_makes_a_late_line_short() -> None:
    book = [dict(o) for o in BOOK]
    book[2]["latest_date"] = dt.date(2025, 1, 10)
    line = next(ln for ln in _plan(book).lines if ln.order_id == "SO-3")
    assert (line.planned_date, line.verdict) == (dt.date(2025, 1, 13), "short")
    assert "accepts delivery until 10 Jan 2025" in (line.reason or "")


def test_no_open_orders_is_an_empty_plan_with_zero_totals() -> None:
    plan = _plan([])
    assert plan.lines == () and plan.totals.lines == 0
    assert "No open order lines." in str(plan)
