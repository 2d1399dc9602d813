"""Benchmark: build the snapshot of the large company (SPEC §7).

Times ``build_snapshot`` (median of several runs), measures its peak traced memory, and
compares it with a plain per-resource, per-day Python loop over the capacity calendar
measured in the same run. Uses ``accord.demo.generate("large")`` when that exists, else a
synthetic company of the same size generated here with numpy.

    python benchmarks/bench_snapshot.py [--quick] [--synthetic] [--runs N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import importlib
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from accord.domain.calendar import daily_capacity, prefix_sums
from accord.domain.dataset import WEEKDAYS, Dataset, Row
from accord.services.snapshot import build_snapshot

AS_OF = dt.date(2025, 1, 6)
LARGE = {"skus": 20_000, "resources": 200, "orders": 200_000, "days": 365}
QUICK = {"skus": 2_000, "resources": 50, "orders": 20_000, "days": 365}


def synthetic_company(skus: int, resources: int, orders: int, seed: int = 7) -> Dataset:
    """A company of the requested size: 1-5 routing steps per SKU, a few BOM lines, a crew
    in every ten resources, holidays, receipts and open, shipped and cancelled orders."""
    rng = np.random.default_rng(seed)
    sku_ids = [f"SKU-{i:05d}" for i in range(skus)]
    res_ids = [f"RES-{i:03d}" for i in range(resources)]
    price = rng.uniform(20, 500, skus).round(2)
    products: list[Row] = [
        {
            "sku": s,
            "name": f"Product {i}",
            "family": f"FAM-{i % 1000:03d}",
            "unit_price": float(price[i]),
            "material_cost": float((price[i] * rng.uniform(0.2, 0.7)).round(2)),
            "lead_time_days": int(i % 5),
            "lot_size": float(1 + (i % 4) * 25) if i % 3 else None,
            "safety_stock": float(i % 50),
            "attributes": {},
        }
        for i, s in enumerate(sku_ids)
    ]
    resource_rows: list[Row] = []
    for i, r in enumerate(res_ids):
        crew = i % 10 == 0
        row: Row = {"resource": r, "name": f"Resource {i}", "kind": "crew" if crew else "machine"}
        row.update(
            {d: (450.0 if crew else 960.0) if k < 5 else 0.0 for k, d in enumerate(WEEKDAYS)}
        )
        row.update({"overtime_minutes_per_day": 120.0, "workers": 6 if crew else None})
        resource_rows.append(row)
    holidays = [dt.date(2025, 4, 18), dt.date(2025, 5, 1), dt.date(2025, 12, 25)]
    exceptions = [{"resource": r, "date": d, "minutes": 0.0} for r in res_ids for d in holidays]
    n_steps = rng.integers(1, 6, skus)
    step_res = rng.integers(0, resources, int(n_steps.sum()))
    routings: list[Row] = []
    k = 0
    for i, s in enumerate(sku_ids):
        for step in range(int(n_steps[i])):
            routings.append(
                {
                    "sku": s,
                    "step": (step + 1) * 10,
                    "resource": res_ids[int(step_res[k])],
                    "minutes_per_unit": float(1 + (k % 30)),
                    "setup_minutes": float(30 * (k % 3)),
                }
            )
            k += 1
    # Components are the last fifth of the SKUs; each parent has up to 3 of them.
    first_component = skus - skus // 5
    bom: list[Row] = []
    for i in range(0, first_component, 2):
        for c in {first_component + (i * 7 + j) % (skus - first_component) for j in range(3)}:
            bom.append({"sku": sku_ids[i], "component": sku_ids[c], "quantity_per": 2.0})
    inventory = [{"sku": s, "on_hand": float(i % 200)} for i, s in enumerate(sku_ids) if i % 2]
    supply = [
        {
            "supply_id": f"PO-{i:06d}",
            "sku": sku_ids[(i * 13) % skus],
            "quantity": 100.0,
            "date": AS_OF + dt.timedelta(days=int(i % 400) - 20),
        }
        for i in range(skus // 2)
    ]
    customers = [
        {"customer": f"CUST-{i:04d}", "name": f"Customer {i}", "attributes": {"vision": "3"}}
        for i in range(2_000)
    ]
    order_sku = rng.integers(0, skus, orders)
    due = rng.integers(-30, 300, orders)
    priority = rng.integers(1, 6, orders)
    statuses = ("open",) * 8 + ("shipped", "cancelled")
    order_rows: list[Row] = [
        {
            "order_id": f"SO-{i // 4:06d}",
            "line": i % 4 + 1,
            "customer": customers[i % 2_000]["customer"],
            "sku": sku_ids[int(order_sku[i])],
            "quantity": float(1 + i % 40),
            "due_date": AS_OF + dt.timedelta(days=int(due[i])),
            "priority": int(priority[i]),
            "status": None,
            "attributes": {},
        }
        for i in range(orders)
    ]
    # Extra closed lines on top of the open ones, as a real order book has.
    for i in range(orders // 10):
        order_rows.append(
            {**order_rows[i], "order_id": f"SO-X{i:06d}", "status": statuses[8 + i % 2]}
        )
    tables: dict[str, tuple[Row, ...]] = {
        "settings": ({"key": "as_of", "value": AS_OF.isoformat()},),
        "products": tuple(products),
        "resources": tuple(resource_rows),
        "calendar_exceptions": tuple(exceptions),
        "routings": tuple(routings),
        "bom": tuple(bom),
        "inventory": tuple(inventory),
        "supply": tuple(supply),
        "customers": tuple(customers),
        "orders": tuple(order_rows),
    }
    return Dataset(tables=tables)


def large_company(size: dict[str, int], synthetic: bool) -> tuple[Dataset, str]:
    try:
        demo: Any = importlib.import_module("accord.demo")
    except ImportError:
        demo = None
    if demo is not None and hasattr(demo, "generate") and not synthetic:
        try:
            return demo.generate("large"), "accord.demo.generate('large')"
        except Exception as exc:  # the snapshot is measured even while the demo is broken
            print(f"accord.demo.generate('large') failed ({exc!r}); using the synthetic one")
    return synthetic_company(size["skus"], size["resources"], size["orders"]), "synthetic"


def baseline_capacity_loop(dataset: Dataset, as_of: dt.date, days: int) -> list[list[float]]:
    """The naive way: a Python loop over resources and days with a dict of exceptions."""
    exceptions = {
        (e["resource"], e["date"]): e["minutes"] for e in dataset.rows("calendar_exceptions")
    }
    table = []
    for r in dataset.rows("resources"):
        factor = (r.get("workers") or 1) if r.get("kind") == "crew" else 1
        row = []
        for d in range(days):
            day = as_of + dt.timedelta(days=d)
            minutes = exceptions.get((r["resource"], day), r[WEEKDAYS[day.weekday()]])
            row.append(minutes * factor)
        table.append(row)
    return table


def timed(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def peak_memory(fn: Callable[[], object]) -> float:
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="a tenth of the size, synthetic, 3 runs"
    )
    parser.add_argument("--runs", type=int, default=None, help="timed runs (default 5)")
    parser.add_argument(
        "--synthetic", action="store_true", help="use the generated company, not the demo"
    )
    args = parser.parse_args(argv)
    size = QUICK if args.quick else LARGE
    runs = args.runs or (3 if args.quick else 5)

    started = time.perf_counter()
    dataset, source = large_company(size, args.synthetic or args.quick)
    generated = time.perf_counter() - started
    as_of = dataset.as_of() or AS_OF
    snapshot = build_snapshot(dataset, as_of, size["days"])
    counts = snapshot.counts()

    days = size["days"]
    build = timed(lambda: build_snapshot(dataset, as_of, days), runs)
    calendar = timed(
        lambda: prefix_sums(
            daily_capacity(snapshot.resources, snapshot.calendar_exceptions, as_of, days).regular
        ),
        runs,
    )
    baseline = timed(lambda: baseline_capacity_loop(dataset, as_of, days), runs)
    build_peak = peak_memory(lambda: build_snapshot(dataset, as_of, days))

    median_build, median_base = statistics.median(build), statistics.median(baseline)
    median_calendar = statistics.median(calendar)
    print(f"company: {source} (generated in {generated:.1f} s)")
    print(
        "  "
        + ", ".join(
            f"{k} {v:,}"
            for k, v in counts.items()
            if k in ("products", "resources", "days", "routing_steps", "open_orders", "orders")
        )
    )
    print()
    print(f"{'measure':<44}{'median s':>10}{'min s':>10}{'peak MiB':>10}")
    print(f"{'build_snapshot':<44}{median_build:>10.3f}{min(build):>10.3f}{build_peak:>10.1f}")
    label = "  of which: capacity table + prefix (numpy)"
    print(f"{label:<44}{median_calendar:>10.3f}{min(calendar):>10.3f}{'':>10}")
    label = "baseline: capacity table by a Python loop"
    print(f"{label:<44}{median_base:>10.3f}{min(baseline):>10.3f}{'':>10}")
    print()
    print(f"capacity table: Python loop / numpy = {median_base / median_calendar:.1f}x")
    print(f"whole build / capacity loop baseline = {median_build / median_base:.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS (dataset + snapshots + tracing) = {rss:.0f} MiB")
    target = 3.0
    verdict = "within" if median_build <= target else "OVER"
    print(
        f"target build < {target:.0f} s on the large company: {verdict}"
        + (" (quick size)" if args.quick else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
