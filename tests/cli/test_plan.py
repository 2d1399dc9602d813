"""`accord plan`: the S&OP plan, strategies side by side, versions in the database."""

import json

from tests.cli.conftest import TINY


def test_plan_prints_a_readable_plan(accord):
    result = accord("plan", "--data", TINY, "--periods", "3")
    assert result.exit_code == 0, result.output
    assert "S&OP plan (optimal, cost" in result.stdout
    assert "2026-12-01" in result.stdout


def test_plan_json_has_the_spec_keys_alone_on_stdout(accord):
    result = accord(
        "plan", "--data", TINY, "--periods", "6", "--period", "week", "--objective", "profit",
        "--integer", "--allow-ending-backlog", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert {"status", "objective", "total_cost", "profit", "costs", "periods", "resources",
            "shadow_prices"} <= set(body)  # fmt: skip
    assert body["objective"] == "profit" and body["solver"] == "mip"
    assert len(body["periods"]) == 6


def test_strategies_side_by_side(accord):
    result = accord("plan", "--data", TINY, "--periods", "3", "--strategy", "all")
    assert result.exit_code == 0, result.output
    for name in ("optimal", "level", "chase"):
        assert name in result.stdout
    level = accord("plan", "--data", TINY, "--periods", "3", "--strategy", "level", "--json")
    assert json.loads(level.stdout)["strategy"] == "level"


def test_bad_options_exit_2_with_the_message(accord):
    result = accord("plan", "--data", TINY, "--objective", "revenue")
    assert result.exit_code == 2
    assert "objective must be one of" in result.stderr
    result = accord("plan", "--data", TINY, "--periods", "3", "--json", "--strategy", "greedy")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["error"]["code"] == "bad_input"


def test_versions_are_saved_listed_shown_and_compared(accord):
    assert accord("import", TINY).exit_code == 0
    first = accord("plan", "--periods", "3", "--save", "sales", "--author", "ana",
                   "--note", "push pumps", "--json")  # fmt: skip
    assert first.exit_code == 0, first.output
    first_id = json.loads(first.stdout)["id"]
    second = accord("plan", "--periods", "3", "--objective", "profit", "--save", "consensus",
                    "--author", "ben")  # fmt: skip
    assert second.exit_code == 0, second.output
    assert f"previous {first_id}" in second.stdout
    listing = json.loads(accord("plan", "versions", "--json").stdout)["versions"]
    assert [(v["kind"], v["author"]) for v in listing] == [("consensus", "ben"), ("sales", "ana")]
    shown = accord("plan", "show", str(first_id))
    assert "push pumps" in shown.stdout
    compared = accord("plan", "compare", str(first_id), str(listing[0]["id"]), "--json")
    assert compared.exit_code == 0
    assert "periods" in json.loads(compared.stdout)


def test_saving_needs_an_author_and_a_known_kind(accord):
    assert accord("import", TINY).exit_code == 0
    result = accord("plan", "--periods", "3", "--save", "sales")
    assert result.exit_code == 2 and "author" in result.stderr
    result = accord("plan", "--periods", "3", "--save", "board", "--author", "x")
    assert result.exit_code == 2 and "kind must be one of" in result.stderr
    assert accord("plan", "show", "42").exit_code == 2


def test_scenarios_from_a_file_beside_the_base(accord, tmp_path):
    path = tmp_path / "scenarios.json"
    path.write_text(
        json.dumps(
            [
                {"name": "win OPP-8", "changes": [{"kind": "win_deal", "target": "OPP-8"}]},
                {"name": "second painter",
                 "changes": [{"kind": "add_workers", "target": "ASSY", "value": 1}]},
            ]
        )
    )  # fmt: skip
    result = accord("plan", "--data", TINY, "--periods", "3", "--scenarios", path)
    assert result.exit_code == 0, result.output
    assert "win OPP-8" in result.stdout and "base" in result.stdout
    as_json = accord("plan", "--data", TINY, "--periods", "3", "--scenarios", path, "--json")
    assert [s["name"] for s in json.loads(as_json.stdout)["scenarios"]] == [
        "win OPP-8", "second painter"
    ]  # fmt: skip
    path.write_text("{not json")
    bad = accord("plan", "--data", TINY, "--scenarios", path)
    assert bad.exit_code == 2 and "--scenarios" in bad.stderr


def test_excel_pack_is_written(accord, tmp_path):
    path = tmp_path / "pack.xlsx"
    result = accord("plan", "--data", TINY, "--periods", "3", "--excel", path)
    assert result.exit_code == 0, result.output
    assert path.read_bytes()[:2] == b"PK"
