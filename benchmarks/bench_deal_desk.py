"""Deal desk benchmark (SPEC §7): capable-to-promise on the stored demo company. Rows:

ctp place orders   load the stored company, build its snapshot and place every open
                   order line (200,000 at large scale) into free capacity and stock;
                   baseline: the same without placing (load and snapshot alone)
ctp earliest p50   one inquiry's earliest date on the warm load state (compiled kernel,
ctp earliest p99   nothing changed): p50 / p99 over many random (sku, quantity) questions;
                   baseline: the simplest correct approach, placing all open orders again
                   for each question (measured on a few questions)
ctp full p99       the full answer: date, reasons, throughput and the price of yes
                   (partial, overtime, subcontract) for a date two weeks out; baseline:
                   re-placing all orders, then the same answer (a few questions)
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import resource
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np

from accord.domain.dataset import Dataset
from accord.domain.snapshot import Snapshot
from accord.planning.loading import LoadState, warm_up
from accord.planning.pipeline import PipelineParams, pipeline
from accord.planning.promise import PromiseRequest, company_average, promise

QUESTIONS = {"large": 2_000, "small": 500}
FULL_QUESTIONS = 200
BASELINE_QUESTIONS = 3


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _load_dataset(scale: str) -> Dataset:
    from accord.demo import generate
    from accord.services.datasets import load_stored_deferring
    from accord.storage.database import Database

    url = os.environ.get("ACCORD_BENCH_DB")
    if not url:
        return generate("large" if scale == "large" else "small")
    db = Database(url)
    try:
        return load_stored_deferring(db)[0]  # as `accord serve` loads it
    finally:
        db.dispose()


def _questions(state: LoadState, n: int, seed: int = 11) -> list[tuple[int, float]]:
    rng = np.random.default_rng(seed)
    made = np.array([i for i in range(len(state.snapshot.products)) if state.has_supply_route(i)])
    skus = rng.choice(made, n)
    quantities = rng.integers(1, 500, n).astype(np.float64)
    return list(zip(skus.tolist(), quantities.tolist(), strict=True))


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    from accord.services.snapshot import build_snapshot

    warm_up()
    snapshot: Snapshot | None = None

    state: LoadState | None = None

    def load_only() -> None:
        build_snapshot(_load_dataset(scale))

    def load_and_place() -> None:
        nonlocal state, snapshot
        state = snapshot = None  # one company in memory at a time
        gc.collect()
        snapshot = build_snapshot(_load_dataset(scale))
        state = LoadState.after_orders(snapshot)

    repeat = max(1, min(runs, 3))  # each run loads the whole company
    loaded = [_timed(load_only) for _ in range(repeat)]
    gc.collect()
    placed = [_timed(load_and_place) for _ in range(repeat)]
    assert state is not None and snapshot is not None
    orders = len(snapshot.open_orders)
    rows: list[dict[str, Any]] = [
        {
            "job": f"ctp place orders ({orders:,} lines, incl. load)",
            "seconds": statistics.median(placed),
            "baseline": "load and snapshot only",
            "baseline_seconds": statistics.median(loaded),
            "peak_mib": _peak_mib(),
            "target": "<= 10 s",
        }
    ]
    questions = _questions(state, QUESTIONS.get(scale, 500))
    for sku, qty in questions[:50]:  # warm caches (touched rows per product)
        state.earliest_day(sku, qty)
    samples = []
    for sku, qty in questions:
        started = time.perf_counter()
        state.earliest_day(sku, qty)
        samples.append(time.perf_counter() - started)

    fixed_state, fixed_snapshot = state, snapshot

    def rebuild_and_ask(sku: int, qty: float) -> None:
        LoadState.after_orders(fixed_snapshot, fixed_state.trees).earliest_day(sku, qty)

    baseline = [_timed(partial(rebuild_and_ask, *q)) for q in questions[:BASELINE_QUESTIONS]]
    base = statistics.median(baseline)
    for pct, target in ((50, "p50 <= 50 us"), (99, "p99 <= 200 us")):
        rows.append(
            {
                "job": f"ctp earliest p{pct} ({len(samples):,} inquiries)",
                "seconds": float(np.percentile(samples, pct)),
                "baseline": "re-place all orders per question",
                "baseline_seconds": base,
                "peak_mib": _peak_mib(),
                "target": target,
            }
        )
    average = company_average(state)
    wanted = snapshot.as_of + dt.timedelta(days=14)

    def full(question: tuple[int, float], on: LoadState) -> None:
        sku, qty = question
        name = on.snapshot.products[sku].sku
        promise(on, PromiseRequest(name, qty, wanted), company_average=average)

    full_samples = [_timed(partial(full, q, fixed_state)) for q in questions[:FULL_QUESTIONS]]

    def rebuild_and_answer(question: tuple[int, float]) -> None:
        full(question, LoadState.after_orders(fixed_snapshot, fixed_state.trees))

    full_base = [_timed(partial(rebuild_and_answer, q)) for q in questions[:BASELINE_QUESTIONS]]
    rows.append(
        {
            "job": f"ctp full answer p99 ({len(full_samples)} questions)",
            "seconds": float(np.percentile(full_samples, 99)),
            "baseline": "re-place all orders, then answer",
            "baseline_seconds": statistics.median(full_base),
            "peak_mib": _peak_mib(),
            "target": "p99 <= 20 ms",
        }
    )
    lines = len(snapshot.opportunity_lines)
    for job, params, target in (
        ("pipeline check", PipelineParams(), "<= 2 s"),
        ("pipeline Monte-Carlo 1,000 draws", PipelineParams(draws=1_000), "<= 5 s"),
    ):
        seconds = statistics.median(
            _timed(partial(pipeline, fixed_state, params)) for _ in range(max(1, min(runs, 3)))
        )
        rows.append(
            {
                "job": f"{job} ({lines:,} opportunity lines)",
                "seconds": seconds,
                "peak_mib": _peak_mib(),
                "target": target,
            }
        )
    return rows


if __name__ == "__main__":
    import sys

    for row in run(sys.argv[1] if len(sys.argv) > 1 else "small", 3):
        print(row)
