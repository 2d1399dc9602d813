"""Hypothesis strategies for whole, valid datasets (shared by the round-trip tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from accord.domain.dataset import Dataset, Row

# Text a spreadsheet cell can hold and that survives stripping: no surrounding blanks, no
# control characters (CSV and .xlsx both refuse some of them).
_chars = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp"))
text = st.text(_chars, min_size=1, max_size=12).map(str.strip).filter(bool)
keys = st.from_regex(r"[A-Z]{2,5}-[0-9]{1,4}", fullmatch=True)
amounts = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
timestamps = st.datetimes(
    min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 12, 31)
).map(lambda t: t.replace(microsecond=0))
attribute_names = st.sampled_from(["color", "voltage", "response_hours", "Finish"])


def _attributes() -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(attribute_names, text, max_size=2)


@st.composite
def datasets(draw: st.DrawFn) -> Dataset:
    skus = draw(st.lists(keys, min_size=1, max_size=5, unique=True))
    products: list[Row] = [
        {
            "sku": sku,
            "name": draw(st.none() | text),
            "family": draw(st.none() | st.sampled_from(["Pumps", "Valves"])),
            "unit_price": draw(amounts),
            "material_cost": draw(amounts),
            "lead_time_days": draw(st.integers(0, 60)),
            "lot_size": draw(st.floats(min_value=0.5, max_value=500)),
            "safety_stock": draw(amounts),
            "holding_cost": 0.0,
            "backlog_cost": 0.0,
            "subcontract_cost": draw(st.none() | amounts),
            "subcontract_max_per_period": None,
            "min_ending_inventory": 0.0,
            "active": draw(st.booleans()),
            "attributes": draw(_attributes()),
        }
        for sku in skus
    ]
    customers: list[Row] = [
        {
            "customer": c,
            "name": draw(st.none() | text),
            "segment": None,
            "region": None,
            "attributes": {"shared_vision": str(draw(st.integers(0, 5)))},
        }
        for c in draw(st.lists(keys, min_size=1, max_size=3, unique=True))
    ]
    orders: list[Row] = []
    for index in range(draw(st.integers(0, 6))):
        quantity, due = draw(amounts), draw(dates)
        # The customer's terms: a latest date not before the due date, a smallest delivery
        # more than nothing and at most the line.
        smallest = st.floats(min_value=0, max_value=quantity, exclude_min=True)
        orders.append(
            {
                "order_id": f"SO-{index}",
                "line": draw(st.integers(1, 3)),
                "customer": draw(st.sampled_from([c["customer"] for c in customers])),
                "sku": draw(st.sampled_from(skus)),
                "quantity": quantity,
                "due_date": due,
                "promised_date": draw(st.none() | dates),
                "priority": draw(st.integers(1, 5)),
                "status": draw(st.sampled_from(["open", "shipped", "cancelled"])),
                "owner": draw(st.none() | text),
                "opportunity_id": None,
                "latest_date": draw(
                    st.none()
                    | st.integers(0, 90).map(lambda n, due=due: due + dt.timedelta(days=n))
                ),
                "min_shipment": draw(st.none() | smallest) if quantity > 0 else None,
                "attributes": draw(_attributes()),
            }
        )
    history: list[Row] = [
        {
            "opportunity_id": None,
            "stage": draw(text),
            "entered_at": draw(timestamps),
            "owner": draw(st.none() | text),
            "role": None,
            "attributes": {},
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    tables: dict[str, tuple[Row, ...]] = {
        "settings": ({"key": "as_of", "value": draw(dates).isoformat(), "attributes": {}},),
        "products": tuple(products),
        "customers": tuple(customers),
    }
    if orders:
        tables["orders"] = tuple(orders)
    if history:
        opportunity: dict[str, Any] = {
            "opportunity_id": "OPP-1",
            "customer": customers[0]["customer"],
            "owner": None,
            "stage": "Proposal",
            "probability": draw(st.floats(0, 1)),
            "close_date": None,
            "requested_date": None,
            "created_date": draw(st.none() | dates),
            "attributes": {},
        }
        tables["opportunities"] = (opportunity,)
        tables["stage_history"] = tuple({**h, "opportunity_id": "OPP-1"} for h in history)
    return Dataset(tables=tables)
