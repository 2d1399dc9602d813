"""Domain objects from dataset rows: defaults applied, invariants checked."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.domain import company
from accord.domain.dataset import TABLES
from accord.domain.model import BomLine, Product, Resource
from accord.domain.sales import Opportunity, Order

DUE = dt.date(2025, 2, 3)


def test_product_defaults_match_the_dataset_columns() -> None:
    product = company.product_from_row(
        {"sku": "PUMP-200", "unit_price": 250.0, "material_cost": 90.0}
    )
    columns = TABLES["products"]

    for name in ("lead_time_days", "lot_size", "safety_stock", "holding_cost", "active"):
        assert getattr(product, name) == columns.column(name).default, name
    assert product.name == "PUMP-200"
    assert product.subcontract_cost is None and not product.can_subcontract
    assert product.throughput_per_unit == 160.0


def test_order_defaults_match_the_dataset_columns() -> None:
    row = {"order_id": "SO-1", "customer": "ACME", "sku": "PUMP-200", "quantity": 5.0}
    order = company.order_from_row({**row, "due_date": DUE, "line": None, "priority": None})
    columns = TABLES["orders"]

    assert order.line == columns.column("line").default == 1
    assert order.priority == columns.column("priority").default == 3
    assert order.status == columns.column("status").default == "open"
    assert order.is_open and order.commit_date == DUE and order.key == ("SO-1", 1)


def test_resource_defaults_a_crew_to_one_worker_and_a_machine_factor_to_one() -> None:
    week = {d: 480.0 for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    crew = company.resource_from_row({"resource": "ASSY", "kind": "crew", **week})
    machine = company.resource_from_row({"resource": "PAINT", "workers": 4, **week})

    assert crew.is_crew and crew.workers == 1 and crew.capacity_factor == 1
    assert machine.kind == TABLES["resources"].column("kind").default
    assert machine.capacity_factor == 1 and machine.name == "PAINT"


def test_customer_checklist_scores_are_floats() -> None:
    customer = company.customer_from_row(
        {"customer": "ACME", "attributes": {"shared_vision": "4", "values": "2.5"}}
    )

    assert dict(customer.checklist) == {"shared_vision": 4.0, "values": 2.5}


def test_opportunity_closed_stages_in_any_spelling() -> None:
    def deal(stage: str) -> Opportunity:
        return Opportunity("OPP-1", "ACME", stage, 0.5)

    assert deal("Closed Won").is_won and deal("won").is_closed
    assert deal("Closed Lost").is_lost and not deal("lost").is_won
    assert deal("Proposal").is_open


def test_invalid_values_name_the_field() -> None:
    with pytest.raises(ValueError, match="lot_size must be > 0"):
        Product("PUMP-200", "Pump", None, 250.0, 90.0, lot_size=0.0)
    with pytest.raises(ValueError, match="material_cost must be >= 0"):
        Product("PUMP-200", "Pump", None, 250.0, -1.0)
    with pytest.raises(ValueError, match="kind must be one of"):
        Resource("OVEN", "Oven", "robot", (0.0,) * 7)
    with pytest.raises(ValueError, match="sat must be >= 0"):
        Resource("OVEN", "Oven", "machine", (0.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0))
    with pytest.raises(ValueError, match="min_workers must be <= max_workers"):
        Resource("ASSY", "Crew", "crew", (0.0,) * 7, min_workers=5, max_workers=2)
    with pytest.raises(ValueError, match="component must differ"):
        BomLine("PUMP-200", "PUMP-200", 1.0)
    with pytest.raises(ValueError, match="priority must be >= 1"):
        Order("SO-1", 1, "ACME", "PUMP-200", 1.0, DUE, priority=0)
    with pytest.raises(ValueError, match=r"probability must be within 0\.\.1"):
        Opportunity("OPP-1", "ACME", "Proposal", 1.5)


def test_a_bad_row_is_reported_with_its_table_and_row_number() -> None:
    rows = (
        {"sku": "PUMP-200", "unit_price": 250.0, "material_cost": 90.0},
        {"sku": "VALVE-10", "unit_price": 30.0, "material_cost": -2.0},
    )
    with pytest.raises(company.RowError, match=r"products row 2: .*material_cost"):
        company.build_rows("products", rows, company.product_from_row)


def test_domain_objects_are_frozen() -> None:
    product = Product("PUMP-200", "Pump", None, 250.0, 90.0)
    with pytest.raises(AttributeError):
        product.unit_price = 1.0
