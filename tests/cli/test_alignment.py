"""`accord flow|reliability|quotas|scope` on the tiny company: tables, --json, errors."""

import json
import shutil

import pytest

from tests.cli.conftest import TINY


@pytest.mark.parametrize(
    ("command", "keys"),
    [
        ("flow", {"deals", "won", "lost", "open", "win_rate", "stages", "bottleneck_stage"}),
        ("reliability", {"otif", "by_product", "learned_lead_times", "adoption"}),
        ("quotas", {"feasible", "constraint", "by_rep", "flags"}),
        ("scope", {"findings", "lines_checked"}),
    ],
)
def test_json_report_on_a_dataset_file(accord, command, keys):
    result = accord(command, "--data", TINY, "--json")
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) >= keys


def test_flow_reads_the_database_and_prints_a_table(accord):
    assert accord("import", TINY, "--json").exit_code == 0
    result = accord("flow")
    assert result.exit_code == 0, result.output
    # OPP-7 won (08-01 -> 09-20, 50 days), OPP-9 lost (07-15 -> 09-01, 48): median 49.
    assert "3 deals, 1 won, 1 lost, 1 open; win rate 50%" in result.stdout
    assert "median 49.0" in result.stdout
    assert "work piles up in: Proposal" in result.stdout


def test_stage_order_and_as_of_are_options(accord):
    result = accord(
        "flow",
        "--data",
        TINY,
        "--as-of",
        "2026-10-10",
        "--stages",
        "Proposal,Qualification",
        "--json",
    )
    body = json.loads(result.stdout)
    assert body["as_of"] == "2026-10-10"
    # OPP-8 entered Proposal on 10-15, after this as-of: only OPP-7 reached Proposal.
    assert [(s["stage"], s["deals"]) for s in body["stages"]][:2] == [
        ("Proposal", 1),
        ("Qualification", 2),
    ]


def test_scope_lists_the_green_pump(accord):
    result = accord("scope", "--data", TINY)
    assert result.exit_code == 0
    assert "OPP-8/1" in result.stdout and "PUMP-200 comes in red or blue only" in result.stdout


def test_missing_table_is_bad_input_with_exit_2(accord, tmp_path):
    folder = tmp_path / "no-rules"
    shutil.copytree(TINY, folder)
    (folder / "rules.csv").unlink()
    result = accord("scope", "--data", folder, "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "missing_data" and "rules" in error["message"]


def test_bad_as_of_is_exit_2(accord):
    assert accord("reliability", "--data", TINY, "--as-of", "2026-13-01").exit_code == 2
