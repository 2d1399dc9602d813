"""Scope rules: each line's columns and attributes against the rules of its sku and '*'."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accord.domain.sales import Opportunity, OpportunityLine, Order
from accord.planning.scope import (
    Rule,
    RuleBook,
    ScopeViolation,
    check_line,
    rules_from_rows,
    satisfies,
    scope_report,
)


def rule_row(sku, attribute, operator, value, message=None):
    return {
        "sku": sku,
        "attribute": attribute,
        "operator": operator,
        "value": value,
        "message": message,
    }


TINY_RULES = rules_from_rows(
    [
        rule_row("PUMP-200", "color", "in", "red|blue", "PUMP-200 comes in red or blue only"),
        rule_row("*", "quantity", "<=", "500", "Orders above 500 units need a framework contract"),
        rule_row("*", "destination", "not_in", "XX|YY"),
        rule_row("*", "response_hours", ">=", "24"),
        rule_row("VALVE-10", "ship_by", "<", "2026-12-01"),
        rule_row("VALVE-10", "finish", "=", "Zinc"),
        rule_row("VALVE-10", "finish", "!=", "raw"),
    ]
)


def test_rule_book_holds_rules_by_sku_including_the_wildcard():
    assert set(TINY_RULES) == {"PUMP-200", "*", "VALVE-10"}
    assert TINY_RULES["PUMP-200"][0].value == ("red", "blue")
    assert TINY_RULES["PUMP-200"][0].text == "color in red|blue"
    # PUMP-200: its own colour rule then the three '*' rules.
    assert [r.attribute for r in TINY_RULES.for_sku("PUMP-200")] == [
        "color",
        "quantity",
        "destination",
        "response_hours",
    ]
    assert len(TINY_RULES.for_sku("NOT-LISTED")) == 3
    assert TINY_RULES.rule_count == 7


def test_line_within_scope_breaks_nothing():
    assert check_line(TINY_RULES, "PUMP-200", {"color": "Red", "quantity": 40.0}) == []


def test_colour_outside_the_list_is_reported_with_the_rules_message():
    broken = check_line(TINY_RULES, "PUMP-200", {"color": "green", "quantity": 100})
    assert broken == [
        ScopeViolation("color", "color in red|blue", "PUMP-200 comes in red or blue only")
    ]
    assert broken[0].to_json() == {
        "attribute": "color",
        "rule": "color in red|blue",
        "message": "PUMP-200 comes in red or blue only",
    }


def test_quantity_compares_as_a_number_not_as_text():
    # As text "60" > "500"; as numbers 60 <= 500 holds and 600 does not.
    assert check_line(TINY_RULES, "VALVE-10", {"quantity": "60"}) == []
    broken = check_line(TINY_RULES, "VALVE-10", {"quantity": 600.0})
    assert [v.rule for v in broken] == ["quantity <= 500"]


def test_a_rule_without_message_gets_one_naming_value_and_rule():
    (violation,) = check_line(TINY_RULES, "FAN-1", {"response_hours": "8"})
    assert violation.rule == "response_hours >= 24"
    assert (
        violation.message
        == "response_hours is '8'; operations can deliver only response_hours >= 24"
    )


def test_missing_or_empty_attribute_means_the_rule_does_not_apply():
    assert check_line(TINY_RULES, "PUMP-200", {}) == []
    assert check_line(TINY_RULES, "PUMP-200", {"color": "  ", "quantity": None}) == []


def test_not_in_rejects_listed_values_case_insensitively():
    assert [v.attribute for v in check_line(TINY_RULES, "X", {"destination": "xx"})] == [
        "destination"
    ]
    assert check_line(TINY_RULES, "X", {"destination": "DE"}) == []


def test_dates_compare_as_dates_and_text_equality_ignores_case():
    ok = {"ship_by": dt.date(2026, 11, 30), "finish": "zinc"}
    assert check_line(TINY_RULES, "VALVE-10", ok) == []
    late = {"ship_by": "2026-12-01", "finish": "RAW"}
    assert [v.rule for v in check_line(TINY_RULES, "VALVE-10", late)] == [
        "ship_by < 2026-12-01",
        "finish = Zinc",
        "finish != raw",
    ]


def test_a_text_cannot_be_held_to_a_numeric_bound():
    rule = Rule("*", "quantity", "<=", "500")
    assert not satisfies(rule, "lots")


def test_numbers_in_lists_compare_as_numbers():
    rule = Rule("*", "response_hours", "in", ("24", "48"))
    assert satisfies(rule, 24.0) and satisfies(rule, "48.0") and not satisfies(rule, 12)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"operator": "~"}, "Rule operator must be one of"),
        ({"operator": "in", "value": "red"}, "must be a list for in/not_in"),
        ({"operator": "=", "value": ("red",)}, "must be a list for in/not_in"),
        ({"attribute": " "}, "Rule attribute must not be empty"),
        ({"value": ""}, "Rule value must not be empty"),
    ],
)
def test_rule_validates_its_fields(kwargs, needle):
    fields = {"sku": "*", "attribute": "quantity", "operator": "<=", "value": "5", **kwargs}
    with pytest.raises(ValueError, match=needle):
        Rule(**fields)


def test_rules_from_rows_names_the_bad_row():
    with pytest.raises(ValueError, match="rules row 2: Rule operator"):
        rules_from_rows([rule_row("*", "a", "=", "1"), rule_row("*", "b", "like", "1")])


def test_report_lists_open_orders_and_open_deals_out_of_scope():
    # The tiny company: SO-1001/1 is red (fine), SO-1002/1 blue (fine), OPP-8 line is green
    # (out of scope); the shipped order and the won deal are not open, so not checked.
    orders = [
        Order(
            "SO-1001",
            1,
            "NORDWIND",
            "PUMP-200",
            40,
            dt.date(2026, 11, 20),
            attributes={"color": "red"},
        ),
        Order(
            "SO-1002",
            1,
            "SUDHAFEN",
            "PUMP-200",
            15,
            dt.date(2026, 10, 30),
            attributes={"color": "blue"},
        ),
        Order(
            "SO-0900",
            1,
            "SUDHAFEN",
            "PUMP-200",
            900,
            dt.date(2026, 10, 1),
            status="shipped",
            attributes={"color": "pink"},
        ),
    ]
    deals = [
        Opportunity("OPP-7", "SUDHAFEN", "Closed Won", 1.0),
        Opportunity("OPP-8", "NORDWIND", "Proposal", 0.5, owner="ana"),
    ]
    lines = {
        "OPP-7": [OpportunityLine("OPP-7", 1, "PUMP-200", 700, 120, attributes={"color": "x"})],
        "OPP-8": [OpportunityLine("OPP-8", 1, "PUMP-200", 100, 115, attributes={"color": "green"})],
    }
    report = scope_report(TINY_RULES, orders, deals, lines)
    assert report.lines_checked == 3  # two open order lines and one open deal line
    assert [(f.kind, f.id, f.line) for f in report.findings] == [("opportunity", "OPP-8", 1)]
    payload = report.to_json()
    assert payload["deals_out_of_scope"] == 1 and payload["orders_out_of_scope"] == 0
    assert (
        payload["findings"][0]["violations"][0]["message"] == "PUMP-200 comes in red or blue only"
    )
    assert "OPP-8/1" in str(report)


def test_report_on_the_tiny_company_files():
    from pathlib import Path

    from accord.io.files import read_dataset
    from accord.services.snapshot import build_snapshot

    dataset = read_dataset(Path(__file__).parent.parent / "data" / "tiny")
    snap = build_snapshot(dataset)
    report = scope_report(
        rules_from_rows(dataset.rows("rules")),
        snap.orders,
        snap.opportunities,
        snap.lines_by_opportunity,
    )
    # Open lines: SO-1001/1, SO-1001/2, SO-1002/1 and OPP-8/1; only OPP-8's green pump breaks.
    assert report.lines_checked == 4
    assert [(f.id, f.violations[0].rule) for f in report.findings] == [
        ("OPP-8", "color in red|blue")
    ]


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), st.integers(-1000, 1000))
def test_ordering_operators_partition_the_numbers(x, bound):
    book = RuleBook({"*": (Rule("*", "v", "<", str(bound)), Rule("*", "v", ">=", str(bound)))})
    # Exactly one of v < bound and v >= bound is broken.
    assert len(check_line(book, "ANY", {"v": x})) == 1


@given(st.sampled_from(["red", "RED", "Blue", "green", "teal"]))
def test_in_and_not_in_are_complements(colour):
    listed = ("red", "blue")
    assert satisfies(Rule("*", "c", "in", listed), colour) != satisfies(
        Rule("*", "c", "not_in", listed), colour
    )
