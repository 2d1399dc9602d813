import json

from tests.cli.conftest import TINY, summary


def test_backup_then_restore_from_the_command_line(accord, tmp_path):
    assert accord("import", TINY).exit_code == 0
    before = summary(accord)
    result = accord("backup", tmp_path / "b.zip", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["ds_products"] == 3
    assert accord("import", TINY).exit_code == 0
    assert summary(accord)["version"] == before["version"] + 1
    assert accord("restore", tmp_path / "b.zip").exit_code == 0
    assert summary(accord) == before


def test_restoring_something_else_is_bad_input(accord, tmp_path):
    (tmp_path / "x.zip").write_text("nope")
    result = accord("restore", tmp_path / "x.zip")
    assert result.exit_code == 2
    assert "cannot read the backup" in result.stderr
