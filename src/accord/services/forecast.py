"""Forecast use cases: run the statistical forecast of a company (on the local cores or a
Dask cluster), store it as a version, read the latest version back.

On a cluster the SKUs are split into partitions (each at least ``MIN_PARTITION`` series, so
that a task's work outweighs its scheduling and transfer, and about four per worker thread
so that the workers stay busy to the end); each partition is forecast by a worker with the
same engine and the parts are merged. Every series is fitted on its own, so the result
equals the local run's.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from accord.errors import BadInput, MissingData, NotFound
from accord.planning.demand_classes import (
    DemandSeries,
    demand_series,
    period_start,
    shift_period,
)
from accord.planning.forecast_result import ForecastParams, ForecastResult, merge_results
from accord.progress import Progress
from accord.services.auth import audit
from accord.services.company import Company
from accord.storage import forecast_repository
from accord.storage.database import Database
from accord.storage.forecast_repository import ForecastVersion

MIN_PARTITION = 500
TASKS_PER_THREAD = 4


def company_series(company: Company) -> tuple[tuple[DemandSeries, ...], str, dt.date]:
    """The demand series of the company, its period and the first forecast period."""
    dataset = company.dataset
    if not dataset.has("demand_history"):
        raise MissingData("the forecast needs the demand_history table (past sales per SKU)")
    period = dataset.period()
    as_of = company.snapshot.as_of
    series = demand_series(dataset.rows("demand_history"), period, as_of)
    if not series:
        raise MissingData(f"demand_history holds no sales before the as-of date {as_of}")
    return series, period, period_start(as_of, period)


def run_forecast(
    company: Company,
    *,
    horizon: int = 12,
    level: int = 80,
    cluster: str | None = None,
    n_jobs: int = -1,
    progress: Progress | None = None,
) -> ForecastResult:
    """Forecast every SKU with demand history; on the Dask scheduler ``cluster`` if given."""
    series, period, start = company_series(company)
    try:
        params = ForecastParams(period=period, horizon=horizon, level=level, n_jobs=n_jobs)
    except ValueError as error:
        raise BadInput(str(error)) from None
    try:
        shift_period(start, period, horizon)
    except (ValueError, OverflowError):
        raise BadInput(
            f"horizon: {horizon} {period}s from {start} end after the year 9999"
        ) from None
    if cluster:
        return forecast_on_cluster(cluster, series, params, start, progress)
    from accord.planning.forecast import forecast_demand

    return forecast_demand(series, params, start, progress)


def partitions(series: Sequence[DemandSeries], threads: int) -> list[Sequence[DemandSeries]]:
    """Consecutive slices of ``series`` for ``threads`` worker threads."""
    size = max(MIN_PARTITION, math.ceil(len(series) / max(1, TASKS_PER_THREAD * threads)))
    return [series[i : i + size] for i in range(0, len(series), size)]


def forecast_on_cluster(
    address: str,
    series: Sequence[DemandSeries],
    params: ForecastParams,
    start: dt.date,
    progress: Progress | None = None,
    connect_timeout: float = 10.0,
) -> ForecastResult:
    """The same forecast on the Dask cluster at ``address``, partitions in parallel."""
    from distributed import Client, as_completed

    from accord.planning.forecast import forecast_demand

    report = progress or (lambda label, done, total: None)
    try:
        client = Client(address, timeout=f"{connect_timeout}s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as error:
        raise BadInput(f"cannot reach the Dask scheduler at {address!r}: {error}") from None
    with client:
        threads = sum(client.nthreads().values())  # type: ignore[no-untyped-call]
        parts = partitions(series, threads)
        # Each worker runs one partition in one process: the cluster is the parallelism.
        worker_params = replace(params, n_jobs=1)
        futures = [
            client.submit(forecast_demand, part, worker_params, start, pure=False) for part in parts
        ]
        done = 0
        report("forecast (cluster)", 0, len(series))
        results: list[ForecastResult] = []
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            part_result: ForecastResult = future.result()
            results.append(part_result)
            done += len(part_result.skus)
            report("forecast (cluster)", done, len(series))
    merged = merge_results(results)
    return replace(merged, params=params)


def save_forecast(
    db: Database, company: Company, result: ForecastResult, author: str, note: str | None = None
) -> ForecastVersion:
    """Store ``result`` as a new forecast version; returns its header."""
    if not author.strip():
        raise BadInput("author: a forecast version needs its author")
    with db.unit_of_work(write=True) as uow:
        forecast_repository.save_forecast(
            uow.connection,
            result,
            author=author.strip(),
            note=note,
            as_of=company.snapshot.as_of,
            dataset_version=company.version,
        )
        version = forecast_repository.latest_version(uow.connection)
        if version is not None:
            audit(uow, author.strip(), "save_forecast", f"forecast version {version.id}")
        uow.commit()
    if version is None:  # just written in this transaction
        raise RuntimeError("the saved forecast version cannot be read back")
    return version


def latest_version(db: Database) -> tuple[ForecastVersion, list[dict[str, Any]]]:
    """The newest stored forecast version and its rows (NotFound when none is stored)."""
    with db.unit_of_work() as uow:
        version = forecast_repository.latest_version(uow.connection)
        if version is None:
            raise NotFound("no forecast has been saved yet: run `accord forecast --save`")
        rows = forecast_repository.version_rows(uow.connection, version.id)
    return version, rows


def latest_forecast(db: Database) -> dict[tuple[str, dt.date], float]:
    """(sku, period_start) -> quantity of the newest stored forecast; empty when none.

    For the demand plan: the statistical forecast that the user's ``forecast`` cells
    override cell by cell.
    """
    with db.unit_of_work() as uow:
        version = forecast_repository.latest_version(uow.connection)
        if version is None:
            return {}
        rows = forecast_repository.version_rows(uow.connection, version.id)
    return {(r["sku"], r["period_start"]): float(r["quantity"]) for r in rows}


def latest_to_json(version: ForecastVersion, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """SPEC §3.5 ``forecast`` shape of a stored version, with its header."""
    return version.to_json() | {
        "forecasts": [
            {
                "sku": r["sku"],
                "period_start": r["period_start"].isoformat(),
                "quantity": r["quantity"],
                "lo": r["lo"],
                "hi": r["hi"],
                "model": r["model"],
            }
            for r in rows
        ]
    }
