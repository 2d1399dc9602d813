"""The demand plan: firm, likely and forecast per SKU and period, consumed per SPEC §5.4."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.domain.dataset import Dataset, Row
from accord.io.files import read_dataset
from accord.planning.demand_plan import DemandParams, demand_plan, plan_periods
from accord.services.snapshot import build_snapshot

TINY = Path(__file__).parents[1] / "data" / "tiny"


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_periods_start_at_the_week_or_month_containing_as_of() -> None:
    weeks = plan_periods(d("2026-11-04"), "week", 2)  # a Wednesday
    assert [(p.start, p.end) for p in weeks] == [
        (d("2026-11-02"), d("2026-11-09")),
        (d("2026-11-09"), d("2026-11-16")),
    ]
    months = plan_periods(d("2026-12-31"), "month", 3)
    assert [p.start for p in months] == [d("2026-12-01"), d("2027-01-01"), d("2027-02-01")]
    assert months[1].last_day == d("2027-01-31")


def test_tiny_company_months() -> None:
    # As of 2026-11-02, months. PUMP-200: SO-1002 15 overdue (due 10-30) and SO-1001/1 40
    # due 11-20 -> Nov firm 55; OPP-8 0.5 x 100 requested 12-18 -> Dec likely 50; forecast
    # Dec 120 -> demand max(120, 50) = 120, forecast only 70. PUMP-300: SO-1001/2 20 in Nov.
    # OPP-7 is won (closed): not likely demand.
    plan = demand_plan(build_snapshot(read_dataset(TINY)), DemandParams("month", 3))
    i200, i300 = plan.skus.index("PUMP-200"), plan.skus.index("PUMP-300")
    assert plan.firm[i200].tolist() == [55, 0, 0]
    assert plan.firm[i300].tolist() == [20, 0, 0]
    assert plan.likely[i200].tolist() == [0, 50, 0]
    assert plan.forecast[i200].tolist() == [0, 120, 0]
    assert plan.demand[i200].tolist() == [55, 120, 0]
    assert plan.forecast_only[i200].tolist() == [0, 70, 0]
    totals = plan.period_totals()
    assert totals[1] == {
        "period_start": "2026-12-01",
        "period_end": "2026-12-31",
        "firm": 0.0,
        "likely": 50.0,
        "forecast_only": 70.0,
        "total": 120.0,
    }


def test_a_monthly_forecast_is_spread_over_working_days_of_weeks() -> None:
    # December 2026 has 23 weekdays (the crews work Mon-Fri). Week of Nov 30 holds Dec 1-4:
    # 4/23 x 120 = 20.87; week of Dec 7: 5/23 x 120 = 26.09; week of Dec 14 also 26.09 but
    # the likely 50 is more: demand 50, forecast only 0.
    plan = demand_plan(build_snapshot(read_dataset(TINY)), DemandParams("week", 10))
    i = plan.skus.index("PUMP-200")
    assert plan.forecast[i, 4] == pytest.approx(120 * 4 / 23)
    assert plan.forecast[i, 5] == pytest.approx(120 * 5 / 23)
    assert plan.demand[i, 6] == pytest.approx(50)
    assert plan.forecast_only[i, 6] == pytest.approx(0)
    # The cell is cut by the plan's 10 weeks (to 2027-01-10): all 23 days are inside.
    assert plan.forecast[i].sum() == pytest.approx(120)


def test_a_horizon_cutting_a_forecast_cell_keeps_its_share_only() -> None:
    # 5 weeks from 2026-11-02 end on Dec 6: Dec 1-4 are 4 of 23 working days.
    plan = demand_plan(build_snapshot(read_dataset(TINY)), DemandParams("week", 5))
    assert plan.forecast.sum() == pytest.approx(120 * 4 / 23)


def company(**tables: tuple[Row, ...]) -> Dataset:
    base: dict[str, tuple[Row, ...]] = {
        "settings": ({"key": "as_of", "value": "2026-03-04"},),
        "products": (
            {"sku": "DRILL", "family": "Tools", "unit_price": 90.0, "material_cost": 30.0},
            {"sku": "SAW", "family": "Tools", "unit_price": 60.0, "material_cost": 20.0},
            {"sku": "GLUE", "unit_price": 5.0, "material_cost": 1.0},
        ),
        "customers": ({"customer": "ACME"},),
    }
    base.update(tables)
    return Dataset(tables=base)


def deal(opp: str, stage: str, probability: float, **extra: Any) -> Row:
    return {"opportunity_id": opp, "customer": "ACME", "stage": stage,
            "probability": probability, **extra}  # fmt: skip


def test_likely_uses_the_line_date_else_the_close_date_and_skips_closed_deals() -> None:
    data = company(
        opportunities=(
            deal("O1", "Proposal", 0.4, close_date=d("2026-04-10")),
            deal("O2", "Closed Won", 1.0, close_date=d("2026-03-10")),
            deal("O3", "Demo", 0.5),
        ),
        opportunity_lines=(
            {"opportunity_id": "O1", "line": 1, "sku": "DRILL", "quantity": 10.0},
            {"opportunity_id": "O1", "line": 2, "sku": "SAW", "quantity": 20.0,
             "requested_date": d("2026-05-02")},
            {"opportunity_id": "O2", "line": 1, "sku": "DRILL", "quantity": 99.0},
            {"opportunity_id": "O3", "line": 1, "sku": "GLUE", "quantity": 8.0},
        ),
    )  # fmt: skip
    plan = demand_plan(build_snapshot(data), DemandParams("month", 3))
    # DRILL 0.4 x 10 = 4 in April (close date); SAW 0.4 x 20 = 8 in May (its own date);
    # O2 is closed; O3's line has no date at all: 0.5 x 8 = 4 undated.
    assert plan.likely[0].tolist() == [0, 4, 0]
    assert plan.likely[1].tolist() == [0, 0, 8]
    assert plan.likely[2].sum() == 0
    assert plan.undated_likely == pytest.approx(4)
    names, parts = plan.by_family()
    assert names == ("(no family)", "Tools")
    assert parts["likely"][1].tolist() == [0, 4, 8]
    assert plan.to_json(level="family")["rows"][0]["key"] == "Tools"


def test_demand_beyond_the_last_period_is_left_out() -> None:
    data = company(
        orders=(
            {"order_id": "SO-1", "line": 1, "customer": "ACME", "sku": "GLUE",
             "quantity": 7.0, "due_date": d("2026-09-01"), "priority": None},
        ),
    )  # fmt: skip
    plan = demand_plan(build_snapshot(data), DemandParams("month", 3))
    assert plan.firm.sum() == 0


@settings(max_examples=30, deadline=None)
@given(
    firm=st.lists(st.floats(0, 100), min_size=3, max_size=3),
    likely=st.lists(st.floats(0, 100), min_size=3, max_size=3),
    forecast=st.lists(st.floats(0, 100), min_size=3, max_size=3),
)
def test_demand_is_the_larger_of_forecast_and_known_demand(
    firm: list[float], likely: list[float], forecast: list[float]
) -> None:
    # Parts placed directly on the plan's arrays: demand = max(forecast, firm + likely)
    # and the three reported parts add up to it.
    plan = demand_plan(build_snapshot(company()), DemandParams("month", 3))
    filled = dataclasses.replace(
        plan,
        firm=np.array([firm, [0] * 3, [0] * 3]),
        likely=np.array([likely, [0] * 3, [0] * 3]),
        forecast=np.array([forecast, [0] * 3, [0] * 3]),
    )
    assert (filled.demand >= filled.forecast).all()
    assert (filled.demand >= filled.firm + filled.likely).all()
    assert filled.firm + filled.likely + filled.forecast_only == pytest.approx(filled.demand)
    assert (filled.forecast_only >= 0).all()


def test_same_input_same_plan() -> None:
    a = demand_plan(build_snapshot(read_dataset(TINY)), DemandParams("week", 8))
    b = demand_plan(build_snapshot(read_dataset(TINY)), DemandParams("week", 8))
    assert a.to_json() == b.to_json()


@pytest.mark.parametrize(
    ("period", "periods", "message"),
    [
        ("day", 3, "period must be one of"),
        ("month", 0, "periods must be within"),
        ("week", 2.5, "periods must be a whole number"),
    ],
)
def test_params_name_the_bad_field(period: str, periods: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DemandParams(period, periods)


def test_the_statistical_forecast_fills_what_user_cells_leave_open():
    from pathlib import Path

    from accord.io.files import read_dataset
    from accord.planning.demand_plan import DemandParams, demand_plan
    from accord.services.snapshot import build_snapshot

    tiny = build_snapshot(read_dataset(Path(__file__).parent.parent / "data" / "tiny"))
    december = dt.date(2026, 12, 1)
    statistical = {("PUMP-300", december): 50.0, ("PUMP-200", december): 999.0}
    plan = demand_plan(tiny, DemandParams("month", 3, statistical))
    pump200, pump300 = tiny.sku_index["PUMP-200"], tiny.sku_index["PUMP-300"]
    # December (column 1): PUMP-200 has the user's cell of 120, which wins over 999;
    # PUMP-300 has no user cell, so the statistical 50 is its forecast.
    assert plan.forecast[pump200, 1] == 120.0
    assert plan.forecast[pump300, 1] == 50.0
    # November and January have no statistical cells: nothing is invented.
    assert plan.forecast[pump300, 0] == 0.0 and plan.forecast[pump300, 2] == 0.0
    # Without a statistical forecast the plan is as before.
    assert demand_plan(tiny, DemandParams("month", 3)).forecast[pump300, 1] == 0.0
