"""S&OP scenarios: named changes to the inputs, planned beside the base plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import BadInput
from accord.io.files import read_dataset
from accord.planning.demand_plan import DemandParams, DemandPlan, demand_plan
from accord.planning.scenarios import Change, Scenario, apply
from accord.planning.sop import SopParams
from accord.services import plan as service
from accord.services.company import Company
from accord.services.snapshot import build_snapshot

TINY = Path(__file__).parents[1] / "data" / "tiny"


@pytest.fixture(scope="module")
def company() -> Company:
    dataset = read_dataset(TINY)
    return Company(dataset, None, "tiny", build_snapshot(dataset))


def months(company: Company, *changes: Change) -> tuple[DemandPlan, int]:
    changed = apply(company.dataset, Scenario("what if", changes))
    plan = demand_plan(build_snapshot(changed), DemandParams("month", 3))
    return plan, plan.skus.index("PUMP-200")


def test_winning_a_deal_makes_its_lines_firm(company: Company) -> None:
    # OPP-8: 100 PUMP-200 requested 2026-12-18 at 50 %: firm 100 in December instead of
    # likely 50; the forecast 120 still tops it: forecast only 20.
    plan, i = months(company, Change("win_deal", "OPP-8"))
    assert plan.firm[i].tolist() == [55, 100, 0]
    assert plan.likely[i].tolist() == [0, 0, 0]
    assert plan.forecast_only[i].tolist() == [0, 20, 0]


def test_losing_a_customer_cancels_its_orders_and_deals(company: Company) -> None:
    # NORDWIND holds SO-1001 (40 PUMP-200, 20 PUMP-300) and OPP-8: only SO-1002's 15 stay.
    plan, _ = months(company, Change("lose_customer", "NORDWIND"))
    assert plan.firm.sum() == 15
    assert plan.likely.sum() == 0


def test_losing_a_deal_drops_its_likely_demand(company: Company) -> None:
    plan, _ = months(company, Change("lose_deal", "OPP-8"))
    assert plan.likely.sum() == 0


def test_the_original_dataset_is_untouched(company: Company) -> None:
    apply(company.dataset, Scenario("x", (Change("price", "PUMP-200", 1.0),)))
    assert company.dataset.rows("products")[0]["unit_price"] == 120


def test_capacity_and_workers_change_the_resources(company: Company) -> None:
    changed = apply(
        company.dataset,
        Scenario("more", (Change("add_workers", "ASSY", 1), Change("capacity", "PAINT", 0.5),
                          Change("add_workers", "PAINT", 1))),
    )  # fmt: skip
    snap = build_snapshot(changed)
    assy, paint = snap.resources_by_id["ASSY"], snap.resources_by_id["PAINT"]
    assert assy.workers == 4
    # 480 halved, then a second shift: 240 x 2 = 480.
    assert paint.weekday_minutes[0] == 480


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (Change("price", "NOPE", 3.0), "no products row 'NOPE'"),
        (Change("win_deal", "OPP-7"), "OPP-7 is closed"),
        (Change("lose_customer", "ACME"), "no customers row 'ACME'"),
    ],
)
def test_changes_naming_unknown_things_are_refused(
    company: Company, change: Change, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        apply(company.dataset, Scenario("bad", (change,)))


def test_changes_validate_themselves() -> None:
    with pytest.raises(ValueError, match="change kind must be one of"):
        Change("double_it", "ASSY")
    with pytest.raises(ValueError, match="value must be a number"):
        Change("price", "PUMP-200")


def test_scenarios_are_planned_beside_the_base(company: Company) -> None:
    scenarios = service.scenarios_from(
        [
            {"name": "win OPP-8", "changes": [{"kind": "win_deal", "target": "OPP-8"}]},
            {"name": "dearer pumps",
             "changes": [{"kind": "price", "target": "PUMP-200", "value": 150}]},
        ]
    )  # fmt: skip
    result = service.run_scenarios(company, SopParams(periods=3), scenarios)
    assert [s["name"] for s in result["scenarios"]] == ["win OPP-8", "dearer pumps"]
    dearer = result["scenarios"][1]
    # Same plan, PUMP-200 sold 175 units at 30 more: revenue + 5,250, cost unchanged.
    assert dearer["revenue"] - result["base"]["revenue"] == pytest.approx(175 * 30)
    assert dearer["difference"]["total_cost"] == pytest.approx(0, abs=1e-6)
    assert dearer["difference"]["profit"] == pytest.approx(175 * 30)


def test_bad_scenario_input_is_bad_input(company: Company) -> None:
    with pytest.raises(BadInput, match="scenarios"):
        service.scenarios_from([{"name": "x"}])
    with pytest.raises(BadInput, match="unique"):
        service.run_scenarios(
            company,
            SopParams(periods=3),
            service.scenarios_from(
                [{"name": "a", "changes": [{"kind": "lose_deal", "target": "OPP-8"}]}] * 2
            ),
        )
    with pytest.raises(BadInput, match="scenario 'b'"):
        service.run_scenarios(
            company,
            SopParams(periods=3),
            service.scenarios_from(
                [{"name": "b", "changes": [{"kind": "lose_deal", "target": "OPP-99"}]}]
            ),
        )
