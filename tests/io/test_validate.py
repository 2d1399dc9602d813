"""Validation reports every problem at once, as file:row:column: message with the value."""

from pathlib import Path

import pytest

from accord.errors import DatasetInvalid
from accord.io.files import read_dataset
from accord.io.validate import MAX_PROBLEMS, RawTable, build_dataset

MALFORMED = Path(__file__).parent.parent / "data" / "malformed"

# One problem of each kind the dataset format names, in the order they are reported.
EXPECTED_PROBLEMS = [
    "opportunities.csv:2:probability: must be between 0 and 1: '1.4'",
    "orders.csv:2:quantity: must not be negative: '-5'",
    "orders.csv:3:due_date: not a date (YYYY-MM-DD): '2026-13-01'",
    "orders.csv:4:customer: required value is empty",
    "products.csv:5:unit_price: not a number: 'abc'",
    "resources.csv:2:fri: must not be negative: '-60'",
    "rules.csv:2:operator: must be one of in, not_in, =, !=, <=, >=, <, >: 'like'",
    "products.csv:4:sku: duplicate key (sku='PUMP-300'), first on row 3",
    "routings.csv:3:resource: unknown resource 'WELD': no such row in resources",
]


def raw(name: str, text: str, label: str | None = None) -> RawTable:
    lines = [line.split(",") for line in text.strip().splitlines()]
    rows = [(number, cells) for number, cells in enumerate(lines[1:], start=2)]
    return RawTable.numbered(name, label or f"{name}.csv", lines[0], rows)


PRODUCTS = raw("products", "sku,unit_price,material_cost\nPUMP-200,120,40\nVALVE-10,20,5")


def problems_of(*tables: RawTable) -> list[str]:
    with pytest.raises(DatasetInvalid) as caught:
        build_dataset(list(tables))
    return caught.value.problems


def test_malformed_dataset_reports_one_clear_message_per_problem():
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(MALFORMED)
    assert caught.value.problems == EXPECTED_PROBLEMS
    assert caught.value.warnings == ["notes.txt: not a table of the dataset; ignored"]
    assert caught.value.message == f"the dataset has {len(EXPECTED_PROBLEMS)} problems"


def test_unknown_columns_become_attributes_and_defaults_apply():
    dataset = build_dataset(
        [
            raw("products", "sku,unit_price,material_cost,Color\nPUMP-200,120,40,red\nV-1,5,1,"),
        ]
    )
    pump, valve = dataset.rows("products")
    assert pump["attributes"] == {"Color": "red"}
    assert valve["attributes"] == {}  # empty cells are not attributes
    assert pump["lot_size"] == 1.0 and pump["active"] is True and pump["lead_time_days"] == 0
    assert pump["family"] is None


def test_order_lines_default_to_line_one_priority_three_and_open():
    dataset = build_dataset(
        [
            PRODUCTS,
            raw(
                "orders", "order_id,customer,sku,quantity,due_date\nSO-1,ACME,PUMP-200,5,2026-12-01"
            ),
        ]
    )
    (order,) = dataset.rows("orders")
    assert (order["line"], order["priority"], order["status"]) == (1, 3, "open")


def test_a_missing_required_column_is_named_once_on_the_header_row():
    assert problems_of(raw("products", "sku,unit_price\nPUMP-200,120")) == [
        "products.csv:1:material_cost: required column is missing"
    ]


def test_products_table_is_required():
    customers = raw("customers", "customer\nACME")
    assert problems_of(customers) == ["products.csv:1:sku: the products table is required"]


def test_checklist_scores_must_be_zero_to_five():
    customers = raw("customers", "customer,shared_vision,values\nACME,6,x\nBOLT,5,0")
    assert problems_of(PRODUCTS, customers) == [
        "customers.csv:2:shared_vision: checklist score must be between 0 and 5: '6'",
        "customers.csv:2:values: checklist score must be a number 0-5: 'x'",
    ]


def test_bom_cycles_and_self_references_are_reported():
    bom = raw(
        "bom",
        "sku,component,quantity_per\nPUMP-200,VALVE-10,2\nVALVE-10,PUMP-200,1\nPUMP-200,PUMP-200,1",
    )
    assert problems_of(PRODUCTS, bom) == [
        "bom.csv:4:component: a product cannot be its own component: 'PUMP-200'",
        "bom.csv:2:component: BOM cycle: 'PUMP-200 -> VALVE-10 -> PUMP-200'",
    ]


def test_settings_values_are_checked_by_key():
    settings = raw(
        "settings",
        "key,value\nas_of,02/11/2026\nperiod,fortnight\nweight_growth,-1\ncompany,Acme",
    )
    assert problems_of(PRODUCTS, settings) == [
        "settings.csv:2:value: setting as_of: not a date (YYYY-MM-DD): '02/11/2026'",
        "settings.csv:3:value: setting period: must be one of week, month: 'fortnight'",
        "settings.csv:4:value: setting weight_growth: must not be negative: '-1'",
    ]


