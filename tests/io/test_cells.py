import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.domain.dataset import TABLES, Column
from accord.io.cells import (
    CellError,
    cell_parser,
    format_cell,
    parse_boolean,
    parse_date,
    parse_integer,
    parse_number,
    parse_timestamp,
)


def test_numbers_parse_plain_and_scientific_text():
    assert parse_number("12") == 12.0
    assert parse_number("-0.5") == -0.5
    assert parse_number("1e3") == 1000.0


@pytest.mark.parametrize("text", ["abc", "1,5", "nan", "inf", "1_000", ""])
def test_numbers_refuse_what_a_spreadsheet_user_would_not_call_a_number(text):
    with pytest.raises(CellError, match="not a number"):
        parse_number(text)


def test_whole_numbers_accept_spreadsheet_style_point_zero():
    assert parse_integer("3") == 3
    assert parse_integer("3.0") == 3
    with pytest.raises(CellError, match="not a whole number: '3.5'"):
        parse_integer("3.5")


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "01/02/2026", "20260102", "2026-1-2"])
def test_dates_must_be_real_iso_dates(text):
    with pytest.raises(CellError, match="not a date"):
        parse_date(text)


def test_timestamps_take_dates_times_and_zones():
    assert parse_timestamp("2026-03-01") == dt.datetime(2026, 3, 1)
    assert parse_timestamp("2026-03-01 09:30") == dt.datetime(2026, 3, 1, 9, 30)
    assert parse_timestamp("2026-03-01T09:30:15") == dt.datetime(2026, 3, 1, 9, 30, 15)
    # A zone is converted to UTC so one instant always reads the same.
    assert parse_timestamp("2026-03-01T10:30:00+01:00") == dt.datetime(2026, 3, 1, 9, 30)
    with pytest.raises(CellError, match="not a date or timestamp"):
        parse_timestamp("yesterday")


def test_booleans_accept_common_spellings():
    assert [parse_boolean(t) for t in ("TRUE", "yes", "1", "false", "No", "0")] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    with pytest.raises(CellError, match="not true/false: 'maybe'"):
        parse_boolean("maybe")


def test_column_bounds_name_the_rule_and_quote_the_value():
    probability = TABLES["opportunities"].column("probability")
    quantity = TABLES["orders"].column("quantity")
    lot = TABLES["products"].column("lot_size")
    assert cell_parser(probability)("0.25") == 0.25
    with pytest.raises(CellError, match="must be between 0 and 1: '1.4'"):
        cell_parser(probability)("1.4")
    with pytest.raises(CellError, match="must not be negative: '-5'"):
        cell_parser(quantity)("-5")
    with pytest.raises(CellError, match="must be greater than 0: '0'"):
        cell_parser(lot)("0")


def test_choices_are_case_insensitive_and_stored_lower_case():
    parse = cell_parser(Column("status", choices=("open", "shipped")))
    assert parse("Open") == "open"
    with pytest.raises(CellError, match="must be one of open, shipped: 'lost'"):
        parse("lost")


finite = st.floats(allow_nan=False, allow_infinity=False)


@given(finite)
def test_formatted_numbers_parse_back_exactly(value):
    assert parse_number(format_cell(value)) == value


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1)).map(lambda t: t.replace(microsecond=0)))
def test_formatted_timestamps_parse_back_exactly(value):
    assert parse_timestamp(format_cell(value)) == value
