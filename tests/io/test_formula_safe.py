"""Exports are formula-safe (OWASP "CSV injection") and still round-trip exactly."""

from __future__ import annotations

import csv
import dataclasses

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from accord.domain.dataset import Dataset
from accord.io.cells import FORMULA_STARTS, read_text, safe_text
from accord.io.files import read_dataset, write_dataset
from accord.services.plan_pack import write_pack
from tests.io.test_files_roundtrip import SMALL, slow_io
from tests.strategies import text

HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "'=already quoted",
    "'",
    "''",
]
unsafe_starts = st.sampled_from([*FORMULA_STARTS, "'"])


def _with_names(names: list[str]) -> Dataset:
    """SMALL with one product per hostile name (in the name and an attribute)."""
    (product,) = SMALL.tables["products"]
    products = tuple(
        {**product, "sku": f"SKU-{i}", "name": name, "attributes": {"color": name}}
        for i, name in enumerate(names)
    )
    return dataclasses.replace(SMALL, tables={**SMALL.tables, "products": products})


def test_text_that_would_run_as_a_formula_is_written_with_a_quote():
    assert safe_text("=1+1") == "'=1+1"
    assert safe_text("@cmd") == "'@cmd"
    assert safe_text("\tx") == "'\tx"
    assert safe_text("'a") == "''a"  # so reading takes off exactly the quote added
    assert safe_text("Pump 200 l") == "Pump 200 l"
    assert safe_text("a=b") == "a=b"


def test_reading_takes_off_only_the_quote_an_export_adds():
    assert read_text("'=1+1") == "=1+1"
    assert read_text("''a") == "'a"
    assert read_text("'a") == "'a"  # not added by an export: kept
    assert read_text("'") == "'"


@given(st.text())
def test_reading_an_exported_text_gives_it_back(value):
    assert read_text(safe_text(value)) == value


@given(unsafe_starts, st.text())
def test_no_exported_text_starts_like_a_formula(start, rest):
    assert not safe_text(start + rest).startswith(FORMULA_STARTS)


def test_the_csv_export_quotes_hostile_text_and_leaves_numbers_alone(tmp_path):
    write_dataset(_with_names(HOSTILE), tmp_path / "out")
    with (tmp_path / "out" / "products.csv").open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert [r["name"] for r in rows] == [safe_text(n) for n in HOSTILE]
    assert [r["color"] for r in rows] == [safe_text(n) for n in HOSTILE]
    assert {r["unit_price"] for r in rows} == {"0.30000000000000004"}
    assert all(not r["name"].startswith(FORMULA_STARTS) for r in rows)


def test_the_xlsx_export_quotes_hostile_text_and_keeps_numbers_numbers(tmp_path):
    path = write_dataset(_with_names(HOSTILE), tmp_path / "company.xlsx")
    sheet = load_workbook(path)["products"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    assert [r["name"].value for r in rows] == [safe_text(n) for n in HOSTILE]
    assert all(r["name"].data_type == "s" for r in rows)
    assert all(r["material_cost"].value == 40 and r["lead_time_days"].value == 2 for r in rows)


def test_hostile_names_round_trip_through_csv_and_xlsx(tmp_path):
    dataset = _with_names(HOSTILE)
    write_dataset(dataset, tmp_path / "out")
    assert read_dataset(tmp_path / "out") == dataset
    assert read_dataset(write_dataset(dataset, tmp_path / "company.xlsx")) == dataset


@slow_io
@given(names=st.lists(st.builds(str.__add__, unsafe_starts, text), min_size=1, max_size=4))
def test_text_starting_like_a_formula_round_trips(tmp_path_factory, names):
    dataset = _with_names([n.strip() or "'" for n in names])
    folder = tmp_path_factory.mktemp("csv")
    write_dataset(dataset, folder)
    assert read_dataset(folder) == dataset
    assert read_dataset(write_dataset(dataset, folder / "company.xlsx")) == dataset


def test_a_nul_in_a_name_does_not_break_the_xlsx_export(tmp_path):
    dataset = _with_names(["Pump\x00 200", "bell\x07"])
    path = write_dataset(dataset, tmp_path / "company.xlsx")
    names = [p["name"] for p in read_dataset(path).tables["products"]]
    assert names == ["Pump\ufffd 200", "bell\ufffd"]


def _plan(resource: str, scenario: str) -> tuple[dict, dict]:
    period = {
        "period_start": "2026-01-05",
        "demand": {"firm": 1.0, "likely": 0.0, "forecast_only": 0.0, "total": 1.0},
        "made": 1.0,
        "subcontracted": 0.0,
        "inventory": -1.0,
        "backlog": 0.0,
        "inventory_investment": -5.0,
        "investment_change": -5.0,
    }
    result = {
        "strategy": "=cmd",
        "objective": "cost",
        "total_cost": -10.0,
        "profit": 3.0,
        "costs": {"regular": 1.0},
        "unmet_demand": [],
        "periods": [period],
        "resources": [{"resource": resource, "period_start": "2026-01-05", "utilization": 0.5}],
        "shadow_prices": [
            {"resource": resource, "period_start": "2026-01-05", "value_per_minute": -1.5}
        ],
    }
    scenarios = {
        "base": {"total_cost": 1.0, "profit": 2.0},
        "scenarios": [
            {
                "name": scenario,
                "total_cost": 1.0,
                "profit": 2.0,
                "difference": {"total_cost": -1.0, "profit": 0.0},
            }
        ],
    }
    return result, scenarios


def test_the_sop_pack_quotes_names_from_the_data_and_keeps_numbers(tmp_path):
    result, scenarios = _plan('=WEBSERVICE("http://evil.example")', "@scenario\x00")
    write_pack(result, tmp_path / "pack.xlsx", scenarios)
    book = load_workbook(tmp_path / "pack.xlsx")
    texts = [
        c.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if isinstance(c.value, str)
    ]
    assert not [t for t in texts if t.startswith(FORMULA_STARTS)]
    assert book["Capacity"]["A2"].value == '\'=WEBSERVICE("http://evil.example")'
    assert book["Scenarios"]["A3"].value == "'@scenario\ufffd"
    assert book["Summary"]["B2"].value == "'=cmd"
    assert book["Summary"]["B4"].value == -10.0  # numbers, negative ones too, stay numbers
    assert book["Shadow prices"]["C2"].value == -1.5
