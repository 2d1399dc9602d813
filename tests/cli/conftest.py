"""Run `accord ...` in-process against a fresh SQLite database in a temporary folder."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import app

DATA = Path(__file__).parent.parent / "data"
TINY = DATA / "tiny"
MALFORMED = DATA / "malformed"


@pytest.fixture
def accord(tmp_path, monkeypatch):
    monkeypatch.setenv("ACCORD_DATABASE_URL", f"sqlite:///{tmp_path / 'accord.db'}")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run


def summary(accord) -> dict:
    result = accord("summary", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)
