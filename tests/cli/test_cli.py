"""The `accord` command end to end: exit codes, --json on stdout alone, the database."""

import json

from tests.cli.conftest import MALFORMED, TINY, summary
from tests.io.test_validate import EXPECTED_PROBLEMS


def test_validate_accepts_a_good_dataset_and_prints_json_alone(accord):
    result = accord("validate", TINY, "--json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["valid"] is True
    assert report["counts"]["orders"] == 4 and report["counts"]["routings"] == 4


def test_validate_lists_every_problem_and_exits_2(accord):
    result = accord("validate", MALFORMED)
    assert result.exit_code == 2
    for problem in EXPECTED_PROBLEMS:
        assert problem in result.stderr
    assert "the dataset has 9 problems" in result.stderr
    assert "warning: notes.txt: not a table of the dataset; ignored" in result.stderr


def test_validate_json_error_has_the_api_error_shape(accord):
    result = accord("validate", MALFORMED, "--json")
    assert result.exit_code == 2
    error = json.loads(result.stdout)["error"]
    assert error["code"] == "dataset_invalid"
    assert error["details"] == EXPECTED_PROBLEMS


def test_import_then_summary_describes_the_company(accord):
    result = accord("import", TINY, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["version"] == 1
    s = summary(accord)
    assert s["company"] == "Tiny Pumps GmbH"
    assert s["as_of"] == "2026-11-02" and s["horizon"]["end"] == "2027-11-01"
    paint, assy = s["resources"]
    # 261 weekdays from Mon 2026-11-02 to Mon 2027-11-01, less the closed Tuesday 3 Nov.
    assert paint["horizon_minutes"] == 260 * 480
    assert paint["week_minutes"] == 5 * 480
    # A crew's minutes are per worker: 3 workers x 450 minutes x 261 weekdays.
    assert assy["horizon_minutes"] == 3 * 450 * 261
    assert s["counts"]["open_orders"] == 3
    # Open order value at product prices: 40 x 120 + 20 x 180 + 15 x 120.
    assert s["open_orders"] == {"units": 75.0, "value": 10200.0}


def test_a_malformed_import_exits_2_and_leaves_the_database_unchanged(accord):
    assert accord("import", TINY).exit_code == 0
    before = summary(accord)
    result = accord("import", MALFORMED)
    assert result.exit_code == 2
    assert EXPECTED_PROBLEMS[0] in result.stderr
    assert summary(accord) == before


def test_export_and_import_again_gives_an_equal_dataset(accord, tmp_path):
    from accord.config import load_settings
    from accord.services.datasets import load_stored
    from accord.services.runtime import open_database

    assert accord("import", TINY).exit_code == 0
    db = open_database(load_settings())
    first, _ = load_stored(db)
    for target in (tmp_path / "exported", tmp_path / "exported.xlsx"):
        assert accord("export", target).exit_code == 0
        assert accord("import", target).exit_code == 0
        again, _ = load_stored(db)
        assert again == first
    db.dispose()


def test_summary_reads_a_dataset_file_with_data_and_as_of(accord):
    result = accord("summary", "--data", TINY, "--as-of", "2026-12-01", "--json")
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    assert s["as_of"] == "2026-12-01" and s["version"] is None


def test_a_bad_as_of_is_bad_input(accord):
    result = accord("summary", "--data", TINY, "--as-of", "1 Dec")
    assert result.exit_code == 2
    assert "--as-of: not a date (YYYY-MM-DD): '1 Dec'" in result.stderr


def test_summary_without_data_says_how_to_load_some(accord):
    result = accord("summary")
    assert result.exit_code == 1
    assert "accord demo" in result.stderr


def test_a_missing_path_is_bad_input(accord, tmp_path):
    result = accord("import", tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "no such file or folder" in result.stderr


def test_demo_writes_and_loads_the_small_company(accord, tmp_path):
    result = accord("demo", "--out", tmp_path / "demo", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (tmp_path / "demo" / "products.csv").exists()
    s = summary(accord)
    assert s["version"] == report["version"]
    assert s["counts"]["products"] == report["counts"]["products"]
    assert len(s["resources"]) >= 10


def test_demo_refuses_an_unknown_scale(accord):
    result = accord("demo", "--scale", "huge")
    assert result.exit_code == 2
    assert "--scale must be small or large" in result.stderr
