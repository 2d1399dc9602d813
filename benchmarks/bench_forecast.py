"""Forecast benchmark (SPEC §7): statistical forecast with back-test of the large company.

Rows (``run``):

forecast weekly    every SKU's weekly series (20,000 SKUs x up to 156 weeks at large
                   scale): classification, rolling-origin back-test of every candidate
                   (3 windows x 12 weeks), choice per SKU, 12-week forecast with 80 %
                   intervals, on all local cores; baseline: the same run with the
                   seasonal-naive forecast as the only model
forecast monthly   the same on the dataset's own period (months)

``ACCORD_BENCH_FORECAST_SAMPLE=N`` times an evenly spaced sample of N series and
extrapolates linearly to all of them (the row says so);
``ACCORD_BENCH_FORECAST_PERIODS=week`` times the weekly run alone.

Accuracy on public benchmark data (not part of ``make bench``; the data is read from
/work/shared/external/m3, never copied into the repository):

    python benchmarks/bench_forecast.py --m3 [--series N]

forecasts the M3 competition's monthly series (1,428; 18 months held out, N evenly spaced
ones with --series) with Accord's automatic choice, and scores sMAPE (as in the M3
competition) and MASE (scaled by the in-sample seasonal-naive MAE, m = 12) against
statsforecast's SeasonalNaive and Theta run on the same series in the same process, next
to the published M3 figures for the monthly series (Makridakis & Hibon 2000, Table 15 /
sMAPE averaged over horizons 1-18: Theta 13.85, ForecastPro 13.86, Naive2 16.91).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from accord.planning.demand_classes import DemandSeries, demand_series, period_start
from accord.planning.forecast_result import ForecastParams

M3_FILE = Path("/work/shared/external/m3/M3data.csv")
M3_HORIZON = 18
PUBLISHED_M3_MONTHLY_SMAPE = {"Theta": 13.85, "ForecastPro": 13.86, "Naive2": 16.91}


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _dataset(scale: str) -> Any:
    from accord.demo import generate
    from accord.services.datasets import load_stored
    from accord.storage.database import Database

    url = os.environ.get("ACCORD_BENCH_DB")
    if not url:
        return generate("large" if scale == "large" else "small")
    if "://" not in url:
        url = f"sqlite:///{url}"
    db = Database(url)
    try:
        return load_stored(db)[0]
    finally:
        db.dispose()


def _sample(series: Sequence[DemandSeries], n: int | None) -> Sequence[DemandSeries]:
    if n is None or n >= len(series):
        return series
    picks = np.linspace(0, len(series) - 1, n).round().astype(int)
    return [series[i] for i in picks]


def _cpu_seconds() -> float:
    """CPU time of this process and its reaped children (the library's worker pools)."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


# CPU seconds of the last timed run: on a shared machine, wall time / (cores) is inflated by
# other work, CPU time is not.
_last_cpu = 0.0


def _time_run(series: Sequence[DemandSeries], params: ForecastParams, start: dt.date) -> float:
    from accord.planning.forecast import forecast_demand

    global _last_cpu
    cpu = _cpu_seconds()
    started = time.perf_counter()
    forecast_demand(series, params, start)
    seconds = time.perf_counter() - started
    _last_cpu = _cpu_seconds() - cpu
    return seconds


def _warm_up() -> None:
    """Compile the models once (numba) so that the timings measure forecasting."""
    from accord.planning.forecast import forecast_demand

    rng = np.random.default_rng(0)
    warm = [
        DemandSeries("W-1", dt.date(2020, 1, 1), rng.poisson(9, 130).astype(float)),
        DemandSeries("W-2", dt.date(2020, 1, 1), (rng.random(130) < 0.2) * 5.0),
    ]
    for season in (52, 12):
        params = ForecastParams(period="week", season_length=season, n_jobs=1)
        forecast_demand(warm, params, dt.date(2026, 1, 5))


def run(scale: str, runs: int) -> list[dict[str, Any]]:
    dataset = _dataset(scale)
    as_of = dataset.as_of() or dt.date.today()
    sample = os.environ.get("ACCORD_BENCH_FORECAST_SAMPLE")
    _warm_up()
    rows = []
    periods = os.environ.get("ACCORD_BENCH_FORECAST_PERIODS", "week,month").split(",")
    for period in periods:
        series = demand_series(dataset.rows("demand_history"), period, as_of)
        chosen = _sample(series, int(sample) if sample else None)
        factor = len(series) / len(chosen)
        params = ForecastParams(period=period, horizon=12)
        baseline = replace(
            params, regular_models=("SeasonalNaive",), sparse_models=("SeasonalNaive",)
        )
        start = period_start(as_of, period)
        repeat = max(1, min(runs, 1 if scale == "large" else 3))
        seconds = statistics.median(_time_run(chosen, params, start) for _ in range(repeat))
        cpu = _last_cpu
        base = statistics.median(_time_run(chosen, baseline, start) for _ in range(repeat))
        note = "" if factor == 1 else f", {len(chosen):,} timed x {factor:.1f}"
        note += f"; CPU {cpu * factor:,.0f} s"
        rows.append(
            {
                "job": f"forecast {period}ly + back-test ({len(series):,} series{note})",
                "seconds": seconds * factor,
                "baseline": "seasonal naive only",
                "baseline_seconds": base * factor,
                "peak_mib": _peak_mib(),
                "target": "<= 300 s on 2 cores" if period == "week" else "",
            }
        )
    return rows


# -- M3 accuracy ---------------------------------------------------------------------------


def _m3_monthly() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(id, training values, the 18 held-out values) of every monthly M3 series."""
    out = []
    with open(M3_FILE, newline="") as f:
        for row in csv.reader(line for line in f if not line.startswith("#")):
            if not row or not row[0].strip() or row[2].strip() != str(M3_HORIZON):
                continue
            n = int(row[1])
            values = np.array([float(v) for v in row[6 : 6 + n]])
            out.append((row[0].replace(" ", ""), values[:-M3_HORIZON], values[-M3_HORIZON:]))
    return out


def _scores(
    name: str, forecasts: np.ndarray, data: list[tuple[str, np.ndarray, np.ndarray]]
) -> dict[str, Any]:
    from accord.planning.accuracy import naive_scale, smape

    smapes, mases = [], []
    for (_, train, test), fc in zip(data, forecasts, strict=True):
        smapes.append(smape(test, fc))
        scale = naive_scale(train, 12)
        mases.append(float(np.mean(np.abs(test - fc))) / scale)
    return {"method": name, "smape": float(np.mean(smapes)), "mase": float(np.mean(mases))}


def _library_forecast(model: Any, data: list[tuple[str, np.ndarray, np.ndarray]]) -> np.ndarray:
    import pandas as pd
    from statsforecast import StatsForecast

    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(np.arange(len(data)), [len(d[1]) for d in data]),
            "ds": np.concatenate([np.arange(len(d[1])) for d in data]),
            "y": np.concatenate([d[1] for d in data]),
        }
    )
    out = StatsForecast(models=[model], freq=1, n_jobs=-1).forecast(df=frame, h=M3_HORIZON)
    out = out.sort_values(["unique_id", "ds"])
    return np.asarray(out[repr(model)].to_numpy(dtype=float)).reshape(-1, M3_HORIZON)


def m3(series_count: int | None) -> list[dict[str, Any]]:
    from statsforecast.models import SeasonalNaive, Theta

    from accord.planning.forecast import forecast_demand

    data = _m3_monthly()
    if series_count is not None and series_count < len(data):
        picks = np.linspace(0, len(data) - 1, series_count).round().astype(int)
        data = [data[i] for i in picks]
    series = [DemandSeries(sid, dt.date(1990, 1, 1), train) for sid, train, _ in data]
    params = ForecastParams(period="month", horizon=M3_HORIZON, backtest_horizon=6)
    started = time.perf_counter()
    result = forecast_demand(series, params, dt.date(2030, 1, 1))
    seconds = time.perf_counter() - started
    by_sku = {s.sku: s for s in result.skus}
    accord = np.array([by_sku[sid].quantity for sid, _, _ in data])
    rows = [_scores("Accord (automatic choice)", accord, data)]
    rows[0] |= {"seconds": seconds, "models": result.models}
    rows.append(
        _scores("statsforecast SeasonalNaive", _library_forecast(SeasonalNaive(12), data), data)
    )
    rows.append(
        _scores("statsforecast Theta", _library_forecast(Theta(season_length=12), data), data)
    )
    for name, value in PUBLISHED_M3_MONTHLY_SMAPE.items():
        rows.append({"method": f"published M3: {name}", "smape": value, "mase": None})
    return rows


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--m3", action="store_true", help="accuracy on the M3 monthly series")
    parser.add_argument("--series", type=int, default=None, help="M3: evenly spaced sample")
    parser.add_argument("--scale", default="large", help="timing: small or large")
    args = parser.parse_args(argv)
    if args.m3:
        rows = m3(args.series)
        print(f"M3 monthly, {M3_HORIZON} months held out")
        for r in rows:
            mase = "-" if r["mase"] is None else f"{r['mase']:.3f}"
            extra = f"  ({r['seconds']:.0f} s; {r['models']})" if "seconds" in r else ""
            print(f"  {r['method']:<32} sMAPE {r['smape']:6.2f}  MASE {mase}{extra}")
        return
    for r in run(args.scale, 1):
        print(
            f"{r['job']}: {r['seconds']:.1f} s; {r['baseline']}: {r['baseline_seconds']:.1f} s; "
            f"peak {r['peak_mib']:.0f} MiB"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
