"""The pipeline check on the paint shop of test_promise (as-of Monday 6 Jan 2025)."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.errors import BadInput
from accord.planning.pipeline import PipelineParams, pipeline
from tests.unit.test_promise import CUSTOMERS, d, plant


def deals(*specs: tuple[str, str, float, float, str]) -> dict[str, tuple[dict, ...]]:
    """(id, close date, probability, widgets, requested date) per deal, one line each."""
    return {
        "customers": CUSTOMERS,
        "opportunities": tuple(
            {"opportunity_id": i, "customer": "ACME", "stage": "Proposal", "probability": p,
             "close_date": d(close), "requested_date": d(wanted)}
            for i, close, p, _, wanted in specs
        ),
        "opportunity_lines": tuple(
            {"opportunity_id": i, "line": 1, "sku": "WIDGET", "quantity": q}
            for i, _, _, q, _ in specs
        ),
    }  # fmt: skip


def test_deals_are_promised_in_order_against_what_the_earlier_ones_left() -> None:
    state = plant(**deals(("OPP-B", "2025-01-20", 0.5, 60, "2025-01-06"),
                          ("OPP-A", "2025-01-10", 0.9, 120, "2025-01-06")))  # fmt: skip
    result = pipeline(state)
    a, b = result.deals
    # OPP-A closes first: 120 x 4 = 480 paint minutes fill Monday: on time.
    assert (a.opportunity_id, a.earliest_date, a.verdict) == ("OPP-A", d("2025-01-06"), "on_time")
    # OPP-B's 240 minutes go to Tuesday: a day late, waiting for the paint line.
    assert (b.earliest_date, b.verdict, b.days_late) == (d("2025-01-07"), "late", 1)
    assert b.binding_resource == "PAINT"
    assert result.value_at_risk == 60 * 50
    paint = next(r for r in result.load if r["resource"] == "PAINT")
    # January from the 6th: 20 weekdays x 480 min; the deals load 720, no orders.
    assert (paint["period_start"], paint["firm"], paint["pipeline"], paint["capacity"]) == (
        "2025-01-06", 0, 720, 9600,
    )  # fmt: skip
    assert state.free[0, 0] == 480  # the check changed nothing


def test_weighted_places_probability_times_quantity() -> None:
    state = plant(**deals(("OPP-A", "2025-01-10", 0.9, 120, "2025-01-06"),
                          ("OPP-B", "2025-01-20", 0.5, 60, "2025-01-06")))  # fmt: skip
    result = pipeline(state, PipelineParams(weighted=True))
    # OPP-A places 108 (432 min); OPP-B 30 (120 min): 48 on Monday, 72 on Tuesday.
    assert [x.verdict for x in result.deals] == ["on_time", "late"]
    assert result.value_at_risk == pytest.approx(3000 * 0.5)
    paint = next(r for r in result.load if r["resource"] == "PAINT")
    assert paint["pipeline"] == pytest.approx(552)


def paint_two_mondays() -> tuple[dict, ...]:
    """Paint works only on Mon 6 Jan and Mon 3 Feb 2025 (480 minutes each)."""
    closed = [dt.date(2025, 1, 7) + dt.timedelta(days=k) for k in range(27)]
    closed += [dt.date(2025, 2, 4) + dt.timedelta(days=k) for k in range(25)]
    return tuple({"resource": "PAINT", "date": day, "minutes": 0.0} for day in closed)


def test_monte_carlo_gives_the_share_of_draws_over_capacity() -> None:
    # Each deal alone (120 widgets = 480 paint min) is made on Monday 6 Jan: January's paint
    # capacity is 480. Only a draw that wins both (0.9 x 0.5 = 0.45) overloads January;
    # February is never touched (its production would run in January).
    state = plant(**deals(("OPP-A", "2025-01-10", 0.9, 120, "2025-02-10"),
                          ("OPP-B", "2025-01-20", 0.5, 120, "2025-02-10")),
                  calendar_exceptions=paint_two_mondays())  # fmt: skip
    result = pipeline(state, PipelineParams(draws=2000, seed=3))
    jan = next(
        r for r in result.load if r["resource"] == "PAINT" and r["period_start"] == "2025-01-06"
    )
    assert jan["overload_probability"] == pytest.approx(0.45, abs=0.04)
    feb = next(
        r for r in result.load if r["resource"] == "PAINT" and r["period_start"] == "2025-02-01"
    )
    assert feb["overload_probability"] == 0
    again = pipeline(state, PipelineParams(draws=2000, seed=3))
    assert again == result  # same seed, same answer


def test_bad_parameters_name_the_field() -> None:
    with pytest.raises(BadInput, match="order_by"):
        PipelineParams(order_by="random")
    with pytest.raises(BadInput, match="draws"):
        PipelineParams(draws=-1)


def test_the_default_order_serves_tier_a_customers_first():
    from accord.demo import generate
    from accord.planning.pipeline import _ordered
    from accord.services.snapshot import build_snapshot

    snap = build_snapshot(generate("small"))
    by_close = _ordered(snap, None, "default")  # type: ignore[arg-type]
    last = snap.opportunities_by_id[by_close[-1]].customer
    tiers = {c.customer: "C" for c in snap.customers} | {last: "A"}
    ordered = _ordered(snap, None, "default", tiers)  # type: ignore[arg-type]
    firsts = [snap.opportunities_by_id[o].customer for o in ordered[:3]]
    # The customer whose deal came last by close date now comes first, deals by close date.
    assert firsts[0] == last
    mine = [o for o in ordered if snap.opportunities_by_id[o].customer == last]
    assert ordered[: len(mine)] == mine


def test_monte_carlo_charges_nothing_for_lines_served_from_stock() -> None:
    # 300 widgets in stock serve both deals: no draw makes anything, nothing overloads,
    # although the deterministic pipeline load of the same deals would fill January.
    state = plant(**deals(("OPP-A", "2025-01-10", 0.9, 120, "2025-02-10"),
                          ("OPP-B", "2025-01-20", 0.5, 120, "2025-02-10")),
                  calendar_exceptions=paint_two_mondays(),
                  inventory=({"sku": "WIDGET", "on_hand": 300.0},))  # fmt: skip
    result = pipeline(state, PipelineParams(draws=500, seed=3))
    assert all(r["overload_probability"] == 0 for r in result.load)
    assert all(r["pipeline"] == 0 for r in result.load)
    assert [x.verdict for x in result.deals] == ["on_time", "on_time"]


def test_a_deal_that_cannot_be_delivered_at_all_is_short_and_at_risk() -> None:
    # GADGET has no routing, no BOM, no lead time and no stock: it can only be short,
    # which puts the deal's value at risk, never on time.
    spec = deals(("OPP-A", "2025-01-10", 0.9, 10, "2025-01-20"))
    spec["opportunity_lines"] = (
        {"opportunity_id": "OPP-A", "line": 1, "sku": "GADGET", "quantity": 10},
    )
    base = plant(**spec, products=(
        {"sku": "GADGET", "name": "Gadget", "unit_price": 7.0, "material_cost": 2.0},
        {"sku": "WIDGET", "name": "Widget", "unit_price": 50.0, "material_cost": 20.0},
    ), routings=({"sku": "WIDGET", "step": 1, "resource": "PAINT", "minutes_per_unit": 4.0},),
        bom=())  # fmt: skip
    result = pipeline(base)
    (deal,) = result.deals
    assert (deal.verdict, deal.earliest_date) == ("short", None)
    assert result.value_at_risk == 70
