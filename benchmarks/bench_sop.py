"""S&OP LP benchmark (SPEC §7): 1,000 families x 200 resources x 52 weeks.

The large demo company's 20,000 SKUs are grouped into 1,000 planning families of similar
products (the demo's own families are few and broad: see ``family_data``) and planned
weekly for 52 weeks at family level, so the LP is the aggregate plan of SPEC §7's size.
Rows:

  sop build   building the LP from the snapshot's demand and capacity arrays (numpy index
              arithmetic, one passModel), against the same LP through highspy's
              per-variable expression API (built once: it takes far longer)
  sop solve   solving it to optimality as the S&OP engine does (``solver="auto"``: HiGHS'
              dual simplex; the solver that ran is in the row's name), against HiGHS'
              interior-point solver (IPX, no crossover) on the same model (one run). The
              plan allows ending backlog (what cannot be made stays unmet), so the model
              is feasible whatever the demo's loads.

Small scale groups the small demo's SKUs into 100 families.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

from accord.domain.snapshot import Snapshot
from accord.planning import lp
from accord.planning.demand_plan import DemandParams, demand_plan
from accord.planning.sop_data import SupplyData, supply_data
from accord.planning.sop_model import EndConditions, build_model

FAMILIES = {"large": 1_000, "small": 100}
WEEKS = 52


def _snapshot(scale: str) -> Snapshot:
    from accord.demo import generate
    from accord.services.datasets import load_stored
    from accord.services.snapshot import build_snapshot
    from accord.storage.database import Database

    url = os.environ.get("ACCORD_BENCH_DB")
    if url:
        db = Database(url)
        dataset, _ = load_stored(db)
        db.dispose()
    else:
        dataset = generate(scale)  # type: ignore[arg-type]
    return build_snapshot(dataset)


def family_data(snapshot: Snapshot, families: int) -> SupplyData:
    """The weekly demand and capacity of ``snapshot`` with its SKUs in ``families`` planning
    families of similar products: SKUs sorted by family, then by the resources of their
    routing, cut into equal consecutive groups (as a planner groups products that share
    processes)."""
    demand = demand_plan(snapshot, DemandParams("week", WEEKS))
    start, resource = snapshot.routing_start.tolist(), snapshot.routing_resource.tolist()
    order = sorted(
        range(len(demand.skus)),
        key=lambda i: (demand.families[i], sorted(resource[start[i] : start[i + 1]]), i),
    )
    group = [0] * len(order)
    for rank, i in enumerate(order):
        group[i] = rank * families // len(order)
    grouped = dataclasses.replace(demand, families=tuple(f"F{g:04d}" for g in group))
    return supply_data(snapshot, grouped, level="family")


def _times(fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    snapshot = _snapshot(scale)
    data = family_data(snapshot, FAMILIES.get(scale, 1_000))
    n, R, T = data.shape
    end = EndConditions(allow_ending_backlog=True)
    model, _ = build_model(data, end=end)
    size = f"{n} x {R} x {T}: {model.matrix.shape[1]:,} columns, {model.matrix.shape[0]:,} rows"
    build = _times(lambda: build_model(data, end=end), max(runs, 3))
    expressions = _times(lambda: lp.build_by_expressions(model), 1)
    solves: list[lp.LpSolution] = []
    solve = _times(lambda: solves.append(lp.solve(model)), max(1, min(runs, 3)))
    interior = dataclasses.replace(model, solver="ipm")
    ipm: list[lp.LpSolution] = []
    ipm_time = _times(lambda: ipm.append(lp.solve(interior)), 1)
    gap = abs(ipm[0].objective - solves[-1].objective) / abs(solves[-1].objective)
    if gap > 1e-6:
        raise AssertionError(f"sop solve: the solvers' objectives differ by {gap:.1e}")
    return [
        {
            "job": f"sop build ({size}, {model.matrix.nnz:,} nonzeros)",
            "seconds": statistics.median(build),
            "baseline": "highspy expression API",
            "baseline_seconds": expressions[0],
            "target": "<= 1 s",
        },
        {
            "job": f"sop solve ({solves[-1].solver}, objective {solves[-1].objective:,.0f})",
            "seconds": statistics.median(solve),
            "baseline": "interior point (IPX)",
            "baseline_seconds": ipm_time[0],
            "peak_mib": _peak_mib(),
            "target": "<= 30 s, <= 4 GiB",
        },
    ]


if __name__ == "__main__":
    import sys

    for row in run(sys.argv[1] if len(sys.argv) > 1 else "small", 1):
        print(row)
