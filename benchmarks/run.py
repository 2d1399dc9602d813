"""The performance harness (SPEC §7), run by `make bench`.

Each measured job runs in its own process, so its peak memory (max RSS) is its own. Every
figure is a median over repeated runs, printed beside a simple baseline measured in the
same run on the same machine, because machines here are noisy.

    python benchmarks/run.py [--scale large|small] [--runs N] [--keep]

Jobs (foundation):
  demo      write the large demo company as CSV files and load it into SQLite
            (one run: it is a one-off job taking minutes); baseline: reading the same
            files with the csv module alone, no checks
  load      load the stored company and build its snapshot, as `accord serve` does on
            start; baseline: fetching the same rows as plain tuples
  snapshot  build the snapshot from a dataset in memory; its capacity table (numpy)
            against the same table by a plain Python loop over resources and days

Jobs of the engines: every ``benchmarks/bench_<area>.py`` defines
``run(scale: str, runs: int) -> list[dict]``, each dict a printed row with ``job``,
``seconds`` (a median), and optionally ``baseline`` (its name), ``baseline_seconds``,
``peak_mib`` and ``target`` (text, e.g. "p99 <= 200 us"); it runs in its own process after
the demo company is stored in ``bench-data/<scale>.db`` (its path is in the environment
variable ACCORD_BENCH_DB, the dataset folder in ACCORD_BENCH_DATA).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench-data"


def _median_runs(fn: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return times


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- jobs, each run in a child process: python run.py --job NAME ... -> JSON on stdout ---


def job_demo(scale: str, runs: int) -> dict[str, Any]:
    from accord.config import Settings
    from accord.services.demo_company import write_and_load
    from accord.services.runtime import open_database

    folder = WORK / f"demo-{scale}"
    database = WORK / f"{scale}.db"
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        path.unlink(missing_ok=True)
    db = open_database(Settings(database_url=f"sqlite:///{database}"))
    report = write_and_load(db, scale, 7, folder)  # type: ignore[arg-type]
    rows = sum(report.counts.values())

    def read_plain() -> None:
        for path in folder.glob("*.csv"):
            with path.open(newline="") as f:
                for _ in csv.reader(f):
                    pass

    baseline = _median_runs(read_plain, runs)
    return {
        "rows": rows,
        "generate_s": report.generate_seconds,
        "write_files_s": report.write_seconds,
        "load_s": report.load_seconds,
        "baseline_csv_read_s": statistics.median(baseline),
        "peak_mib": _peak_mib(),
    }


def job_load(scale: str, runs: int) -> dict[str, Any]:
    from sqlalchemy import select

    from accord.services.snapshot import build_snapshot
    from accord.storage.database import Database
    from accord.storage.tables import DATASET_TABLES

    db = Database(f"sqlite:///{WORK / f'{scale}.db'}")

    def load() -> object:
        with db.unit_of_work() as uow:
            dataset = uow.load_dataset()
        assert dataset is not None
        return build_snapshot(dataset)

    def fetch_plain() -> None:
        with db.engine.connect() as conn:
            for table in DATASET_TABLES.values():
                conn.execute(select(table)).fetchall()

    times = _median_runs(load, runs)
    baseline = _median_runs(fetch_plain, runs)
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "baseline_fetch_s": statistics.median(baseline),
        "peak_mib": _peak_mib(),
    }


def job_snapshot(scale: str, runs: int) -> dict[str, Any]:
    from accord.demo import generate
    from accord.domain.calendar import daily_capacity, prefix_sums
    from accord.domain.dataset import WEEKDAYS
    from accord.services.snapshot import build_snapshot

    dataset = generate(scale)  # type: ignore[arg-type]
    as_of = dataset.as_of()
    assert as_of is not None
    snapshot = build_snapshot(dataset)

    def capacity_loop() -> None:
        exceptions = {
            (e["resource"], e["date"]): e["minutes"] for e in dataset.rows("calendar_exceptions")
        }
        for r in dataset.rows("resources"):
            factor = (r["workers"] or 1) if r["kind"] == "crew" else 1
            [
                exceptions.get((r["resource"], day), r[WEEKDAYS[day.weekday()]]) * factor
                for day in (as_of + dt.timedelta(days=d) for d in range(snapshot.horizon))
            ]

    def capacity_numpy() -> None:
        calendar = daily_capacity(
            snapshot.resources, snapshot.calendar_exceptions, snapshot.as_of, snapshot.horizon
        )
        prefix_sums(calendar.regular)

    times = _median_runs(lambda: build_snapshot(dataset), runs)
    capacity = _median_runs(capacity_numpy, runs)
    baseline = _median_runs(capacity_loop, runs)
    counts = snapshot.counts()
    return {
        "median_s": statistics.median(times),
        "min_s": min(times),
        "capacity_s": statistics.median(capacity),
        "baseline_capacity_loop_s": statistics.median(baseline),
        "products": counts["products"],
        "resources": counts["resources"],
        "days": counts["days"],
        "open_orders": counts["open_orders"],
        "peak_mib": _peak_mib(),
    }


def _seconds(value: float) -> str:
    """Seconds, or micro/milliseconds when small, so latencies stay readable."""
    if value < 1e-3:
        return f"{value * 1e6:.1f} us"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def _area_modules() -> list[str]:
    return sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))


def job_area(module: str, scale: str, runs: int) -> list[dict[str, Any]]:
    import importlib

    sys.path.insert(0, str(Path(__file__).parent))
    rows: list[dict[str, Any]] = importlib.import_module(module).run(scale, runs)
    return rows


JOBS = {"demo": job_demo, "load": job_load, "snapshot": job_snapshot}


def _child(job: str, scale: str, runs: int) -> Any:
    env = {
        **os.environ,
        "PYTHONHASHSEED": "0",
        "ACCORD_BENCH_DB": f"sqlite:///{WORK / f'{scale}.db'}",
        "ACCORD_BENCH_DATA": str(WORK / f"demo-{scale}"),
    }
    done = subprocess.run(
        [sys.executable, __file__, "--job", job, "--scale", scale, "--runs", str(runs)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark job {job} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def _print_table(table: list[tuple[str, ...]]) -> None:
    """Columns as wide as their longest cell; numbers right-aligned."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    right = {1, 3, 4}
    for row in table:
        cells = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description="Accord performance harness (SPEC §7)")
    parser.add_argument("--scale", choices=["small", "large"], default="large")
    parser.add_argument("--runs", type=int, default=3, help="repeats for medians (default 3)")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help="keep bench-data/ afterwards")
    args = parser.parse_args()
    if args.job:
        if args.job in JOBS:
            print(json.dumps(JOBS[args.job](args.scale, args.runs)))
        else:
            print(json.dumps(job_area(args.job, args.scale, args.runs)))
        return

    WORK.mkdir(exist_ok=True)
    print(f"Accord benchmark, {args.scale} demo company, medians of {args.runs} runs")
    print(f"machine: {_machine()}\n")
    demo = _child("demo", args.scale, args.runs)
    load = _child("load", args.scale, args.runs)
    snap = _child("snapshot", args.scale, args.runs)

    rows: list[tuple[Any, ...]] = [
        ("demo: generate the company", demo["generate_s"], None, demo["peak_mib"]),
        ("demo: write CSV files", demo["write_files_s"], None, None),
        (
            "demo: read, validate and store in SQLite",
            demo["load_s"],
            ("plain csv read", demo["baseline_csv_read_s"]),
            None,
        ),
        (
            "load stored company + build snapshot",
            load["median_s"],
            ("plain row fetch", load["baseline_fetch_s"]),
            load["peak_mib"],
        ),
        ("build snapshot from memory", snap["median_s"], None, snap["peak_mib"]),
        (
            "  of which: capacity table + prefix sums",
            snap["capacity_s"],
            ("Python loop", snap["baseline_capacity_loop_s"]),
            None,
        ),
    ]
    for module in _area_modules():
        for row in _child(module, args.scale, args.runs):
            baseline = row.get("baseline")
            pair = (baseline, row["baseline_seconds"]) if baseline else None
            rows.append((row["job"], row["seconds"], pair, row.get("peak_mib"), row.get("target")))

    table = [("job", "seconds", "baseline", "ratio", "peak MiB", "target")]
    for name, seconds, base, peak, *target in rows:
        base_text, ratio = "", ""
        if base is not None:
            base_text = f"{base[0]} {_seconds(base[1])}"
            ratio = f"{seconds / base[1]:.3g}x" if base[1] else ""
        peak_text = f"{peak:,.0f}" if peak is not None else ""
        goal = target[0] if target and target[0] else ""
        table.append((name, _seconds(seconds), base_text, ratio, peak_text, goal))
    _print_table(table)
    print(
        f"\n{demo['rows']:,} rows; snapshot of {snap['products']:,} products, "
        f"{snap['resources']} resources, {snap['days']} days, {snap['open_orders']:,} open "
        "order lines"
    )
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
