"""Time replace_dataset and load_dataset on a synthetic large dataset.

python benchmarks/storage_replace.py sqlite:///bench.db [demand_rows] [order_rows]
python benchmarks/storage_replace.py postgresql+psycopg://user@host/db
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import time

from accord.domain.dataset import TABLES, Dataset, Row
from accord.storage.engine import make_engine
from accord.storage.migrate import upgrade
from accord.storage.unit_of_work import UnitOfWork


def _row(table: str, **values: object) -> Row:
    return {c: None for c in TABLES[table].column_names} | values | {"attributes": {}}


def synthetic(demand_rows: int, order_rows: int, seed: int = 7) -> Dataset:
    rng = random.Random(seed)
    skus = [f"SKU-{i:05d}" for i in range(2_000)]
    customers = [f"CUST-{i:04d}" for i in range(500)]
    start = dt.date(2020, 1, 1)
    products: list[Row] = [
        _row("products", sku=s, unit_price=100.0, material_cost=40.0, active=True) for s in skus
    ]
    demand: list[Row] = [
        {
            "sku": rng.choice(skus),
            "date": start + dt.timedelta(days=rng.randrange(1_500)),
            "quantity": float(rng.randrange(1, 50)),
            "customer": None,
            "attributes": {},
        }
        for _ in range(demand_rows)
    ]
    orders: list[Row] = [
        {
            "order_id": f"SO-{i:07d}",
            "line": 1,
            "customer": rng.choice(customers),
            "sku": rng.choice(skus),
            "quantity": float(rng.randrange(1, 200)),
            "due_date": start + dt.timedelta(days=rng.randrange(1_500)),
            "promised_date": None,
            "priority": 3,
            "status": "open",
            "owner": "ana",
            "opportunity_id": None,
            "attributes": {"color": "red"} if i % 10 == 0 else {},
        }
        for i in range(order_rows)
    ]
    customer_rows = [_row("customers", customer=c) for c in customers]
    tables = {
        "products": tuple(products),
        "customers": tuple(customer_rows),
        "demand_history": tuple(demand),
        "orders": tuple(orders),
    }
    return Dataset(tables={name: rows for name, rows in tables.items() if rows})


def main() -> None:
    url = sys.argv[1]
    demand_rows = int(sys.argv[2]) if len(sys.argv) > 2 else 3_100_000
    order_rows = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
    dataset = synthetic(demand_rows, order_rows)
    engine = make_engine(url)
    upgrade(engine)
    for attempt in (1, 2):  # the second also deletes the rows of the first
        began = time.perf_counter()
        with UnitOfWork(engine, write=True) as uow:
            version = uow.replace_dataset(dataset, source="benchmark")
            uow.commit()
        print(f"replace #{attempt} (version {version}): {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    with UnitOfWork(engine) as uow:
        loaded = uow.load_dataset()
    print(f"load: {time.perf_counter() - began:.1f} s")
    assert loaded == dataset
    engine.dispose()


if __name__ == "__main__":
    main()
