"""`accord throughput` and `accord customers` end to end on the tiny company."""

import json

from tests.cli.conftest import TINY


def test_throughput_json_names_the_constraint_and_the_mix(accord):
    result = accord("throughput", "--data", TINY, "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["constraint"] == "PAINT"
    assert out["mix"] == {"PUMP-200": 55.0, "PUMP-300": 20.0}
    assert out["net_profit"] == -33400.0  # 6,600 throughput - 4 weeks * 10,000


def test_throughput_text_and_bad_dates(accord):
    result = accord("throughput", "--data", TINY)
    assert result.exit_code == 0
    assert "constraint: PAINT" in result.stdout
    bad = accord("throughput", "--data", TINY, "--from", "2026-12-10", "--to", "2026-12-01")
    assert bad.exit_code == 2
    assert "must not be before" in bad.stderr
    assert accord("throughput", "--data", TINY, "--from", "soon").exit_code == 2


def test_customers_weights_and_saved_history(accord):
    assert accord("import", TINY, "--json").exit_code == 0
    result = accord("customers", "--weight", "shared_vision=0", "--save", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [c["customer"] for c in out["customers"]] == ["NORDWIND", "SUDHAFEN"]
    assert out["weights"]["shared_vision"] == 0.0
    assert out["saved"]["customers"] == 2
    bad = accord("customers", "--weight", "charm=1")
    assert bad.exit_code == 2 and "unknown criterion" in bad.stderr
