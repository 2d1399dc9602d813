"""`accord atp` and `accord promise` on the tiny pump maker (arithmetic in tests/unit)."""

import json

from tests.cli.conftest import TINY


def test_atp_prints_the_record_and_json(accord):
    result = accord("atp", "PUMP-200", "--periods", "2", "--data", str(TINY), "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["sku"] == "PUMP-200"
    assert [p["atp"] for p in record["periods"]] == [5, 120]
    table = accord("atp", "PUMP-200", "--periods", "2", "--data", str(TINY))
    assert "2026-12-01" in table.stdout and "ATP of PUMP-200" in table.stdout


def test_promise_answers_with_the_spec_shape(accord):
    result = accord("promise", "PUMP-300", "400", "--by", "2026-11-12", "--data", str(TINY),
                    "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["earliest_date"] == "2026-11-20"
    assert (answer["verdict"], answer["days_late"]) == ("late", 8)
    assert {"kind", "message"} <= set(answer["reasons"][0])
    assert answer["options"][0]["kind"] == "partial"
    assert set(answer["throughput"]) == {
        "per_unit",
        "total",
        "constraint",
        "constraint_minutes",
        "per_constraint_minute",
        "company_average",
    }
    text = accord("promise", "PUMP-300", "400", "--by", "2026-11-12", "--data", str(TINY))
    assert "late by 8 days" in text.stdout


def test_bad_promises_exit_2_with_a_message(accord):
    unknown = accord("promise", "NOPE", "4", "--data", str(TINY))
    assert unknown.exit_code == 2 and "unknown sku 'NOPE'" in unknown.stderr
    zero = accord("promise", "PUMP-200", "0", "--data", str(TINY))
    assert zero.exit_code == 2 and "quantity must be > 0" in zero.stderr
    date = accord("promise", "PUMP-200", "4", "--by", "soon", "--data", str(TINY))
    assert date.exit_code == 2 and "--by: not a date" in date.stderr


def test_reserve_commits_load_in_the_database(accord):
    assert accord("import", str(TINY), "--json").exit_code == 0
    first = json.loads(accord("promise", "PUMP-300", "400", "--reserve", "--json").stdout)
    assert first["reservation"]["status"] == "active"
    assert first["promise"]["earliest_date"] == "2026-11-20"
    again = json.loads(accord("promise", "PUMP-300", "400", "--json").stdout)
    assert again["earliest_date"] > "2026-11-20"


def test_check_a_deal_from_a_file(accord):
    result = accord("check", "OPP-8", "--data", str(TINY), "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["verdict"] == "out_of_scope"
    assert answer["lines"][0]["line"] == 1
    assert answer["scope_violations"][0]["attribute"] == "color"
    missing = accord("check", "OPP-404", "--data", str(TINY))
    assert missing.exit_code == 2 and "unknown opportunity" in missing.stderr


def test_pipeline_lists_deals_and_load(accord):
    result = accord("pipeline", "--data", str(TINY), "--draws", "20", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert [d["opportunity_id"] for d in body["deals"]] == ["OPP-8"]  # the one open deal
    assert body["deals"][0]["earliest_date"] == "2026-11-12"
    paint = body["load"][0]
    # Firm: the three open orders' paint minutes 75 + 130 + 75; the deal 100 x 3 + 30.
    assert (paint["resource"], paint["firm"], paint["pipeline"]) == ("PAINT", 280, 330)
    bad = accord("pipeline", "--data", str(TINY), "--order-by", "luck")
    assert bad.exit_code == 2 and "order_by must be one of" in bad.stderr


def test_promise_under_the_customer_s_terms(accord):
    # 400 PUMP-300 wanted 12 Nov: the whole comes on 20 Nov; the customer takes nothing after
    # 18 Nov, so the answer is short: 300 by then. In three lots all 400 come by 18 Nov.
    base = ("promise", "PUMP-300", "400", "--by", "2026-11-12", "--latest", "2026-11-18")
    answer = json.loads(accord(*base, "--data", str(TINY), "--json").stdout)
    assert answer["verdict"] == "short" and answer["earliest_date"] == "2026-11-20"
    assert answer["short"] == {"quantity": 300.0, "date": "2026-11-18", "rest": 100.0}
    assert all(o["delivers_by"] <= "2026-11-18" for o in answer["options"])
    assert [o["kind"] for o in answer["options"]] == ["split"]
    # Ship complete: nothing the customer accepts comes by 18 Nov, and no split is offered.
    whole = json.loads(accord(*base, "--min-shipment", "400", "--data", str(TINY), "--json").stdout)
    assert whole["short"] == {"quantity": 0.0, "date": None, "rest": 400.0}
    assert whole["options"] == []
    text = accord(*base, "--data", str(TINY)).stdout
    assert "only 300 of the 400 can be delivered by 2026-11-18" in text


def test_bad_terms_exit_2(accord):
    late = accord("promise", "PUMP-300", "4", "--latest", "soon", "--data", str(TINY))
    assert late.exit_code == 2 and "--latest: not a date" in late.stderr
    more = accord("promise", "PUMP-300", "4", "--min-shipment", "5", "--data", str(TINY))
    assert more.exit_code == 2 and "min_shipment" in more.stderr
    before = accord("promise", "PUMP-300", "4", "--by", "2026-11-20", "--latest", "2026-11-19",
                    "--data", str(TINY))  # fmt: skip
    assert before.exit_code == 2 and "before the wanted date" in before.stderr
