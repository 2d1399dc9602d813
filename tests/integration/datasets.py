"""Small hand-written datasets for the storage tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord.domain.dataset import TABLES, Dataset, Row


def row(table: str, attributes: dict[str, str] | None = None, **values: Any) -> Row:
    """A row as the file readers make it: every column (None when empty), then attributes."""
    unknown = set(values) - set(TABLES[table].column_names)
    assert not unknown, f"{table} has no columns {unknown}"
    return {c: values.get(c) for c in TABLES[table].column_names} | {"attributes": attributes or {}}


def pump_company() -> Dataset:
    """Every kind of value: text, integer, number, date, timestamp, boolean, attributes."""
    return Dataset(
        tables={
            "settings": (
                row("settings", key="as_of", value="2025-03-03"),
                row("settings", key="company", value="Müller Pumpen GmbH"),
            ),
            "products": (
                row(
                    "products",
                    sku="PUMP-200",
                    name="Pump 200 ‘Ω’",
                    family="pumps",
                    unit_price=1250.0,
                    material_cost=0.1 + 0.2,
                    lead_time_days=3,
                    lot_size=1.0,
                    safety_stock=0.0,
                    holding_cost=1e-300,
                    backlog_cost=1.7976931348623157e308,
                    min_ending_inventory=0.0,
                    active=True,
                ),
                row(
                    "products",
                    sku="VALVE-10",
                    unit_price=12.5,
                    material_cost=4.0,
                    lead_time_days=0,
                    lot_size=50.0,
                    safety_stock=5e-324,
                    holding_cost=0.0,
                    backlog_cost=0.0,
                    min_ending_inventory=0.0,
                    active=False,
                ),
            ),
            "customers": (
                row("customers", {"payment": "5", "strategic_fit": "3"}, customer="ACME"),
                row("customers", customer="Beta & Co", segment="OEM", region="north"),
            ),
            "orders": (
                row(
                    "orders",
                    {"color": "red"},
                    order_id="SO-1001",
                    line=1,
                    customer="ACME",
                    sku="PUMP-200",
                    quantity=40.0,
                    due_date=dt.date(2025, 3, 31),
                    promised_date=dt.date(2025, 4, 2),
                    priority=1,
                    status="open",
                    owner="ana",
                ),
                row(
                    "orders",
                    order_id="SO-1001",
                    line=2,
                    customer="Beta & Co",
                    sku="VALVE-10",
                    quantity=2.5,
                    due_date=dt.date(2025, 4, 30),
                    priority=3,
                    status="shipped",
                ),
            ),
            "stage_history": (
                row(
                    "stage_history",
                    opportunity_id="OPP-7",
                    stage="Qualify",
                    entered_at=dt.datetime(2025, 1, 2, 9, 30, 0),
                ),
                row(
                    "stage_history",
                    opportunity_id="OPP-7",
                    stage="Closed Won",
                    entered_at=dt.datetime(2025, 2, 14, 17, 5, 59, 123456),
                    owner="ana",
                    role="AE",
                ),
            ),
            "demand_history": tuple(
                row(
                    "demand_history",
                    sku="PUMP-200",
                    date=dt.date(2024, 1, 1) + dt.timedelta(days=day),
                    quantity=float(day % 7),
                    customer="ACME" if day % 2 else None,
                )
                for day in range(30)
            ),
        }
    )


def valve_company() -> Dataset:
    """A different, smaller dataset to replace the first with."""
    return Dataset(
        tables={
            "products": (
                row(
                    "products",
                    sku="VALVE-20",
                    unit_price=20.0,
                    material_cost=8.0,
                    lead_time_days=1,
                    lot_size=1.0,
                    safety_stock=0.0,
                    holding_cost=0.0,
                    backlog_cost=0.0,
                    min_ending_inventory=0.0,
                    active=True,
                ),
            ),
        }
    )
