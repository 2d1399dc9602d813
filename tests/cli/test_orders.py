"""`accord orders [--late]` on the tiny pump maker (worked out in tests/api/test_orders.py)."""

import json

from tests.cli.conftest import TINY


def test_orders_lists_every_line_and_the_late_one_with_why(accord):
    result = accord("orders", "--data", str(TINY), "--json")
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert [(ln["order_id"], ln["line"], ln["verdict"]) for ln in plan["lines"]] == [
        ("SO-1001", 1, "on_time"),
        ("SO-1001", 2, "on_time"),
        ("SO-1002", 1, "late"),
    ]
    text = accord("orders", "--data", str(TINY)).stdout
    assert "3 open order lines as of 2026-11-02: 2 on time, 1 late, 0 short" in text
    assert "SO-1002/1: its date, 30 Oct 2026, has already passed" in text


def test_orders_late_keeps_only_the_late_lines(accord):
    plan = json.loads(accord("orders", "--late", "--data", str(TINY), "--json").stdout)
    assert [ln["order_id"] for ln in plan["lines"]] == ["SO-1002"]
    assert plan["late_only"] is True and plan["totals"]["lines"] == 3


def test_orders_reads_the_loaded_company(accord):
    assert accord("import", str(TINY), "--json").exit_code == 0
    plan = json.loads(accord("orders", "--json").stdout)
    assert plan["totals"]["late"] == 1


def test_orders_without_a_company_says_how_to_load_one(accord):
    result = accord("orders")
    assert result.exit_code == 1 and "accord import PATH" in result.stderr
