"""An import killed half way (SIGKILL, no clean-up at all) leaves the previous dataset."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import Engine

from accord.storage.unit_of_work import UnitOfWork
from tests.integration.datasets import pump_company, valve_company

# Imports a big demand history; prints a line once some of it is in the open transaction.
_IMPORT_SCRIPT = """
import datetime as dt
import sys

from accord.domain.dataset import TABLES, Dataset
from accord.storage.engine import make_engine
from accord.storage.unit_of_work import UnitOfWork

url, history_rows = sys.argv[1], int(sys.argv[2])
product = {c: None for c in TABLES["products"].column_names} | {
    "sku": "PUMP-200", "unit_price": 10.0, "material_cost": 4.0, "attributes": {}
}
history = tuple(
    {"sku": "PUMP-200", "date": dt.date(2020, 1, 1) + dt.timedelta(days=i % 2000),
     "quantity": float(i), "customer": None, "attributes": {}}
    for i in range(history_rows)
)
dataset = Dataset(tables={"products": (product,), "demand_history": history})
announced = False

def progress(table, done, total):
    global announced
    if table == "demand_history" and done >= 20_000 and not announced:
        announced = True
        print("inserting", flush=True)

with UnitOfWork(make_engine(url), write=True) as uow:
    uow.replace_dataset(dataset, "big.csv", progress)
    uow.commit()
print("committed", flush=True)
"""


@pytest.mark.slow
def test_import_killed_mid_transaction_leaves_previous_dataset(engine: Engine, db_url: str) -> None:
    with UnitOfWork(engine, write=True) as uow:
        uow.replace_dataset(pump_company(), "pumps.xlsx")
        uow.commit()

    process = subprocess.Popen(
        [sys.executable, "-c", _IMPORT_SCRIPT, db_url, "600000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        line = process.stdout.readline().strip()
        os.kill(process.pid, signal.SIGKILL)
    finally:
        _, errors = process.communicate(timeout=60)
    assert line == "inserting", errors
    assert process.returncode == -signal.SIGKILL, "the import ended before it was killed"

    with UnitOfWork(engine) as uow:
        assert uow.current_version() == 1
        assert uow.load_dataset() == pump_company()
    with UnitOfWork(engine, write=True) as uow:
        assert uow.replace_dataset(valve_company(), "valves/") == 2
        uow.commit()
    with UnitOfWork(engine) as uow:
        assert uow.load_dataset() == valve_company()
