"""The S&OP supply LP on hand-worked aggregate planning cases.

Most cases plan one product made by one crew over three months, with round numbers:
each worker gives 1,000 regular minutes a period (paid 1 per minute whether used or not:
1,000 a period), the product takes 10 minutes a unit, so one worker makes 100 units a
period; material is 5 a unit.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.io.files import read_dataset
from accord.planning import lp
from accord.planning.demand_plan import plan_periods
from accord.planning.sop import (
    SopParams,
    compare_plans,
    compare_strategies,
    plan_strategy,
    plan_supply,
)
from accord.planning.sop_data import SupplyData
from accord.planning.sop_result import SupplyPlan
from accord.planning.strategies import supply_target
from accord.services.snapshot import build_snapshot

TINY = Path(__file__).parents[1] / "data" / "tiny"
PERIODS = plan_periods(dt.date(2026, 1, 5), "month", 12)
NAN = float("nan")


def pump_crew(demand: list[float], **changes: Any) -> SupplyData:
    """One product (PUMP) on one crew (ASSY) of 2 workers; ``changes`` override fields."""
    T = len(demand)
    fields: dict[str, Any] = dict(
        level="sku",
        items=("PUMP",),
        firm=np.array([demand], dtype=float),
        likely=np.zeros((1, T)),
        forecast_only=np.zeros((1, T)),
        receipts=np.zeros((1, T)),
        on_hand=np.array([0.0]),
        price=np.array([50.0]),
        material=np.array([5.0]),
        holding=np.array([5.0]),
        backlog=np.array([1000.0]),
        sub_cost=np.array([NAN]),
        sub_max=np.array([0.0]),
        min_end=np.array([0.0]),
        minutes=np.array([[10.0]]),
        resources=("ASSY",),
        is_crew=np.array([True]),
        regular=np.full((1, T), 1000.0),
        overtime=np.full((1, T), 500.0),
        regular_cost=np.array([1.0]),
        overtime_cost=np.array([2.0]),
        workers=np.array([2.0]),
        min_workers=np.array([0.0]),
        max_workers=np.array([10.0]),
        hire_cost=np.array([NAN]),
        layoff_cost=np.array([NAN]),
    )
    fields.update(changes)
    return SupplyData(**fields)


def solve(data: SupplyData, **params: Any) -> SupplyPlan:
    strategy = params.pop("strategy", "optimal")
    return plan_strategy(data, PERIODS[: data.shape[2]], SopParams(**params), strategy)


def test_builds_ahead_when_holding_is_cheaper_than_overtime() -> None:
    # Demand 100, 250, 100; 2 workers make 200 a period on regular time (paid anyway).
    # Period 2 is 50 short: hold 50 from period 1 (5 each = 250) or work 500 overtime
    # minutes in period 2 (2 each = 1,000). Holding wins: made 150, 200, 100.
    # Cost: regular 2 x 1,000 x 3 = 6,000 + holding 250 + material 450 x 5 = 2,250 = 8,500.
    plan = solve(pump_crew([100, 250, 100]))
    assert plan.made[0] == pytest.approx([150, 200, 100], abs=1e-6)
    assert plan.inventory[0] == pytest.approx([50, 0, 0], abs=1e-6)
    assert plan.total_cost == pytest.approx(8_500)
    assert plan.costs["holding"] == pytest.approx(250)
    assert plan.costs["overtime"] == pytest.approx(0, abs=1e-6)
    # One more regular minute in period 2 saves 0.1 unit held a month: 0.5.
    assert plan.capacity_dual[0, 1] == pytest.approx(0.5, abs=1e-6)
    assert plan.capacity_dual[0, 0] == pytest.approx(0, abs=1e-6)


def test_works_overtime_when_it_is_cheaper_than_holding() -> None:
    # Same demand, holding 30 a unit: 50 held = 1,500 > 500 overtime minutes x 2 = 1,000.
    # Cost: 6,000 + 1,000 + 2,250 = 9,250. A regular minute in period 2 saves an overtime
    # minute: worth 2.
    plan = solve(pump_crew([100, 250, 100], holding=np.array([30.0])))
    assert plan.made[0] == pytest.approx([100, 250, 100], abs=1e-6)
    assert plan.overtime_minutes[0] == pytest.approx([0, 500, 0], abs=1e-6)
    assert plan.total_cost == pytest.approx(9_250)
    assert plan.capacity_dual[0, 1] == pytest.approx(2.0, abs=1e-6)
    prices = plan.shadow_prices()
    assert prices[0]["resource"] == "ASSY" and prices[0]["value_per_minute"] == pytest.approx(2)


def test_hires_when_hiring_is_cheaper_than_subcontracting() -> None:
    # Demand 400 a period, 2 workers make 200, no overtime. Two more workers cost
    # hire 2 x 500 + regular 2 x 1,000 x 3 = 7,000 for 600 units (11.67 + material 5 =
    # 16.67 a unit) against subcontracting at 20 a unit: hire 2 in period 1.
    # Cost: hiring 1,000 + regular 4 x 1,000 x 3 = 12,000 + material 1,200 x 5 = 6,000.
    data = pump_crew(
        [400, 400, 400],
        overtime=np.zeros((1, 3)),
        hire_cost=np.array([500.0]),
        sub_cost=np.array([20.0]),
        sub_max=np.array([np.inf]),
    )
    plan = solve(data)
    assert plan.hired[0] == pytest.approx([2, 0, 0], abs=1e-6)
    assert plan.workers[0] == pytest.approx([4, 4, 4], abs=1e-6)
    assert plan.subcontracted.sum() == pytest.approx(0, abs=1e-6)
    assert plan.total_cost == pytest.approx(19_000)


def test_subcontracts_when_buying_outside_is_cheaper_than_hiring() -> None:
    # Same, subcontracting at 10 a unit < 16.67: buy 200 a period outside.
    # Cost: regular 6,000 + material 600 x 5 = 3,000 + subcontract 600 x 10 = 6,000.
    data = pump_crew(
        [400, 400, 400],
        overtime=np.zeros((1, 3)),
        hire_cost=np.array([500.0]),
        sub_cost=np.array([10.0]),
        sub_max=np.array([np.inf]),
    )
    plan = solve(data)
    assert plan.subcontracted[0] == pytest.approx([200, 200, 200], abs=1e-6)
    assert plan.hired.sum() == pytest.approx(0, abs=1e-6)
    assert plan.total_cost == pytest.approx(15_000)


def test_a_subcontract_limit_per_period_is_kept() -> None:
    # Only 150 a period may be bought: the other 50 a period come from hiring 0.5 worker.
    data = pump_crew(
        [400, 400, 400],
        overtime=np.zeros((1, 3)),
        hire_cost=np.array([500.0]),
        sub_cost=np.array([10.0]),
        sub_max=np.array([150.0]),
    )
    plan = solve(data)
    assert plan.subcontracted[0] == pytest.approx([150, 150, 150], abs=1e-6)
    assert plan.hired[0] == pytest.approx([0.5, 0, 0], abs=1e-6)


def test_lays_off_when_demand_drops_and_layoffs_pay() -> None:
    # Demand 100 a period needs 1 worker; the second costs 3,000 over the horizon and
    # laying them off costs 800: lay off 1 in period 1.
    plan = solve(pump_crew([100, 100, 100], layoff_cost=np.array([800.0])))
    assert plan.laid_off[0] == pytest.approx([1, 0, 0], abs=1e-6)
    assert plan.costs["layoff"] == pytest.approx(800)
    assert plan.costs["regular"] == pytest.approx(3_000)


def test_backlog_carries_demand_over_and_stays_unmet_when_allowed() -> None:
    # Demand 300, 100, 300 against 200 a period (no overtime, hiring or subcontracting):
    # 100 late after period 1, caught up in period 2, 100 unmet at the end.
    # Backlog 1 a unit a period: 100 + 0 + 100 = 200. Cost 6,000 + 3,000 + 200 = 9,200.
    data = pump_crew([300, 100, 300], overtime=np.zeros((1, 3)), backlog=np.array([1.0]))
    plan = solve(data, allow_ending_backlog=True)
    assert plan.backlog[0] == pytest.approx([100, 0, 100], abs=1e-6)
    assert plan.total_cost == pytest.approx(9_200)
    assert plan.unmet_demand() == [{"item": "PUMP", "quantity": 100.0, "revenue": 5_000.0}]


def test_demand_beyond_capacity_without_ending_backlog_names_the_end_conditions() -> None:
    data = pump_crew([300, 100, 300], overtime=np.zeros((1, 3)))
    with pytest.raises(lp.Infeasible, match=r"end conditions.*--allow-ending-backlog"):
        solve(data)


def test_an_unreachable_ending_inventory_names_it() -> None:
    # 2 workers and 500 overtime minutes a period make at most 250 a period: 750 in all,
    # 300 of it needed for demand; 1,000 at the end cannot be built.
    data = pump_crew([100, 100, 100], min_end=np.array([1_000.0]))
    with pytest.raises(lp.Infeasible, match="minimum ending inventories"):
        solve(data, allow_ending_backlog=True)


def test_workers_outside_their_limits_without_hiring_are_infeasible() -> None:
    data = pump_crew([100, 100, 100], min_workers=np.array([3.0]))
    with pytest.raises(lp.Infeasible, match=r"workforce"):
        solve(data)


def test_minimum_ending_inventory_is_built() -> None:
    # 40 more in the last period: made 100, 100, 140; held 40 at the end (5 x 40 = 200).
    plan = solve(pump_crew([100, 100, 100], min_end=np.array([40.0])))
    assert plan.inventory[0, -1] == pytest.approx(40, abs=1e-6)
    assert plan.made.sum() == pytest.approx(340, abs=1e-6)


def test_integer_workers_round_the_hire_up() -> None:
    # 250 a period needs 2.5 workers. LP: hire 0.5 (cost 50 + regular 2.5 x 3,000 = 7,500
    # + material 3,750 = 11,300). MIP: hire 1 (100 + 9,000 + 3,750 = 12,850).
    data = pump_crew([250, 250, 250], overtime=np.zeros((1, 3)), hire_cost=np.array([100.0]))
    relaxed = solve(data)
    whole = solve(data, integer=True)
    assert relaxed.hired[0, 0] == pytest.approx(0.5, abs=1e-6)
    assert relaxed.total_cost == pytest.approx(11_300)
    assert whole.hired[0] == pytest.approx([1, 0, 0], abs=1e-6)
    assert whole.total_cost == pytest.approx(12_850)
    assert whole.solver == "mip"
    assert whole.shadow_prices() == []


def test_profit_leaves_unprofitable_demand_unserved_when_backlog_may_remain() -> None:
    # Demand 100, 100, 250 at price 8 (holding 30, backlog 1 a unit a period). The last
    # period is 50 over regular capacity: overtime costs 10 min x 2 + material 5 = 25 a
    # unit and building ahead 30 + 5, both more than the price: left unmet (loses 8 + 1).
    # Profit = 400 served x 8 - (regular 6,000 + material 400 x 5 + backlog 50) = -4,850.
    data = pump_crew(
        [100, 100, 250], price=np.array([8.0]), holding=np.array([30.0]), backlog=np.array([1.0])
    )
    plan = solve(data, objective="profit", allow_ending_backlog=True)
    assert plan.backlog[0] == pytest.approx([0, 0, 50], abs=1e-6)
    assert plan.overtime_minutes.sum() == pytest.approx(0, abs=1e-6)
    assert plan.profit == pytest.approx(-4_850)
    # Minimising cost serves it on overtime: demand is given up only when capacity ends.
    cheapest = solve(data, allow_ending_backlog=True)
    assert cheapest.backlog.sum() == pytest.approx(0, abs=1e-6)
    assert cheapest.overtime_minutes[0] == pytest.approx([0, 0, 500], abs=1e-6)


def test_level_and_chase_are_costed_like_the_optimum() -> None:
    # Demand 100, 250, 100 (holding 5): chase makes exactly the demand (overtime 500 min
    # in period 2: 9,250 with its 1,000 overtime); level supplies 150 each period: 50 held
    # after period 1 (250), 50 late after period 2 (backlog 1,000 a unit: 50,000), so
    # 6,000 + 250 + 50,000 + 2,250 = 58,500 against the optimum's 8,500.
    data = pump_crew([100, 250, 100])
    assert supply_target(data, "chase")[0] == pytest.approx([100, 250, 100])
    assert supply_target(data, "level")[0] == pytest.approx([150, 150, 150])
    chase = solve(data, strategy="chase")
    level = solve(data, strategy="level")
    assert chase.total_cost == pytest.approx(9_250)
    assert level.total_cost == pytest.approx(58_500)
    assert level.backlog[0] == pytest.approx([0, 50, 0], abs=1e-6)
    assert chase.strategy == "chase"


def test_chase_uses_stock_first() -> None:
    data = pump_crew([100, 250, 100], on_hand=np.array([120.0]))
    assert supply_target(data, "chase")[0] == pytest.approx([0, 230, 100])
    assert supply_target(data, "level")[0] == pytest.approx([110, 110, 110])


def test_a_strategy_beyond_capacity_is_named() -> None:
    data = pump_crew([500, 0, 0], overtime=np.zeros((1, 3)), backlog=np.array([1.0]))
    with pytest.raises(lp.Infeasible, match=r"chase.*supply targets"):
        solve(data, strategy="chase", allow_ending_backlog=True)


def test_interior_point_runs_when_asked_and_is_recorded() -> None:
    # A larger random model so that presolve does not solve it alone.
    plan = solve(
        random_data(np.random.default_rng(5), items=30, periods=3),
        solver="ipm",
        allow_ending_backlog=True,
    )
    assert plan.solver == "ipm"
    assert plan.to_json()["solver"] == "ipm"
    simplex = solve(
        random_data(np.random.default_rng(5), items=30, periods=3),
        solver="simplex",
        allow_ending_backlog=True,
    )
    assert simplex.solver in ("simplex", "presolve")
    assert simplex.total_cost == pytest.approx(plan.total_cost, rel=1e-6)


def random_data(rng: np.random.Generator, items: int, periods: int) -> SupplyData:
    R = 3
    return SupplyData(
        level="sku",
        items=tuple(f"SKU-{i}" for i in range(items)),
        firm=rng.integers(0, 50, (items, periods)).astype(float),
        likely=rng.uniform(0, 20, (items, periods)),
        forecast_only=rng.uniform(0, 10, (items, periods)),
        receipts=np.where(rng.random((items, periods)) < 0.2, 10.0, 0.0),
        on_hand=rng.integers(0, 30, items).astype(float),
        price=rng.uniform(20, 60, items),
        material=rng.uniform(2, 10, items),
        holding=rng.uniform(0.1, 2, items),
        backlog=rng.uniform(1, 5, items),
        sub_cost=np.where(rng.random(items) < 0.5, rng.uniform(10, 40, items), NAN),
        sub_max=rng.uniform(0, 30, items),
        min_end=rng.integers(0, 5, items).astype(float),
        minutes=rng.uniform(0, 6, (items, R)) * (rng.random((items, R)) < 0.7),
        resources=("SAW", "PAINT", "ASSY"),
        is_crew=np.array([False, False, True]),
        regular=np.array([[2400.0] * periods, [1800.0] * periods, [480.0] * periods]),
        overtime=np.array([[400.0] * periods, [300.0] * periods, [60.0] * periods]),
        regular_cost=rng.uniform(0.2, 1.0, R),
        overtime_cost=rng.uniform(1.0, 2.0, R),
        workers=np.array([0.0, 0.0, 3.0]),
        min_workers=np.array([0.0, 0.0, 1.0]),
        max_workers=np.array([np.inf, np.inf, 8.0]),
        hire_cost=np.array([NAN, NAN, 300.0]),
        layoff_cost=np.array([NAN, NAN, 400.0]),
    )


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    items=st.integers(1, 6),
    periods=st.integers(1, 5),
    profit=st.booleans(),
)
def test_a_plan_conserves_demand(seed: int, items: int, periods: int, profit: bool) -> None:
    # Stock + receipts + made + subcontracted - ending inventory + ending backlog = demand.
    data = random_data(np.random.default_rng(seed), items, periods)
    plan = solve(data, allow_ending_backlog=True, objective="profit" if profit else "cost")
    supplied = data.on_hand + data.receipts.sum(1) + plan.made.sum(1) + plan.subcontracted.sum(1)
    balance = supplied - plan.inventory[:, -1] + plan.backlog[:, -1]
    assert balance == pytest.approx(data.demand.sum(1), abs=1e-5)
    # Every period balances too, and capacity holds.
    load = data.minutes.T @ plan.made
    capacity = plan.regular_capacity + np.where(
        data.is_crew[:, None], data.overtime * plan.workers, data.overtime
    )
    assert (load <= capacity + 1e-5).all()
    assert (plan.subcontracted <= data.sub_max[:, None] + 1e-6).all()
    assert (plan.inventory[:, -1] >= data.min_end - 1e-6).all()


def test_same_input_same_plan() -> None:
    data = random_data(np.random.default_rng(11), 8, 4)
    a, b = solve(data), solve(data)
    assert a.to_json() | {"solve_seconds": 0, "build_seconds": 0} == b.to_json() | {
        "solve_seconds": 0,
        "build_seconds": 0,
    }


def test_tiny_company_plan_has_the_spec_shape() -> None:
    # Tiny Pumps: PUMP-200 demand Nov 55 firm (15 overdue + 40), Dec 50 likely + 70
    # forecast only (forecast 120); PUMP-300 20 firm in Nov. Stock: 30 PUMP-200.
    snapshot = build_snapshot(read_dataset(TINY))
    plan = plan_supply(snapshot, SopParams(periods=3))
    data = plan.to_json()
    assert data["status"] == "optimal"
    assert set(data["costs"]) == {
        "regular",
        "overtime",
        "hiring",
        "layoff",
        "holding",
        "backlog",
        "material",
        "subcontract",
    }
    nov, dec = data["periods"][0], data["periods"][1]
    assert nov["demand"] == {"firm": 75.0, "likely": 0.0, "forecast_only": 0.0, "total": 75.0}
    assert dec["demand"] == {"firm": 0.0, "likely": 50.0, "forecast_only": 70.0, "total": 120.0}
    # 145 PUMP-200 made (175 - 30 in stock) and 20 PUMP-300.
    assert nov["made"] + dec["made"] + data["periods"][2]["made"] == pytest.approx(165)
    keys = {
        "resource",
        "period_start",
        "load_minutes",
        "regular_minutes",
        "overtime_minutes",
        "workers",
        "hired",
        "laid_off",
        "utilization",
    }
    assert keys <= set(data["resources"][0])
    # The assembly crew has 3 workers, needs few, may go down to 2 (layoff 3,000 <
    # 3 months of a worker's regular pay 0.6 x 450 x ~60 working days): one is laid off.
    assy = [r for r in data["resources"] if r["resource"] == "ASSY"]
    assert assy[0]["laid_off"] == pytest.approx(1)
    # Inventory investment today: 30 x 40 + 150 x 6 (valves) = 2,100.
    assert data["inventory_investment_today"] == pytest.approx(2_100)


def test_family_level_groups_products_by_family() -> None:
    snapshot = build_snapshot(read_dataset(TINY))
    plan = plan_supply(snapshot, SopParams(periods=3, level="family"))
    assert plan.data.items == ("Pumps", "Valves")
    # Pumps: PUMP-200 may be bought outside (95 a unit, 50 a period), PUMP-300 may not:
    # the family may buy up to 50 a period at 95.
    assert plan.data.sub_max.tolist() == [50.0, 0.0]
    assert plan.data.sub_cost[0] == pytest.approx(95)
    sku = plan_supply(snapshot, SopParams(periods=3))
    assert plan.data.demand.sum() == pytest.approx(sku.data.demand.sum())


def test_strategies_side_by_side_on_the_tiny_company() -> None:
    comparison = compare_strategies(build_snapshot(read_dataset(TINY)), SopParams(periods=3))
    rows = comparison.to_json()["strategies"]
    assert [r["strategy"] for r in rows] == ["optimal", "level", "chase"]
    optimum = rows[0]["total_cost"]
    assert all(r["total_cost"] >= optimum - 1e-6 for r in rows)
    assert "level" in str(comparison)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("objective", "revenue", "objective must be one of"),
        ("strategy", "greedy", "strategy must be one of"),
        ("periods", 0, "periods must be within"),
        ("period", "day", "period must be one of"),
        ("level", "plant", "level must be one of"),
        ("time_limit", 0, "time_limit must be > 0"),
    ],
)
def test_params_name_the_bad_field(field: str, value: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SopParams(**{field: value})


def test_capacity_past_the_horizon_is_refused() -> None:
    snapshot = build_snapshot(read_dataset(TINY), horizon_days=40)
    with pytest.raises(Exception, match="horizon"):
        plan_supply(snapshot, SopParams(periods=3))


def test_a_classic_plan_capacity_cannot_carry_is_listed_as_infeasible() -> None:
    # Chase must make 500 in period 1 where 2 workers make 200: infeasible; level makes
    # 166.67 a period and is fine (backlog 1 a unit a period in between).
    data = pump_crew([500, 0, 0], overtime=np.zeros((1, 3)), backlog=np.array([1.0]))
    comparison = compare_plans(data, PERIODS[:3], SopParams())
    assert list(comparison.infeasible) == ["chase"]
    assert "supply targets" in comparison.infeasible["chase"]
    assert "chase     infeasible" in str(comparison)
    rows = comparison.to_json()["strategies"]
    assert [(r["strategy"], r["status"]) for r in rows] == [
        ("optimal", "optimal"),
        ("level", "optimal"),
        ("chase", "infeasible"),
    ]
