"""The forecast on a real local Dask cluster (two worker processes) equals the local run."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from distributed import LocalCluster

from accord.errors import BadInput
from accord.planning.demand_classes import DemandSeries
from accord.planning.forecast import forecast_demand
from accord.planning.forecast_result import ForecastParams
from accord.services import forecast as service

START = dt.date(2026, 11, 1)


def _company_series() -> list[DemandSeries]:
    """40 seeded monthly series: steady, trending and intermittent, of varied length."""
    rng = np.random.default_rng(11)
    out = []
    for i in range(40):
        n = int(rng.integers(20, 48))
        t = np.arange(n)
        if i % 3 == 2:
            values = np.where(rng.random(n) < 0.3, rng.poisson(5, n) + 1, 0)
        else:
            values = rng.poisson(20 + (i % 3) * 0.5 * t)
        start = dt.date(2026 - (n + 10) // 12, 1, 1)
        out.append(DemandSeries(f"SKU-{i:03d}", start, values.astype(float)))
    return out


def test_cluster_run_equals_the_local_run(monkeypatch):
    series = _company_series()
    params = ForecastParams(period="month", horizon=4, n_jobs=1)
    local = forecast_demand(series, params, START)
    # Small partitions so the 40 series really travel to both workers in several parts.
    monkeypatch.setattr(service, "MIN_PARTITION", 5)
    seen: list[tuple[str, int, int]] = []
    # Worker threads in this process: the models are compiled already, so the test is quick.
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster:
        remote = service.forecast_on_cluster(
            cluster.scheduler_address, series, params, START, lambda *a: seen.append(a)
        )
    assert remote == local
    assert remote.to_json() == local.to_json()
    assert seen[-1] == ("forecast (cluster)", 40, 40) and len(seen) > 2


@pytest.mark.slow
def test_worker_processes_give_the_same_result(monkeypatch):
    # Separate processes: series and results are pickled across. Few, cheap models so the
    # workers' first compilation stays short.
    series = _company_series()[:12]
    params = ForecastParams(
        period="month",
        horizon=3,
        n_jobs=1,
        regular_models=("Naive", "SeasonalNaive"),
        sparse_models=("ADIDA",),
    )
    local = forecast_demand(series, params, START)
    monkeypatch.setattr(service, "MIN_PARTITION", 4)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        remote = service.forecast_on_cluster(cluster.scheduler_address, series, params, START)
    assert remote == local


def test_partitions_are_large_enough_to_beat_the_overhead():
    series = _company_series() * 100  # 4,000 series
    parts = service.partitions(series, threads=2)
    assert sum(len(p) for p in parts) == 4_000
    assert min(len(p) for p in parts[:-1]) >= service.MIN_PARTITION
    assert len(parts) == 8  # 4,000 / 500


def test_unreachable_scheduler_is_bad_input():
    with pytest.raises(BadInput, match="Dask scheduler"):
        service.forecast_on_cluster(
            "tcp://127.0.0.1:9", _company_series()[:2], ForecastParams(), START, None, 0.5
        )
