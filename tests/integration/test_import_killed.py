"""`accord import` killed half way (SIGKILL) leaves the previous dataset, on both databases."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from accord.io.files import read_dataset
from accord.storage.database import Database

TINY = Path(__file__).parent.parent / "data" / "tiny"


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "accord.cli", *args]


def _env(db_url: str) -> dict[str, str]:
    return {**os.environ, "ACCORD_DATABASE_URL": db_url}


def _import(db_url: str, path: Path) -> None:
    done = subprocess.run(
        _command("import", str(path), "--json"), env=_env(db_url), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def _big_company(folder: Path, history_rows: int) -> Path:
    """The tiny company with a long demand history, so an import takes a while."""
    shutil.copytree(TINY, folder)
    with (folder / "demand_history.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["sku", "date", "quantity", "customer"])
        for i in range(history_rows):
            writer.writerow(["PUMP-200", f"20{10 + i % 16}-0{1 + i % 9}-1{i % 10}", i % 50, ""])
    return folder


@pytest.mark.slow
def test_import_killed_while_writing_leaves_the_previous_dataset(db_url, tmp_path):
    db = Database(db_url)
    db.migrate()
    _import(db_url, TINY)
    with db.unit_of_work() as uow:
        before = (uow.current_version(), uow.load_dataset())

    big = _big_company(tmp_path / "big", 150_000)
    killed = subprocess.Popen(
        _command("import", str(big)),
        env=_env(db_url),
        text=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert killed.stderr is not None
    seen = []
    try:
        # Without a terminal the progress is one plain line per table, printed once the
        # table's first rows are in the open transaction.
        for line in killed.stderr:
            seen.append(line)
            if line.startswith("demand_history:"):
                os.kill(killed.pid, signal.SIGKILL)
                break
    finally:
        killed.wait(timeout=60)
        killed.stderr.close()
    assert killed.returncode == -signal.SIGKILL, "".join(seen)

    with db.unit_of_work() as uow:
        assert (uow.current_version(), uow.load_dataset()) == before
    # The database still takes a whole import afterwards.
    _import(db_url, big)
    with db.unit_of_work() as uow:
        assert uow.current_version() == before[0] + 1
        assert uow.load_dataset() == read_dataset(big)
    db.dispose()
