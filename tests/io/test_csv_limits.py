"""CSV input that Python's csv refuses (a field over its limit, text that is not UTF-8) is a
dataset problem naming the file, row and column, never an unexpected error."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.errors import DatasetInvalid
from accord.io.crm import read_any
from accord.io.csv_errors import FIELD_LIMIT
from accord.io.csv_files import parse_csv
from accord.io.files import read_dataset

HEADER = "sku,name,family,unit_price,material_cost"
TOO_LONG = "x" * (FIELD_LIMIT + 1)
MESSAGE = f"a cell longer than the {FIELD_LIMIT:,} characters a cell may have"


def _problems(text: str) -> list[str]:
    with pytest.raises(DatasetInvalid) as caught:
        parse_csv("products", "products.csv", text)
    return caught.value.problems


def test_a_field_over_the_limit_names_its_row_and_column():
    text = f"{HEADER}\nPUMP-200,Pump,Pumps,120,40\nPUMP-300,{TOO_LONG},Pumps,1,1\n"
    assert _problems(text) == [f"products.csv:3:name: {MESSAGE}"]


def test_a_quoted_field_over_the_limit_after_a_multi_line_cell_names_the_row_it_starts_on():
    text = f'{HEADER}\nPUMP-200,"two\nlines",Pumps,1,1\nPUMP-300,Pump,"{TOO_LONG}",1,1\n'
    assert _problems(text) == [f"products.csv:4:family: {MESSAGE}"]


def test_a_header_cell_over_the_limit_is_named_by_its_position():
    assert _problems(f"sku,{TOO_LONG}\nPUMP-200,1\n") == [f"products.csv:1:#2: {MESSAGE}"]


def test_a_field_at_the_limit_is_read():
    raw = parse_csv("products", "products.csv", f"sku,name\nPUMP-200,{'x' * FIELD_LIMIT}\n")
    assert len(raw.rows[0][1]) == FIELD_LIMIT


@settings(max_examples=30, deadline=None)
@given(
    rows=st.integers(min_value=0, max_value=4),
    column=st.integers(min_value=0, max_value=4),
    quoted=st.booleans(),
)
def test_the_row_and_column_named_are_those_of_the_long_field(rows, column, quoted):
    names = HEADER.split(",")
    lines = [HEADER, *(f"SKU-{i},Pump,Pumps,1,1" for i in range(rows))]
    cells = ["SKU-X", "Pump", "Pumps", "1", "1"]
    cells[column] = f'"{TOO_LONG}"' if quoted else TOO_LONG
    text = "\n".join([*lines, ",".join(cells), "SKU-Y,Pump,Pumps,1,1"]) + "\n"
    assert _problems(text) == [f"products.csv:{rows + 2}:{names[column]}: {MESSAGE}"]


def test_a_dataset_folder_with_a_long_field_is_a_dataset_problem(tmp_path):
    (tmp_path / "products.csv").write_text(f"{HEADER}\nPUMP-200,{TOO_LONG},Pumps,1,1\n")
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(tmp_path)
    assert caught.value.problems == [f"products.csv:2:name: {MESSAGE}"]


def test_a_file_that_is_not_utf8_names_the_row_of_the_first_bad_byte(tmp_path):
    (tmp_path / "products.csv").write_bytes(
        f"{HEADER}\nPUMP-200,P,F,1,1\n".encode() + b"X,\xe9,F,1,1\n"
    )
    with pytest.raises(DatasetInvalid) as caught:
        read_dataset(tmp_path)
    assert caught.value.problems == [
        "products.csv:3:: not UTF-8 text (byte 0xe9): save it as UTF-8"
    ]


@pytest.mark.parametrize("source", ["salesforce", "hubspot"])
def test_a_crm_export_with_a_long_field_names_the_export_file(tmp_path, source):
    if source == "salesforce":
        path = tmp_path / "Opportunity.csv"
        path.write_text(f"Id,Name,StageName\n006A,{TOO_LONG},Prospecting\n")
        target = tmp_path
    else:
        path = tmp_path / "deals.csv"
        path.write_text(f"Record ID,Deal Name,Deal Stage\n1,{TOO_LONG},appointmentscheduled\n")
        target = path
    with pytest.raises(DatasetInvalid) as caught:
        read_any(target, source)
    assert f"{path.name}:2:" in caught.value.problems[0]
    assert MESSAGE in caught.value.problems[0]
