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


def test_monte_carlo_gives_the_share_of_draws_over_capacity() -> None:
    # Paint works only on Mon 6 Jan and Mon 3 Feb. OPP-A (150 widgets = 600 min) is
    # delivered on 3 Feb; its load counts in February, whose capacity is 480: every draw
    # that wins OPP-A (probability 0.9) overloads February's paint line.
    closed = [dt.date(2025, 1, 7) + dt.timedelta(days=k) for k in range(25)]
    closed += [dt.date(2025, 2, 4) + dt.timedelta(days=k) for k in range(25)]
    exceptions = tuple({"resource": "PAINT", "date": day, "minutes": 0.0} for day in closed)
    state = plant(**deals(("OPP-A", "2025-01-10", 0.9, 150, "2025-02-10")),
                  calendar_exceptions=exceptions)  # fmt: skip
    result = pipeline(state, PipelineParams(draws=2000, seed=3))
    feb = next(
        r for r in result.load if r["resource"] == "PAINT" and r["period_start"] == "2025-02-01"
    )
    assert feb["overload_probability"] == pytest.approx(0.9, abs=0.03)
    jan = next(
        r for r in result.load if r["resource"] == "PAINT" and r["period_start"] == "2025-01-06"
    )
    assert jan["overload_probability"] == 0
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
