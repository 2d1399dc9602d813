"""The plan of the order book on given companies: lines late or short, and the placement time.

    .venv/bin/python benchmarks/order_book.py DATASET [DATASET ...]

Each DATASET is a company (CSV folder or workbook). Prints per company the open order lines,
how many the plan leaves late or short (SPEC §5.2 placement), and the median of 7 placements
(warm kernels, the company already loaded) next to the time to build the snapshot.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from accord.io.files import read_dataset
from accord.planning.loading import LoadState, bom_trees, warm_up
from accord.services.snapshot import build_snapshot


def main(paths: list[str]) -> None:
    warm_up()
    for name in paths:
        started = time.perf_counter()
        snapshot = build_snapshot(read_dataset(Path(name)))
        loaded = time.perf_counter() - started
        trees = bom_trees(snapshot)
        times = []
        for _ in range(7):
            t = time.perf_counter()
            state = LoadState.after_orders(snapshot, trees)
            times.append(time.perf_counter() - t)
        late = (state.order_day > snapshot.order_due_day) | (state.order_day < 0)
        print(
            f"{name}: {len(snapshot.open_orders):,} lines, {int(late.sum()):,} late or short "
            f"({int((state.order_day < 0).sum())} short); placement median "
            f"{statistics.median(times) * 1e3:.1f} ms (load and snapshot {loaded:.2f} s)"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