def test_deliveries_must_name_an_existing_order_line():
    orders = raw(
        "orders", "order_id,line,customer,sku,quantity,due_date\nSO-1,1,A,PUMP-200,5,2026-12-01"
    )
    deliveries = raw(
        "deliveries",
        "order_id,line,delivered_date,quantity\nSO-1,2,2026-12-02,5\nSO-9,1,2026-12-02,5",
    )
    assert problems_of(PRODUCTS, orders, deliveries) == [
        "deliveries.csv:3:order_id: unknown order_id 'SO-9': no such row in orders",
        "deliveries.csv:2:line: order 'SO-1' has no line 2",
    ]


def test_comparison_rules_need_a_number_or_a_date():
    rules = raw(
        "rules", "sku,attribute,operator,value\n*,quantity,<=,lots\nPUMP-200,quantity,<=,500"
    )
    assert problems_of(PRODUCTS, rules) == [
        "rules.csv:2:value: operator <= needs a number or a date: 'lots'"
    ]


def test_quota_periods_and_families_are_checked():
    products = raw("products", "sku,family,unit_price,material_cost\nPUMP-200,Pumps,120,40")
    quotas = raw(
        "quotas",
        "owner,period_start,period_end,family\nana,2026-10-01,2026-09-30,Pumps\nana,2026-10-01,2026-12-31,Drones",
    )
    assert problems_of(products, quotas) == [
        "quotas.csv:2:period_end: ends before it starts: '2026-09-30'",
        "quotas.csv:3:family: unknown family 'Drones': no product has it",
    ]


def test_duplicate_header_and_extra_cells_are_reported():
    table = RawTable.numbered(
        "products",
        "products.csv",
        ["sku", "unit_price", "material_cost", "SKU"],
        [(2, ["PUMP-200", "1", "1", "x", "surplus"])],
    )
    assert problems_of(table) == [
        "products.csv:1:SKU: column appears twice: 'SKU'",
        "products.csv:2:#5: more cells than the header has",
    ]


def test_problems_stop_at_the_limit_and_say_how_many_more():
    rows = "\n".join(f"P-{i},-1,0" for i in range(MAX_PROBLEMS + 50))
    problems = problems_of(raw("products", f"sku,unit_price,material_cost\n{rows}"))
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == "... and 50 more problems"


def test_the_customer_s_terms_are_checked_against_the_line():
    orders = raw(
        "orders",
        "order_id,line,customer,sku,quantity,due_date,latest_date,min_shipment\n"
        "SO-1,1,A,PUMP-200,5,2026-12-01,2026-12-10,5\n"
        "SO-2,1,A,PUMP-200,5,2026-12-01,2026-11-30,6\n"
        "SO-3,1,A,PUMP-200,5,2026-12-01,soon,0",
    )
    deals = raw(
        "opportunities",
        "opportunity_id,customer,stage,probability,requested_date\nOPP-1,A,Proposal,0.5,2026-12-05",
    )
    lines = raw(
        "opportunity_lines",
        "opportunity_id,line,sku,quantity,latest_date,min_shipment\n"
        "OPP-1,1,PUMP-200,10,2026-12-04,\n"
        "OPP-1,2,PUMP-200,10,2026-12-05,10",
    )
    assert problems_of(PRODUCTS, orders, deals, lines) == [
        "orders.csv:4:latest_date: not a date (YYYY-MM-DD): 'soon'",
        "orders.csv:4:min_shipment: must be greater than 0: '0'",
        "orders.csv:3:min_shipment: must not be more than the quantity 5: '6'",
        "orders.csv:3:latest_date: is before the wanted date 2026-12-01: '2026-11-30'",
        # The line has no requested date of its own: the deal's (5 Dec) is the wanted date.
        "opportunity_lines.csv:2:latest_date: is before the wanted date 2026-12-05: '2026-12-04'",
    ]


def test_buffer_days_and_the_lead_time_floor_settings_are_checked():
    settings = raw(
        "settings", "key,value\nbuffer_days,2.5\nlearned_lead_time_floor,maybe\ncompany,Acme"
    )
    problems = problems_of(PRODUCTS, settings)
    assert len(problems) == 2
    assert problems[0].startswith("settings.csv:2:value: setting buffer_days:")
    assert "'2.5'" in problems[0]
    assert problems[1] == (
        "settings.csv:3:value: setting learned_lead_time_floor: not true/false: 'maybe'"
    )
    fine = raw("settings", "key,value\nbuffer_days,3\nlearned_lead_time_floor,yes")
    dataset = build_dataset([PRODUCTS, fine])
    from accord.domain.company import settings_from

    parsed = settings_from(dataset)
    assert (parsed.buffer_days, parsed.learned_lead_time_floor) == (3, True)
